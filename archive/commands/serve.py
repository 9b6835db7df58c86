"""Build, serve the site on 127.0.0.1, and show edits to content/, sources/, templates/ or static/ at once.

The first full build writes the output folder (search index included). After that, pages are rendered on
demand from the model held in memory, so an edit costs re-reading what changed, not rebuilding the site:
an edited item re-reads only its own list folder; a changed _list.yaml, registry entry, or a folder added or
removed re-reads everything; templates and static files only reload the renderer. Open pages reload
themselves when something changed. The search index and the output folder stay as the first build made
them; run `build.py` to bring them up to date.
"""
from __future__ import annotations

import http.server
import os
import sys
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..admin import site_admin_files
from ..pages import Page, load_topics, plan
from ..problems import report, summary
from ..progress import as_of_argument
from ..render import environment, fingerprint
from ..content import read_lists
from ..downloads import write_open_data
from ..validate import build_archive, build_lists, load_rules
from ..workers import render
from ..buildlog import BuildLog
from .args import content_dir, port, site_dir
from .build import HERE, STATIC, TEMPLATES, build_site, extra_files, load_content, site_config, topics_file

POLL_SECONDS = 0.1
RELOAD_JS = b"""// Added by `build.py serve` only: reload when the server has rebuilt.
(function () {
  var seen = null;
  function poll() {
    fetch("/__serve/version", {cache: "no-store"}).then(function (r) { return r.text(); }).then(function (v) {
      if (seen !== null && v !== seen) { window.location.reload(); return; }
      seen = v;
      setTimeout(poll, 250);
    }, function () { setTimeout(poll, 1000); });
  }
  poll();
})();
"""
RELOAD_TAG = b'<script src="/__serve/reload.js" defer></script>\n</head>'
EXAMPLES = """示例：
  python build.py serve                        生成并在 http://127.0.0.1:8000/ 预览，改动后自动更新
  python build.py serve --port 8001 --no-index 换端口；不建搜索索引，启动更快
"""


def add_arguments(parser) -> None:
    parser.add_argument("--content", type=content_dir, default=str(HERE / "content"),
                        help="内容文件夹（它的上一级有 registry/ 和 sources/）")
    parser.add_argument("--out", type=site_dir, default=str(HERE / "site"), help="第一次生成的输出文件夹")
    parser.add_argument("--port", type=port, default=8000, help="端口（默认 8000；0 表示任选一个空闲端口）")
    parser.add_argument("--no-index", action="store_true", help="第一次生成时不建搜索索引")
    parser.add_argument("--as-of", type=as_of_argument, default=None, metavar="YYYY-MM-DD",
                        help="进展状态和是否逾期按这一天算（默认：SOURCE_DATE_EPOCH，否则中国的今天）")


@dataclass
class State:
    """Everything a request needs, replaced as a whole after each rebuild so requests never see half of one."""
    version: int
    archive: object
    pages: dict[str, Page]
    env: object
    assets: dict[str, bytes]          # "/static/site.ab12.css" → bytes
    extras: dict[str, bytes] | None = None   # sitemap, robots, feeds, data/: made on first request (~1 s at 10k)
    downloads: dict | None = None            # what the data page says of data/: made with `extras`


class Site:
    def __init__(self, content: Path, out: Path, as_of=None):
        self.content, self.root, self.out = content, content.parent, out
        self.lock = threading.Lock()
        self.state: State | None = None
        self.rules, _ = load_rules(self.root, as_of)      # the first build reported their problems

    def load(self, archive, version: int, renderer_changed: bool = True) -> None:
        if renderer_changed or self.state is None:
            assets = fingerprint(STATIC)
            env = environment(TEMPLATES, assets, site_config())
            asset_bytes = {"/" + a.path: a.data for a in assets.values()}
        else:
            env, asset_bytes = self.state.env, self.state.assets
        templates = set(env.list_templates(extensions=["html"]))
        state = State(version, archive, {}, env, asset_bytes)
        pages = plan(archive, load_topics(topics_file(self.root)), self.root, templates, lambda: self.downloads(state))
        state.pages = {p.url: p for p in pages}
        self.state = state

    def extras(self, state: State) -> dict[str, bytes]:
        if state.extras is None:
            pages = list(state.pages.values())
            files = {"/" + path: data for path, data in extra_files(state.archive, pages).items()}

            def keep(path: str, chunks) -> int:
                files["/" + path] = b"".join(chunks)
                return len(files["/" + path])

            state.downloads = write_open_data(state.archive, site_config()["base_url"], keep)
            # /admin/config.yml lists the list folders: a list added while serving gets its collection.
            files.update({"/" + path: data for path, data in site_admin_files(self.root, state.archive).items()})
            state.extras = files
        return state.extras

    def downloads(self, state: State) -> dict:
        self.extras(state)
        return state.downloads

    def reread_all(self):
        self.rules, problems = load_rules(self.root, self.rules.as_of)
        archive, more = build_archive(self.root, self.content, self.rules)
        return archive, problems + more

    def reread_lists(self, folders: set[str]):
        """Re-read only the named list folders, through the same validation as a full build. Only item files
        changed, so the registries, the other lists and each list's jurisdiction are as they were."""
        old = self.state.archive
        raw, problems = read_lists([(self.content / name, f"{self.content.name}/{name}") for name in folders])
        fresh = {lst.id: lst for lst in build_lists(self.rules, raw, problems)}
        lists = [fresh.get(lst.id, lst) for lst in old.lists]
        return replace(old, lists=lists), problems


def snapshot(folders: list[Path]) -> dict[str, int]:
    """Modification times of every file under `folders` (scandir: a third of the cost of Path.rglob)."""
    stamps, stack = {}, [str(f) for f in folders if f.is_dir()]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    stamps[entry.path] = entry.stat().st_mtime_ns
    return stamps


def changed_paths(before: dict[str, int], after: dict[str, int]) -> set[Path]:
    return {Path(p) for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


def watch(site: Site) -> None:
    content, root = site.content, site.root
    folders = [content, root / "sources", root / "registry", TEMPLATES, STATIC]
    stamps = snapshot(folders)
    while True:
        time.sleep(POLL_SECONDS)
        now = snapshot(folders)
        changed = changed_paths(stamps, now)
        stamps = now
        if changed:
            rebuild(site, changed)


def edited_lists(site: Site, changed: set[Path]) -> set[str] | None:
    """The list folders whose item files are all that changed, or None when more than items changed
    (a _list.yaml, a registry, a source, a folder added or removed): then everything is re-read."""
    known = {lst.id for lst in site.state.archive.lists}
    folders = set()
    for path in changed:
        if not path.is_relative_to(site.content) or path.suffix != ".md":
            return None
        parts = path.relative_to(site.content).parts
        if len(parts) != 2 or parts[0] not in known:
            return None
        folders.add(parts[0])
    return folders


def rebuild(site: Site, changed: set[Path]) -> None:
    started = time.perf_counter()
    rendering_only = all(p.is_relative_to(TEMPLATES) or p.is_relative_to(STATIC) for p in changed)
    folders = edited_lists(site, changed)
    if rendering_only:
        archive, problems, how = site.state.archive, [], "重载模板"
    elif folders:
        archive, problems = site.reread_lists(folders)
        how = "重读所在清单"
    else:
        archive, problems = site.reread_all()
        how = "重读全部内容"
    report(problems, sys.stderr)
    if any(p.is_error for p in problems):
        print("内容有错误，页面保持上一次的样子。", file=sys.stderr, flush=True)
        return
    renderer_changed = any(p.is_relative_to(TEMPLATES) or p.is_relative_to(STATIC) for p in changed)
    with site.lock:
        site.load(archive, site.state.version + 1, renderer_changed)
    names = ", ".join(sorted(p.name for p in changed)[:3]) + ("…" if len(changed) > 3 else "")
    print(f"{names} 改动：{how}，{(time.perf_counter() - started) * 1000:.0f} 毫秒", flush=True)


def make_handler(site: Site):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            state = site.state
            path = unquote(urlsplit(self.path).path)
            if path == "/__serve/version":
                return self.send(200, "text/plain", str(state.version).encode())
            if path == "/__serve/reload.js":
                return self.send(200, "application/javascript", RELOAD_JS)
            if path.endswith("/index.html"):
                path = path.removesuffix("index.html")
            page = state.pages.get(path) or state.pages.get(path + "/")
            if page and page.url != path:
                return self.redirect(page.url)
            if page:
                return self.send(200, "text/html; charset=utf-8", with_reload(render(state.env, page)))
            data = state.assets.get(path) or site.extras(state).get(path) or self.from_output(path)
            if data is not None:
                return self.send(200, content_type(path), data)
            not_found = state.pages["/404.html"]
            return self.send(404, "text/html; charset=utf-8", with_reload(render(state.env, not_found)))

        def from_output(self, path: str) -> bytes | None:
            """What only the first build made: the search index and the search page's own files."""
            file = (site.out / path.lstrip("/")).resolve()
            if path.endswith("/"):
                file = file / "index.html"
            if file.is_relative_to(site.out.resolve()) and file.is_file():
                return file.read_bytes()
            return None

        def redirect(self, url: str) -> None:
            self.send_response(301)
            self.send_header("Location", url)
            self.end_headers()

        def send(self, status: int, kind: str, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):
            pass

    return Handler


def with_reload(html: bytes) -> bytes:
    return html.replace(b"</head>", RELOAD_TAG, 1)


TYPES = {".css": "text/css", ".js": "application/javascript", ".mjs": "application/javascript",
         ".json": "application/json", ".svg": "image/svg+xml", ".xml": "application/xml",
         ".txt": "text/plain; charset=utf-8", ".yml": "text/yaml; charset=utf-8", ".html": "text/html; charset=utf-8", ".wasm": "application/wasm"}


def content_type(path: str) -> str:
    if path.endswith("/"):                  # a folder's index.html from the first build (/admin/)
        return TYPES[".html"]
    return TYPES.get(Path(path).suffix, "application/octet-stream")


def run(args) -> int:
    content = args.content.resolve()
    archive, problems = load_content(content, args.as_of)
    if archive is None:
        print(f"改正后重新运行。{summary(problems)}", file=sys.stderr)
        return 1
    stats = build_site(archive, content.parent, args.out, index=not args.no_index,
                       log=BuildLog.for_terminal(sys.stderr.isatty()))
    site = Site(content, args.out, archive.as_of)
    site.load(archive, 1)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(site))
    server.daemon_threads = True
    threading.Thread(target=watch, args=(site,), daemon=True).start()
    print(f"生成 {stats.pages} 个页面；在 http://127.0.0.1:{server.server_address[1]}/ 预览，"
          "改动 content/、sources/、templates/ 后自动更新。Ctrl+C 停止。", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0
