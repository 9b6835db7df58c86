"""Nothing a source or an editor writes becomes markup on a reader's page.

A content tree with markup in every field an editor fills in goes through the whole build (search index
included). The HTML that comes out is parsed (html5lib, as a browser would) and must hold no element,
attribute or URL that content could have put there; the payloads must be on the page as text. Then
Chromium opens the pages, once with netlify.toml's CSP and once with no headers at all (so the markup
itself is proven inert, not merely blocked): no dialog opens and no script from content runs.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import html5lib
import pytest

from archive.commands.build import build_site
from archive.opendata import load_declaration
from archive.render import safe_url
from archive.validate import build_archive
from contentfixture import LIST_YAML, make_project
from serve_netlify import serving

PWN = "window.__pwned=(window.__pwned||0)+1;alert(1)"
TITLE = f"<script>{PWN}</script>课后服务标题"
CATEGORY = f'<img src=x onerror="{PWN}">分类'
DEADLINE = f'<iframe src="javascript:{PWN}"></iframe>2021年12月底'
LEAD = f"<b onmouseover={PWN}>市教育局</b>"
PARTNER = f'"><svg onload="{PWN}">市财政局'
STATUS = "<style>body{display:none}</style>进展"
NOTE = f"</textarea><script>{PWN}</script>说明"
PROGRESS_WORDS = f'<svg onload="{PWN}">按序时推进'
PROGRESS_TEXT = f"<script>{PWN}</script>已开工**所"
BODY = "\n\n".join([
    f"<script>{PWN}</script>正文第一段",
    f'<img src=x onerror="{PWN}">',
    f"[点我](javascript:{PWN})",
    f"[点我也](JaVaScRiPt:{PWN})",
    "![图](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[引用][r]\n\n[r]: javascript:alert(1)",
    f'<iframe srcdoc="<script>{PWN}</script>"></iframe>',
    "<style>*{color:red}</style>",
    f'<a href="javascript:{PWN}">链接</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "{{ 7*7 }} {% raw %} ${7*7}",
    "**隐去** 与 ***",
])
LIST_TITLE = f"<script>{PWN}</script>清单标题"
PUBLISHER = f"<img src=x onerror={PWN}>发布者"

ITEM = f"""\
---
number: 1
title: {json.dumps(TITLE, ensure_ascii=False)}
category: {json.dumps(CATEGORY, ensure_ascii=False)}
deadline: {json.dumps(DEADLINE, ensure_ascii=False)}
lead: [{json.dumps(LEAD, ensure_ascii=False)}]
partners: [{json.dumps(PARTNER, ensure_ascii=False)}, 市发改委]
source_lines: [1, 3]
flags: [uncertain]
note: {json.dumps(NOTE, ensure_ascii=False)}
status: {json.dumps(STATUS, ensure_ascii=False)}
progress:
  - date: 2022-06-30
    status: 推进中
    as_printed: {json.dumps(PROGRESS_WORDS, ensure_ascii=False)}
    text: {json.dumps(PROGRESS_TEXT, ensure_ascii=False)}
    source: {{path: sources/demo.txt, lines: [1, 2]}}
---
{BODY}
"""

# Elements no content may produce; the templates use none of them either.
FORBIDDEN = {"script", "iframe", "frame", "object", "embed", "style", "svg", "math", "base", "form",
             "textarea", "meta", "link", "img", "video", "audio", "source", "template"}
ALLOWED_IN_HEAD = {"meta", "link", "script", "style"}   # only as the templates write them (checked below)
TEMPLATE_SVGS = {"statusbar", "pctbar", "chart"}   # bars drawn from counts by templates/_status.html, _charts.html
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcdoc", "data", "poster", "srcset"}


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("xss")
    list_yaml = (LIST_YAML.replace("潍坊市“我为群众办实事”重点民生项目清单（第二批）", json.dumps(LIST_TITLE, ensure_ascii=False))
                 .replace("大众报业·半岛网", json.dumps(PUBLISHER, ensure_ascii=False))
                 + f"note: {json.dumps(NOTE, ensure_ascii=False)}\n")
    content = make_project(tmp, {"01.md": ITEM}, list_yaml=list_yaml)
    archive, problems = build_archive(tmp, content)
    assert not [p.format() for p in problems if p.is_error]
    build_site(archive, tmp, tmp / "site", index=True, jobs=1)
    return tmp / "site"


def pages(site: Path) -> dict[str, str]:
    """Every page made from content; /admin/ is one fixed page (its one script: tests/test_admin.py)."""
    return {"/" + p.relative_to(site).as_posix().removesuffix("index.html"): p.read_text(encoding="utf-8")
            for p in sorted(site.rglob("*.html")) if p.parent.name != "admin"}


LICENCE = load_declaration()[0]["license"]["path"]


def elements(html: str):
    document = html5lib.parse(html, namespaceHTMLElements=False)
    head = document.find("head")
    head_elements = set(map(id, head.iter())) if head is not None else set()
    for element in document.iter():
        if isinstance(element.tag, str):
            yield element, id(element) in head_elements


def test_no_markup_from_content_in_any_page(xss_site):
    found = []
    for url, html in pages(xss_site).items():
        for element, in_head in elements(html):
            tag = element.tag.split("}")[-1].lower()
            where = f"{url}: <{tag} {dict(element.attrib)}>"
            allowed = ((in_head and tag in ALLOWED_IN_HEAD)
                       or (tag == "script" and element.get("src", "").startswith("/static/"))
                       or (tag == "form" and element.get("action") == "/search/")   # the templates' search box
                       or (tag == "img" and "src" not in element.attrib)           # a neutralised ![x](data:…)
                       or (tag == "svg" and element.get("class") in TEMPLATE_SVGS))
            if tag in FORBIDDEN and not allowed:
                found.append(where)
            if tag == "script" and (element.text or "").strip():
                found.append(f"{where}: inline script")
            feed = (element.get("rel") == "alternate" and element.get("type") == "application/atom+xml"
                    and re.fullmatch(r"/([a-z0-9-]+/)*feed\.xml", element.get("href", "")))
            if (tag == "link" and not element.get("href", "").startswith("/static/")
                    and element.get("rel") != "canonical" and not feed):
                found.append(where)
            for name, value in element.attrib.items():
                name = name.lower() if isinstance(name, str) else str(name)
                if name.startswith("on") or name == "style":
                    found.append(f"{where}: attribute {name}")
                if name in URL_ATTRIBUTES and not safe_url(value):
                    found.append(f"{where}: {name}={value!r}")
            if (tag == "a" and element.get("href", "").startswith(("http://", "https://"))
                    and element.get("href") != LICENCE):                   # the data page's, from registry/
                found.append(f"{where}: a link to another site from content")
    assert found == []


def test_payloads_are_shown_as_text(xss_site):
    item = (xss_site / "shandong/weifang/2021-2/01/index.html").read_text(encoding="utf-8")
    document = html5lib.parse(item, namespaceHTMLElements=False)
    text = "".join(document.find("body").itertext())
    for payload in (TITLE, CATEGORY, DEADLINE, LEAD, PARTNER, STATUS, NOTE, LIST_TITLE.split(">")[0], PROGRESS_WORDS,
                    PROGRESS_TEXT):
        assert payload in text, payload
    assert f"<script>{PWN}</script>正文第一段" in text
    assert "点我" in text and "javascript" not in " ".join(a.get("href", "") for a in document.iter("a"))
    assert "{{ 7*7 }}" in text and "49" not in text.replace("2021", "")


def test_open_data_keeps_the_text_as_written(xss_site):
    (record,) = json.loads((xss_site / "data/items.json").read_text(encoding="utf-8"))
    assert record["title"] == TITLE and record["deadline_text"] == DEADLINE


@pytest.mark.parametrize("headers", ["netlify.toml", "no headers"])
def test_no_dialog_and_no_script_from_content_runs(browser, xss_site, tmp_path, headers):
    config = Path(__file__).resolve().parent.parent / "netlify.toml"
    if headers == "no headers":
        config = tmp_path / "empty.toml"
        config.write_text("", encoding="utf-8")
    urls = [url for url in pages(xss_site) if url != "/404.html"]
    urls.append("/search/?q=" + "课后服务标题")
    dialogs, ran = [], []
    with serving(xss_site, config=config) as base:
        context = browser.new_context()
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.message}"), d.dismiss()))
        for url in urls:
            page.goto(base + url, wait_until="networkidle")
            if "?q=" in url:                        # results are drawn by script from the index
                for _ in range(100):
                    if TITLE in page.inner_text("#search-app"):
                        break
                    page.wait_for_timeout(100)
                assert TITLE in page.inner_text("#search-app"), "the search shows the title as text"
            for selector in ("a", "b", "img", "svg"):          # hover and focus what content might have wired
                for handle in page.query_selector_all(f"main {selector}")[:20]:
                    try:
                        handle.hover(timeout=500)
                    except Exception:
                        pass
            if page.evaluate("window.__pwned"):
                ran.append(url)
        context.close()
    assert dialogs == [] and ran == []
