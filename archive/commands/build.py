"""Build the site from scratch: read → validate → model → plan → render + write → index → swap into place.

The site is written into a temporary folder next to the target and swapped in only when every stage has
succeeded; content errors are printed and leave the last good site untouched.
"""
from __future__ import annotations

import ctypes
import gc
import json
import multiprocessing
import os
import queue
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..admin import site_admin_files
from ..headers import headers_for
from ..opendata import dumps, item_record
from ..pages import Page, load_topics, plan
from ..problems import report
from ..render import environment, fingerprint
from ..validate import build_archive
from ..writer import Writer, output_path
from .args import content_dir, positive, site_dir

HERE = Path(__file__).resolve().parents[2]
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
TOPICS = HERE / "registry" / "topics.yaml"
BATCH = 200          # pages per unit of work handed to a render worker


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


def run(args) -> int:
    started = time.perf_counter()
    content = args.content.resolve()
    archive = load_content(content)
    if archive is None:
        print("上一次生成的网站保持不变。", file=sys.stderr)
        return 1
    stats = build_site(archive, content.parent, args.out, index=not args.no_index, jobs=args.jobs,
                       progress=sys.stderr.isatty())
    print(f"生成 {stats.pages} 个页面、共 {stats.files} 个文件，用时 {time.perf_counter() - started:.2f} 秒"
          + (f"（其中搜索索引 {stats.index_seconds:.2f} 秒）" if stats.indexed else "（未建搜索索引）"))
    return 0


def load_content(content: Path):
    """The validated archive, or None after printing why not: nothing may be written from bad content."""
    archive, problems = build_archive(content.parent, content)
    report(problems, sys.stderr)
    if any(p.is_error for p in problems):
        print("内容有错误，未生成网站。", file=sys.stderr)
        return None
    return archive


@dataclass
class Stats:
    pages: int = 0
    files: int = 0
    bytes: int = 0
    indexed: bool = False
    index_seconds: float = 0.0
    index: dict | None = None


def build_site(archive, root: Path, out: Path, *, index: bool = True, jobs: int = 2,
               progress: bool = False) -> Stats:
    """Write the whole site for an already validated archive; `out` is replaced only if this succeeds."""
    stats = Stats()
    assets = fingerprint(STATIC)
    env = environment(TEMPLATES, assets, site_config())
    pages = plan(archive, load_topics(topics_file(root)), root, set(env.list_templates(extensions=["html"])))
    writer = Writer(out)
    try:
        for page in pages:
            writer.claim(output_path(page.url))
        stats.bytes += write_pages(pages, env, writer, jobs, progress)
        stats.pages = len(pages)
        for asset in assets.values():
            stats.bytes += writer.write(asset.path, asset.data)
        extras = extra_files(archive, pages) | site_admin_files(root, archive)
        for path, data in extras.items():
            stats.bytes += writer.write(path, data)
        stats.bytes += writer.stream("data/items.json", items_json_chunks(archive))
        stats.files = len(pages) + len(assets) + len(extras) + 1
        if index:
            from ..search_index import build_index   # imported here: --no-index builds never load it
            index_started = time.perf_counter()
            stats.index = build_index(archive, writer.tmp)
            stats.indexed = True
            stats.index_seconds = time.perf_counter() - index_started
        stats.bytes += writer.write("_headers", headers_for(writer.tmp))     # last: it names what is there
        stats.files += 1
        writer.commit()
    except BaseException:
        writer.abort()
        raise
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
    files["robots.txt"] = f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n".encode()
    return files


SITEMAP_LIMIT = 50_000     # URLs per sitemap file, as the sitemaps protocol allows


def sitemaps(base: str, urls: list[str]) -> dict[str, bytes]:
    """sitemap.xml; past 50,000 URLs, a sitemap index pointing at sitemap-1.xml, sitemap-2.xml, …"""
    def urlset(chunk: list[str]) -> bytes:
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        lines += [f"<url><loc>{base}{url}</loc></url>" for url in chunk]
        return ("\n".join(lines) + "\n</urlset>\n").encode()

    chunks = [urls[n:n + SITEMAP_LIMIT] for n in range(0, len(urls), SITEMAP_LIMIT)] or [[]]
    if len(chunks) == 1:
        return {"sitemap.xml": urlset(chunks[0])}
    files = {f"sitemap-{n}.xml": urlset(chunk) for n, chunk in enumerate(chunks, 1)}
    index = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    index += [f"<sitemap><loc>{base}/{name}</loc></sitemap>" for name in files]
    files["sitemap.xml"] = ("\n".join(index) + "\n</sitemapindex>\n").encode()
    return files


def items_json_chunks(archive):
    """The bytes of `opendata.dumps(items_json(archive))`, one record at a time: at 100,000 items the
    whole document held as records, str and bytes at once would add half a gigabyte to the peak."""
    items = archive.items
    if not items:
        yield dumps([]).encode()
        return
    yield b"[\n"
    for n, item in enumerate(items):
        record = json.dumps(item_record(item), ensure_ascii=False, indent=1)
        # json.dumps(list, indent=1) is each element dumped one level deeper; strings hold no raw newlines.
        text = " " + record.replace("\n", "\n ")
        yield (text + (",\n" if n + 1 < len(items) else "\n]\n")).encode()


# ---------------------------------------------------------------- render + write, in parallel

_JOB: tuple = ()     # (pages, env, writer): set before forking so workers inherit them instead of pickling


def render(env, page: Page) -> bytes:
    return env.get_template(page.template).render(page.context()).encode()


def _render_batch(bounds: tuple[int, int]) -> tuple[int, int]:
    pages, env, writer = _JOB
    written = 0
    for page in pages[bounds[0]:bounds[1]]:
        written += writer.put(output_path(page.url), render(env, page))
    return bounds[1] - bounds[0], written


def write_pages(pages: list[Page], env, writer: Writer, jobs: int, progress: bool) -> int:
    """Render and write every page; with `jobs` > 1, this process and jobs − 1 forked children share the
    batches. This process renders too: every process holding the model is one more (partial) copy of it,
    as a child's refcount updates copy the memory pages it touches."""
    global _JOB
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)             # compile once, before forking, so workers share the compiled code
    _JOB = (pages, env, writer)
    batches = [(start, min(start + BATCH, len(pages))) for start in range(0, len(pages), BATCH)]
    bar = ProgressBar(len(pages)) if progress and len(pages) > 5 * BATCH else None
    jobs = max(1, min(jobs, len(batches)))
    children = []
    try:
        if jobs == 1:
            return _collect(map(_render_batch, batches), bar)
        # The garbage collector writes to every object it scans: frozen objects are never scanned, so
        # children don't copy the whole model just by collecting garbage.
        gc.collect()
        gc.freeze()
        context = multiprocessing.get_context("fork")
        results = context.Queue()
        # Contiguous shares: the plan keeps each jurisdiction's pages together, so a child touches (and
        # copies) mostly its own jurisdictions' items. This process takes the first share, which holds the
        # pages across jurisdictions (topics, years) that read items from everywhere.
        shares = [batches[k * len(batches) // jobs:(k + 1) * len(batches) // jobs] for k in range(jobs)]
        children = [context.Process(target=_child, args=(share, results), daemon=True) for share in shares[1:]]
        for child in children:
            child.start()
        written = _collect(map(_render_batch, shares[0]), bar)
        for _ in range(len(batches) - len(shares[0])):
            outcome = _next_result(results, children)
            if isinstance(outcome, str):
                raise RuntimeError(f"a render worker failed:\n{outcome}")
            written += _collect([outcome], bar)
        return written
    finally:
        for child in children:              # on failure or Ctrl-C, stop writing before the caller cleans up
            if child.is_alive():
                child.terminate()
            child.join()
        _JOB = ()
        gc.unfreeze()
        if bar:
            bar.close()


def _next_result(results, children):
    while True:
        try:
            return results.get(timeout=1)
        except queue.Empty:
            if any(child.exitcode not in (None, 0) for child in children):   # killed: it can't report
                raise RuntimeError("a render worker died") from None


def _child(batches: list[tuple[int, int]], results) -> None:
    # Ctrl-C reaches the children too: only the parent handles it (aborts, exits 130), no worker tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    parent = os.getppid()
    try:
        for bounds in batches:
            if os.getppid() != parent:      # the build was killed: don't write into what it left behind
                os._exit(1)
            results.put(_render_batch(bounds))
    except BaseException:
        results.put(traceback.format_exc())


def _die_with_parent() -> None:
    """Linux: have the kernel kill this worker when the build dies, even by SIGKILL."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)       # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass                                 # elsewhere, the per-batch parent check above suffices


def _collect(results, bar) -> int:
    total = 0
    for count, written in results:
        total += written
        if bar:
            bar.advance(count)
    return total


class ProgressBar:
    """One line on stderr, redrawn at most ten times a second."""

    def __init__(self, total: int):
        self.total, self.done, self.drawn = total, 0, 0.0

    def advance(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.drawn > 0.1 or self.done == self.total:
            self.drawn = now
            filled = 30 * self.done // self.total
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} 页")
            sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
