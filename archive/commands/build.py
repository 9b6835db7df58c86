"""Build the site: read → validate → model → plan → render + write → index → swap into place.

The site is written into a folder next to the target and swapped in only when every stage has succeeded;
content errors are printed and leave the last good site untouched. The build cache (`.cache/` beside the
output, archive/cache.py) makes a rebuild parse only changed files and render only pages whose inputs
changed; every stage still runs over the whole model, so the output is that of a clean build.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..buildlog import BuildLog
from ..cache import BuildCache, PageKeys
from ..opendata import items_json_chunks
from ..pages import Page, load_topics, plan
from ..problems import report
from ..render import environment, fingerprint
from ..sitemaps import robots, sitemaps
from ..validate import build_archive
from ..workers import write_pages
from ..writer import Writer, output_path

HERE = Path(__file__).resolve().parents[2]
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
TOPICS = HERE / "registry" / "topics.yaml"


def add_arguments(parser) -> None:
    parser.add_argument("--content", type=Path, default=HERE / "content",
                        help="content folder (its parent holds registry/ and sources/)")
    parser.add_argument("--out", type=Path, default=HERE / "site", help="output folder, replaced on success")
    parser.add_argument("--no-index", action="store_true", help="skip the search index stage")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="render workers (default: 2, or 1 on a one-core machine)")


def run(args) -> int:
    started = time.perf_counter()
    content, out = args.content.resolve(), args.out.resolve()
    log = BuildLog.for_terminal(sys.stderr.isatty())
    with log.stage("读取构建缓存"):
        cache = BuildCache.open(cache_folder(out))
    with log.stage("读取并检查内容"):
        archive = load_content(content, cache.documents)
    if archive is None:
        print("上一次生成的网站保持不变。", file=sys.stderr)
        return 1
    stats = build_site(archive, content.parent, out, index=not args.no_index, jobs=args.jobs, log=log, cache=cache)
    print(f"生成 {stats.pages} 个页面（重新渲染 {stats.rendered} 个）、共 {stats.files} 个文件，"
          f"用时 {time.perf_counter() - started:.2f} 秒"
          + (f"（其中搜索索引 {stats.index_seconds:.2f} 秒）" if stats.indexed else "（未建搜索索引）"))
    return 0


def cache_folder(out: Path) -> Path:
    """`.cache/` beside the output folder: on the same disk, and kept by Netlify between deploys."""
    return out.parent / ".cache"


def load_content(content: Path, memo=None):
    """The validated archive, or None after printing why not: nothing may be written from bad content."""
    archive, problems = build_archive(content.parent, content, memo=memo)
    report(problems, sys.stderr)
    if any(p.is_error for p in problems):
        print("内容有错误，未生成网站。", file=sys.stderr)
        return None
    return archive


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
    with log.stage("规划页面"):
        pages = plan(archive, load_topics(topics_file(root)), root, set(env.list_templates(extensions=["html"])))
    writer = Writer(out, cache)
    try:
        for page in pages:
            writer.claim(output_path(page.url))
        with log.stage("生成页面", total=len(pages)) as step:
            keys = PageKeys(env, assets, config) if cache else None
            written, stats.rendered = write_pages(pages, env, writer, jobs, step, keys)
        stats.bytes += written
        stats.pages = len(pages)
        with log.stage("静态文件、网站地图、开放数据"):
            for asset in assets.values():
                stats.bytes += writer.write(asset.path, asset.data)
            extras = extra_files(archive, pages)
            for path, data in extras.items():
                stats.bytes += writer.write(path, data)
            stats.bytes += writer.stream("data/items.json", items_json_chunks(archive))
        stats.files = len(pages) + len(assets) + len(extras) + 1
        if index:
            from ..search_index import build_index   # imported here: --no-index builds never load it
            with log.stage("搜索索引", total=len(archive.items), unit="项"):
                index_started = time.perf_counter()
                stats.index = build_index(archive, writer.tmp, writer, cache)
                stats.indexed = True
                stats.index_seconds = time.perf_counter() - index_started
        with log.stage("替换网站"):
            writer.commit()
    except BaseException:
        writer.abort()
        raise
    if cache:
        with log.stage("保存构建缓存"):
            cache.save()
    return stats


def topics_file(root: Path) -> Path:
    """A generated corpus may bring its own topics; the project's registry is the default."""
    own = root / "registry" / "topics.yaml"
    return own if own.is_file() else TOPICS


def site_config() -> dict:
    config = yaml.safe_load((TEMPLATES / "site.yaml").read_text(encoding="utf-8"))
    # Netlify sets URL to the site's main address during every deploy build.
    config["base_url"] = os.environ.get("URL", config["base_url"]).rstrip("/")
    return config


def extra_files(archive, pages: list[Page]) -> dict[str, bytes]:
    base = site_config()["base_url"]
    files = sitemaps(base, [p.url for p in pages if p.url.endswith("/")])
    files["robots.txt"] = robots(base)
    return files
