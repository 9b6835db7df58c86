"""The browser editor in Chromium, as an editor uses it: decap-server on a copy of the repository, the built
site served with Netlify's headers. The files it writes must pass `check` and build.

Also the measurement behind /admin/'s Content-Security-Policy (archive/headers.py): Decap run under the
strict policy is blocked by exactly the sources the admin policy adds, and by nothing else.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from archive import admin
from archive.headers import ADMIN, STRICT
from conftest import ROOT

pytestmark = pytest.mark.skipif(not admin.VENDOR.is_dir() or shutil.which("node") is None,
                                reason="needs node and node_modules (make test runs npm ci)")
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/admin-screenshots"))
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
    e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cms(tmp_path_factory):
    """(site URL, repository copy, decap-server port): the site built from the copy, decap-server writing into it."""
    from serve_netlify import serving
    repo = tmp_path_factory.mktemp("repo")
    for name in ("content", "registry", "sources"):
        shutil.copytree(ROOT / name, repo / name)
    port = free_port()
    env = dict(os.environ, DECAP_SERVER_PORT=str(port))
    site = repo.parent / "site"
    subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", str(repo / "content"), "--out", str(site),
                    "--no-index"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(["node", str(ROOT / "node_modules" / "decap-server" / "dist" / "index.js")],
                              env=dict(os.environ, PORT=str(port), BIND_HOST="127.0.0.1", GIT_REPO_DIRECTORY=str(repo)),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_port(port, server)
        with serving(site) as url:
            yield url, repo, site, port
    finally:
        server.terminate()
        server.wait(timeout=10)


def wait_for_port(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stdout.read()
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail("decap-server did not start")


def open_admin(browser, url: str, width: int = 1280):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    page.messages = []
    page.on("console", lambda m: page.messages.append(f"{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page.messages.append(f"pageerror: {e}"))
    page.goto(url + "/admin/", wait_until="networkidle")
    return context, page


def errors(page) -> list[str]:
    # Chromium asks for /favicon.ico by itself; the site has none (a 404 that no page requests).
    return [m for m in page.messages if "status of 404" not in m] + page.evaluate("window.__csp")


def log_in(page) -> None:
    page.get_by_role("button", name="登录").click()
    page.get_by_text("集合").wait_for()


def publish(page) -> None:
    page.get_by_role("button", name="发布").first.click()
    page.get_by_text("立即发布").click()
    page.get_by_text("已发布").first.wait_for()


# --- the measurement behind the /admin/ policy ----------------------------------------------------------

def violations_under(browser, cms, policy: str, tmp_path) -> set[str]:
    url, _, site, _ = cms
    from serve_netlify import serving
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    headers = copy / "_headers"
    headers.write_text(headers.read_text(encoding="utf-8").replace(ADMIN, policy), encoding="utf-8")
    with serving(copy) as other:
        context, page = open_admin(browser, other)
        page.wait_for_function("window.__csp.length > 0", timeout=30_000)
        page.wait_for_timeout(1500)          # the rest of what it tries before it gives up
        found = set(page.evaluate("window.__csp"))
        context.close()
    return {v.replace(other, "SITE") for v in found}


def test_the_strict_policy_blocks_decap_by_exactly_what_the_admin_policy_adds(browser, cms, tmp_path):
    port = cms[3]
    assert violations_under(browser, cms, STRICT, tmp_path / "1") == {
        "script-src eval", "style-src-elem inline"}                  # it stops at loading its config
    past_config = STRICT.replace("script-src 'self'", "script-src 'self' 'unsafe-eval'") \
                        .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    assert violations_under(browser, cms, past_config, tmp_path / "2") == {
        f"connect-src http://localhost:{port}/api/v1"}               # then reaches for decap-server
    assert past_config.replace("connect-src 'self'", "connect-src 'self' http://localhost:*") == ADMIN


# --- an editor's day ----------------------------------------------------------------------------------

def test_chinese_ui_collection_view_at_both_widths(browser, cms):
    url = cms[0]
    for width in (1280, 375):
        context, page = open_admin(browser, url, width)
        page.get_by_role("button", name="登录").wait_for()      # the Chinese UI: 登录, not "Login"
        log_in(page)
        page.goto(url + "/admin/#/collections/lists")
        page.get_by_text("2021-2 · 潍坊市“我为群众办实事”重点民生项目清单（第二批）").wait_for()
        page.get_by_text("2024 · **市2024年实施50项民生实事落实方案").wait_for()
        page.goto(url + "/admin/#/collections/items-weifang-2021-2")
        page.get_by_text("1. 高质量实施课后延时服务").wait_for()
        for label in ("清单", "部门登记表", "潍坊市 2021 第2批（weifang-2021-2）"):
            assert page.get_by_text(label, exact=True).count() >= 1, label
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"collection-{width}.png")
        assert errors(page) == []
        context.close()


def test_add_a_department_a_list_and_an_item_then_check_and_build(browser, cms):
    url, repo, _, _ = cms
    context, page = open_admin(browser, url)
    log_in(page)

    # A department the registry did not know yet.
    page.goto(url + "/admin/#/collections/departments")
    page.get_by_text("潍坊市", exact=True).click()
    page.get_by_role("button", name="新增部门").click()
    page.locator("input[id^=slug-field]").last.fill("ceshiju")
    page.locator("input[id^=name-field]").last.fill("市测试局")
    publish(page)
    registry = yaml.safe_load((repo / "registry" / "departments" / "shandong-weifang.yaml").read_text("utf-8"))
    assert registry["departments"][-1] == {"slug": "ceshiju", "name": "市测试局"}
    assert registry["departments"][0]["aliases"] == ["市教育局(市委教育工委)"]      # the rest as it was

    # A new list.
    page.goto(url + "/admin/#/collections/lists/new")
    page.locator("[id^=jurisdiction-field]").first.click()
    page.keyboard.type("weifang")
    page.keyboard.press("Enter")
    page.get_by_label("年份（year）").fill("2022")
    page.get_by_label("标题（title）").fill("潍坊市2022年重点民生实事项目")
    page.get_by_label("发布者（publisher）").fill("潍坊市人民政府")
    page.get_by_label("原文文件（source）").fill("sources/000_44e6d33da3c9bb8f.txt")
    publish(page)
    (new_list,) = [p for p in (repo / "content").glob("*2022*/_list.yaml")]
    assert new_list.parent.name == "shandong-weifang-2022"
    assert yaml.safe_load(new_list.read_text("utf-8"))["jurisdiction"] == "shandong/weifang"

    # An item in an existing list, in the item editor.
    page.goto(url + "/admin/#/collections/items-weifang-2021-2/new")
    page.get_by_label("序号（number）").fill("23")
    page.get_by_label("标题（title）").fill("新增的测试事项")
    page.get_by_label("完成时限（deadline）").fill("2021年12月底")
    page.screenshot(path=SCREENSHOTS / "item-editor-1280.png")
    page.get_by_role("button", name="新增牵头部门（lead）").click()
    page.locator("[id^=lead-field] input, input[id^=name-field]").last.fill("市测试局")
    for _ in range(2):
        page.get_by_role("button", name="新增原文行号（source_lines）").click()
    page.locator("input[id^=line-field]").nth(0).fill("7")
    page.locator("input[id^=line-field]").nth(1).fill("13")
    page.get_by_label("正文").fill("照原文写的事项内容，****隐去的字照原样。")
    page.get_by_role("button", name="新增进展", exact=True).click()
    page.locator("input[id^=date-field]").last.fill("2021-12-31")
    page.locator("[id^=status-field]").last.click()
    page.keyboard.type("已完成")
    page.keyboard.press("Enter")
    page.locator("input[id^=path-field]").last.fill("sources/000_44e6d33da3c9bb8f.txt")
    for _ in range(2):
        page.get_by_role("button", name="新增起止行号（lines）").click()
    page.locator("input[id^=line-field]").nth(2).fill("7")
    page.locator("input[id^=line-field]").nth(3).fill("8")
    publish(page)
    assert errors(page) == []
    context.close()

    item = (repo / "content" / "weifang-2021-2" / "23.md").read_text(encoding="utf-8")
    front, body = item.split("---\n")[1:]
    written = yaml.safe_load(front)
    assert written == {"number": 23, "title": "新增的测试事项", "deadline": "2021年12月底", "lead": ["市测试局"],
                       "source_lines": [7, 13],
                       "progress": [{"date": written["progress"][0]["date"], "status": "已完成",
                                     "source": {"path": "sources/000_44e6d33da3c9bb8f.txt", "lines": [7, 8]}}]}
    assert str(written["progress"][0]["date"]) == "2021-12-31"
    assert body.strip() == "照原文写的事项内容，****隐去的字照原样。"

    check = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--content", str(repo / "content")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip().endswith("0 个错误，0 个警告，通过"), check.stdout   # 市测试局 is known now
    build = subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", str(repo / "content"),
                            "--out", str(repo.parent / "rebuilt"), "--no-index"], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    page_html = (repo.parent / "rebuilt" / "shandong" / "weifang" / "2021-2" / "23" / "index.html").read_text("utf-8")
    assert "新增的测试事项" in page_html and "市测试局" in page_html
    assert (repo.parent / "rebuilt" / "shandong" / "weifang" / "2022" / "index.html").is_file()
