"""Build the site: read → validate → model → open data → plan → render + write → index → swap into place.

The site is written into a folder next to the target and swapped in only when every stage has succeeded;
content errors are printed and leave the last good site untouched. The build cache (`.cache/` beside the
output, archive/cache/) makes a rebuild parse only changed files and render only pages whose inputs
changed; every stage still runs over the whole model, so the output is that of a clean build.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..admin import site_admin_files
from ..buildlog import BuildLog
from .. import collector
from ..collector import paused
from ..cache import BuildCache, PageKeys
from ..downloads import write_open_data
from ..feeds import feeds
from ..forked import Forked
from ..headers import headers_file
from ..pages import Page, load_topics, plan
from ..problems import report, summary
from ..progress import as_of_argument
from ..render import environment, fingerprint
from ..sitemaps import robots, sitemaps
from ..validate import build_archive
from ..workers import write_pages
from ..writer import Writer, output_path
from .args import content_dir, positive, site_dir

HERE = Path(__file__).resolve().parents[2]
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
TOPICS = HERE / "registry" / "topics.yaml"


EXAMPLES = """示例：
  python build.py                              生成网站到 site/
  python build.py --no-index                   不建搜索索引（更快，搜索页不可用）
  python build.py --content 别处/content --out /tmp/site   生成另一份内容
"""


def add_arguments(parser) -> None:
    parser.add_argument("--content", type=content_dir, default=str(HERE / "content"),
                        help="内容文件夹（它的上一级有 registry/ 和 sources/）")
    parser.add_argument("--out", type=site_dir, default=str(HERE / "site"), help="输出文件夹，成功后整个替换")
    parser.add_argument("--no-index", action="store_true", help="不建搜索索引")
    parser.add_argument("--jobs", type=positive, default=min(2, os.cpu_count() or 1),
                        help="并行渲染的进程数（默认 2，单核机器为 1）")
    parser.add_argument("--as-of", type=as_of_argument, default=None, metavar="YYYY-MM-DD",
                        help="进展状态和是否逾期按这一天算（默认：SOURCE_DATE_EPOCH，否则中国的今天）")


def run(args) -> int:
    started = time.perf_counter()
    content, out = args.content.resolve(), args.out.resolve()
    log = BuildLog.for_terminal(sys.stderr.isatty())
    # The cache's tables and the model live to the end: frozen before any collection walks them (the first
    # one after the collector is enabled again would walk all of them, 0.4 s at 100,000 items)
    with paused():
        with log.stage("读取构建缓存"):
            cache = BuildCache.open(cache_folder(out))
        with log.stage("读取并检查内容"):
            archive, problems = load_content(content, args.as_of, cache.documents)
        collector.freeze()
    try:
        if archive is None:
            print(summary(problems), file=sys.stderr)       # the last line, as check's
            return 1
        stats = build_site(archive, content.parent, out, index=not args.no_index, jobs=args.jobs, log=log,
                           cache=cache)
    finally:
        collector.unfreeze()
    print(f"生成 {stats.pages} 个页面（重新渲染 {stats.rendered} 个）、共 {stats.files} 个文件，"
          f"用时 {time.perf_counter() - started:.2f} 秒"
          + (f"（其中搜索索引 {stats.index_seconds:.2f} 秒）" if stats.indexed else "（未建搜索索引）"))
    print(summary(problems))
    return 0


def cache_folder(out: Path) -> Path:
    """`.cache/` beside the output folder: on the same disk, and kept by Netlify between deploys."""
    return out.parent / ".cache"


def load_content(content: Path, as_of=None, memo=None):
    """(the validated archive, or None after printing why not; the problems): nothing may be written from
    bad content. `memo`: the build cache's parsed files."""
    archive, problems = build_archive(content.parent, content, as_of=as_of, memo=memo)
    report(problems, sys.stderr, with_summary=False)
    if any(p.is_error for p in problems):
        print("内容有错误，未生成网站；上一次生成的网站保持不变。", file=sys.stderr)
        return None, problems
    return archive, problems


@dataclass
class Stats:
    pages: int = 0
    rendered: int = 0          # pages rendered, not reused from an earlier build
    files: int = 0
    bytes: int = 0
    indexed: bool = False
    index_seconds: float = 0.0
    index: dict | None = None


def build_site(archive, root: Path, out: Path, *, index: bool = True, jobs: int = 2,
               log: BuildLog | None = None, cache: BuildCache | None = None) -> Stats:
    """Write the whole site for an already validated archive; `out` is replaced only if this succeeds.
    With a `cache`, unchanged pages are reused and only changed files written (then the cache is saved)."""
    log = log or BuildLog.quiet()
    stats = Stats()
    assets = fingerprint(STATIC)
    config = site_config()
    env = environment(TEMPLATES, assets, config)
    with paused():      # the output folders' listings: 250,000 entries at 100,000 items, which set collections off
        writer = Writer(out, cache)
    try:
        # Open data first (the data page shows its sizes), in a forked child beside the plan when there are
        # two cores: neither needs the other's result before the pages are rendered.
        opendata = OpenData(archive, config["base_url"], writer, cache)
        job = Forked(opendata.run) if jobs > 1 else None
        try:
            if job is None:
                with log.stage("开放数据"):
                    downloads = opendata.learn(opendata.run())
            with log.stage("规划页面"):
                pages = plan(archive, load_topics(topics_file(root)), root,
                             set(env.list_templates(extensions=["html"])), lambda: downloads,
                             cache.item_digests if cache else None, cache.similar if cache else None,
                             cache.item_topics if cache else None, fork=jobs > 1)
            if job is not None:
                with log.stage("开放数据"):           # what is left of it once the plan is made
                    downloads = opendata.learn(job.result())
        finally:
            if job is not None:
                job.stop()
        paths = [output_path(page.url) for page in pages]
        for path in paths:
            writer.claim(path)
        texts = None
        if index:
            from ..search.handover import ItemTexts   # the index stage's input, read as each page is rendered
            texts = ItemTexts.planned(archive, paths)
        del paths
        with log.stage("生成页面", total=len(pages)) as step:
            keys = PageKeys(env, assets, config) if cache else None
            written, stats.rendered = write_pages(pages, env, writer, jobs, step, keys, texts)
        stats.bytes += written
        stats.pages = len(pages)
        with log.stage("静态文件、网站地图、订阅"):
            for asset in assets.values():
                stats.bytes += writer.write(asset.path, asset.data)
            extras = extra_files(archive, pages, cache.feed_entries if cache else None) | site_admin_files(
                root, archive, cache.admin_config if cache else None)
            for path, data in extras.items():
                stats.bytes += writer.write(path, data)
        stats.bytes += sum(d.bytes for d in downloads.values())
        stats.files = len(pages) + len(assets) + len(extras) + len(downloads)
        if index:
            from ..search_index import build_index   # imported here: --no-index builds never load it
            with log.stage("搜索索引", total=len(archive.items), unit="项"):
                index_started = time.perf_counter()
                stats.index = build_index(archive, writer.tmp, writer, cache, texts, jobs)
                stats.indexed = True
                stats.index_seconds = time.perf_counter() - index_started
        # last: it names what is there (what this build wrote, not what a spare still holds from before)
        stats.bytes += writer.write("_headers", headers_file(writer.top_level()))
        stats.files += 1
        with log.stage("替换网站"):
            writer.commit()
    except BaseException:
        writer.abort()
        raise
    if cache:
        with log.stage("保存构建缓存"):
            cache.save()
    return stats


class OpenData:
    """The open data stage, run here or in a forked child: `run()` writes the files and returns what this
    process must then `learn()` of it (what the writer wrote, whether a cached part was damaged)."""

    def __init__(self, archive, base_url: str, writer: Writer, cache: BuildCache | None):
        self.archive, self.base_url, self.writer, self.cache = archive, base_url, writer, cache

    def run(self) -> tuple:
        parts = self.cache.documents if self.cache else None
        before = set(self.writer.files)
        warn = parts.warn if parts is not None else None
        if parts is not None:
            parts.warn = _nothing              # a damaged part is warned of by `learn`, in the parent
        try:
            downloads = write_open_data(self.archive, self.base_url, self.writer.stream, parts)
        finally:
            if parts is not None:
                parts.warn = warn
        wrote = {path: found for path, found in self.writer.files.items() if path not in before}
        return downloads, wrote, parts.damaged if parts is not None else False

    def learn(self, outcome: tuple) -> dict:
        downloads, wrote, damaged = outcome
        for path, found in wrote.items():
            if path not in self.writer.files:      # (written by a child: claimed there, not here)
                self.writer.claim(path)
                self.writer.files[path] = found
        if self.cache:
            self.cache.documents.damaged |= damaged
            self.cache.documents.settle()
        return downloads


def _nothing() -> None:
    pass


def topics_file(root: Path) -> Path:
    """A generated corpus may bring its own topics; the project's registry is the default."""
    own = root / "registry" / "topics.yaml"
    return own if own.is_file() else TOPICS


def site_config() -> dict:
    config = yaml.safe_load((TEMPLATES / "site.yaml").read_text(encoding="utf-8"))
    # Netlify sets URL to the site's main address during every deploy build.
    config["base_url"] = os.environ.get("URL", config["base_url"]).rstrip("/")
    return config


def extra_files(archive, pages: list[Page], feed_memo=None) -> dict[str, bytes]:
    config = site_config()
    files = sitemaps(config["base_url"], [p.url for p in pages if p.url.endswith("/")])
    files["robots.txt"] = robots(config["base_url"])
    files.update(feeds(archive, config, feed_memo))
    return files
