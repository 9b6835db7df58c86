"""The built site in headless Chromium, served with Netlify's headers (so the CSP is enforced)."""
from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/minsheng-screenshots"))


def first_item(site: Path) -> dict:
    return json.loads((site / "data" / "items.json").read_text(encoding="utf-8"))[0]


def pages(site: Path) -> dict[str, tuple[str, list[str]]]:
    """name → (path, Chinese text that must be on screen)."""
    items = json.loads((site / "data" / "items.json").read_text(encoding="utf-8"))
    weifang = next(i for i in items if i["list_id"] == "weifang-2021-2" and i["number"] == 1)
    redacted = next(i for i in items if "redacted" in i["flags"])
    dept = weifang["lead"][0]
    source_stem = Path(weifang["source"]).stem
    first, last = weifang["source_lines"]
    return {
        "home": ("/", ["民生实事档案", "按地区", "潍坊市"]),
        "list": ("/shandong/weifang/2021-2/", ["重点民生项目清单", "高质量实施课后延时服务"]),
        "item": (weifang["url"], [weifang["title"], "完成时限", dept, "原文第"]),
        "redacted": (redacted["url"], ["隐去"]),
        "department": ("/shandong/weifang/bumen/jiaoyuju/", [dept, "牵头的项目"]),
        "source": (f"/yuanwen/{source_stem}/#L{first}-L{last}", ["潍坊公布第二批", "原文"]),
        "topic": ("/fenlei/yanglao/", ["养老：各地对照", "当年无清单", "各分类的项目数"]),
        "statistics": ("/tongji/", ["统计", "各地区逐年的项目数", "牵头项目最多的20个部门"]),
        "year": ("/nian/2021/", ["2021年的民生实事清单", "各季度到期的项目数"]),
    }


def visit(browser, site_url, path, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors, outside = [], []
    origin = urlsplit(site_url).netloc
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("request", lambda r: outside.append(r.url) if urlsplit(r.url).netloc not in ("", origin)
            and not r.url.startswith(("data:", "blob:")) else None)
    page.goto(site_url + path, wait_until="networkidle")
    return context, page, errors, outside


@pytest.mark.parametrize("width", [375, 1280])
def test_pages_render_with_their_text_and_stay_on_the_origin(browser, site_url, built_site, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, (path, texts) in pages(built_site).items():
        context, page, errors, outside = visit(browser, site_url, path, width)
        try:
            body = page.inner_text("body")
            for text in texts:
                assert text in body, f"{name} {path}: missing {text!r}"
            assert errors == [], f"{name} {path}: console errors {errors}"
            assert outside == [], f"{name} {path}: requests left the origin: {outside}"
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name} {path}: {overflow}px horizontal overflow at {width}px"
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        finally:
            context.close()


def test_source_range_is_highlighted(browser, site_url, built_site):
    path = pages(built_site)["source"][0]
    first, last = (int(n) for n in path.split("#L")[1].split("-L"))
    context, page, errors, _ = visit(browser, site_url, path, 1280)
    try:
        highlighted = page.eval_on_selector_all(".line.hl", "els => els.map(e => e.id)")
        assert highlighted == [f"L{n}" for n in range(first, last + 1)]
    finally:
        context.close()


def test_slash_focuses_search_and_skip_link_comes_first(browser, site_url):
    context, page, errors, _ = visit(browser, site_url, "/", 1280)
    try:
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "跳到正文"
        page.keyboard.press("Escape")
        page.evaluate("document.activeElement.blur()")
        page.keyboard.press("/")
        assert page.evaluate("document.activeElement.id") == "site-q"
    finally:
        context.close()


def test_redactions_are_styled_not_bold(browser, site_url, built_site):
    context, page, errors, _ = visit(browser, site_url, pages(built_site)["redacted"][0], 1280)
    try:
        spans = page.eval_on_selector_all("[data-pagefind-body] .redacted", "els => els.map(e => e.textContent)")
        assert spans and all(set(s) == {"*"} and len(s) >= 2 for s in spans)
        assert page.query_selector("[data-pagefind-body] .body strong") is None
    finally:
        context.close()


def test_serve_shows_an_edited_item_without_a_manual_reload(browser, tmp_path):
    """`build.py serve` on a copy of the project: save an item, and the open page updates by itself."""
    import shutil
    import socket
    import subprocess
    import sys
    import time

    from conftest import ROOT
    for name in ("content", "registry", "sources"):
        shutil.copytree(ROOT / name, tmp_path / name)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--no-index", "--port", str(port),
                               "--content", str(tmp_path / "content"), "--out", str(tmp_path / "site")],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        while "预览" not in server.stdout.readline():
            assert server.poll() is None, "serve did not start"
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/shandong/weifang/2021-2/01/")
        assert "高质量实施课后延时服务" in page.inner_text("h1")
        time.sleep(0.5)                              # the watcher's first snapshot
        item = next((tmp_path / "content" / "weifang-2021-2").glob("01*.md"))
        item.write_text(item.read_text(encoding="utf-8").replace("title: 高质量实施课后延时服务",
                                                                 "title: 课后服务（已改）", 1), encoding="utf-8")
        page.wait_for_function("document.querySelector('h1').textContent.includes('课后服务（已改）')",
                               timeout=3000)
        context.close()
    finally:
        server.terminate()
        server.wait()


def test_printed_list_drops_the_site_chrome_and_lets_long_tables_break(browser, site_url):
    """On paper a list reads as the list: no header, footer or search box, and a table longer than a page
    starts right under its heading instead of leaving a blank page before it."""
    context, page, errors, _ = visit(browser, site_url, "/anhui/unnamed-city/2024/", 1280)
    try:
        page.emulate_media(media="print")
        for selector in (".masthead", ".sitefooter", ".sitesearch"):
            assert not page.is_visible(selector), f"{selector} is printed"
        assert set(page.eval_on_selector_all("table.items", "ts => ts.map(t => getComputedStyle(t).breakInside)")) \
            == {"auto"}
        assert page.eval_on_selector("table.items tr", "tr => getComputedStyle(tr).breakInside") == "avoid"
    finally:
        context.close()
