"""Accessibility in the browser: axe-core on every page type at 375 and 1280 px, a skip link first on every
page, a visible focus style on everything Tab reaches, and search used with the keyboard alone.

axe-core is pinned in package.json (`npm ci`, which `make test` runs). The site's CSP forbids inline
scripts, so `page.add_script_tag` (an inline <script>) would be blocked; `page.evaluate(source)` runs
axe through the DevTools protocol instead, which CSP does not govern, so the page is checked under the
very headers it is served with (no `bypass_csp`).
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

import pytest

from archive.commands.build import TEMPLATES, topics_file
from archive.pages import load_topics, plan
from archive.validate import build_archive
from conftest import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/minsheng-screenshots"))
WIDTHS = [375, 1280]
# Predicates are functions, not strings: the site's CSP forbids eval, which string predicates use.
SEARCH_DONE = "() => /^(共|没有)/.test(document.querySelector('#search-status').textContent)"
# Each page type checked here and the template that renders it. A template the build plans that is not
# named here (a page type added since) is checked too, on its first planned page.
TEMPLATE_OF = {
    "home": "home.html", "province": "jurisdiction.html", "city": "jurisdiction.html",
    "district": "jurisdiction.html", "list": "list.html", "item": "item.html", "redacted item": "item.html",
    "department index": "departments.html", "department": "department.html", "year": "year.html",
    "year index": "years.html", "topic": "topic.html", "topic index": "topics.html", "source": "source.html",
    "search with results": "search.html", "search without results": "search.html", "404": "404.html",
    "data page": "data.html", "overdue": "overdue.html",
}

# What the focused element looks like: a focus style is an outline at least 2 px wide in a colour one can
# see, or a box-shadow; `rect` must lie inside the viewport (the browser scrolls it there).
FOCUS_STATE = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e), r = e.getBoundingClientRect();
  return {tag: e.tagName, id: e.id, cls: String(e.className), href: e.getAttribute("href"),
          text: (e.textContent || e.value || "").trim().slice(0, 30),
          outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2
                   && !/rgba\\(.*, 0\\)$|transparent/.test(s.outlineColor),
          shadow: s.boxShadow !== "none",
          rect: [r.left, r.top, r.right, r.bottom], vw: innerWidth, vh: innerHeight};
}"""


def planned_pages() -> dict[str, str]:
    """url → template of every page the build plans for the real content, planned as build_site does."""
    archive, _ = build_archive(ROOT, ROOT / "content")
    templates = {str(t.relative_to(TEMPLATES)) for t in TEMPLATES.rglob("*.html")}
    pages = plan(archive, load_topics(topics_file(ROOT)), ROOT, templates, lambda: {})   # no context is computed
    return {p.url: p.template for p in pages}


def first_pages(planned: dict[str, str]) -> dict[str, str]:
    """template → the first URL planned with it."""
    first: dict[str, str] = {}
    for url, template in planned.items():
        first.setdefault(template, url)
    return first


def page_paths(site: Path, planned: dict[str, str]) -> dict[str, str]:
    """One real page of each type, found from the open data and the plan so the test follows the content."""
    items = json.loads((site / "data" / "items.json").read_text(encoding="utf-8"))
    district = next(i for i in items if i["district"])
    weifang = next(i for i in items if i["list_id"] == "weifang-2021-2" and i["number"] == 1)
    redacted = next(i for i in items if "redacted" in i["flags"])
    city = f"/{weifang['province']}/{weifang['city']}/"
    paths = {
        "home": "/",
        "province": f"/{weifang['province']}/",
        "city": city,
        "district": f"/{district['jurisdiction']}/",
        "list": weifang["url"].rsplit("/", 2)[0] + "/",
        "item": weifang["url"],
        "redacted item": redacted["url"],
        "department index": city + "bumen/",
        "department": city + "bumen/jiaoyuju/",
        "year": f"/nian/{weifang['year']}/",
        "year index": "/nian/",
        "topic": "/fenlei/yanglao/",
        "topic index": "/fenlei/",
        "source": f"/yuanwen/{Path(weifang['source']).stem}/",
        "search with results": "/search/?q=" + quote("市卫健委"),   # departments named, filters, results
        "search without results": "/search/?q=" + quote("养老院 补贴"),   # with suggestions
        "404": "/no-such-page/",
        "data page": "/data/",
        "overdue": first_pages(planned)["overdue.html"],
    }
    for name, path in paths.items():
        local = site / path.split("?")[0].lstrip("/") / "index.html"
        assert name == "404" or local.is_file(), f"{name}: {path} was not built"
    return paths


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail("axe-core is not installed: run `npm ci` (make test does it)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def planned():
    return planned_pages()


@pytest.fixture(scope="module")
def paths(built_site, planned):
    return page_paths(built_site, planned)


@pytest.fixture
def open_page(browser, site_url):
    contexts = []

    def open_(path: str, width: int):
        context = browser.new_context(viewport={"width": width, "height": 900})
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(site_url + path, wait_until="load")
        if path.startswith("/search/?"):
            page.wait_for_function(SEARCH_DONE)
        page.errors = errors
        return page
    yield open_
    for context in contexts:
        context.close()


def axe_violations(page, source: str, context: str = "document") -> list[str]:
    if page.evaluate("typeof axe === 'undefined'"):
        page.evaluate(source + "\n;0")
    found = page.evaluate(f"""axe.run({context}, {{rules: {{"target-size": {{enabled: true}}}}}}).then(r => r.violations.map(v =>
        `${{v.id}} (${{v.impact}}): ${{v.help}}\\n    ` + v.nodes.map(n => n.target.join(" ")).join("\\n    ")))""")
    return found


def tab_until(page, wanted: str, limit: int = 80) -> list[dict]:
    """Press Tab until the focused element matches the CSS selector `wanted`; every stop on the way."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUS_STATE))
        if page.evaluate("s => document.activeElement.matches(s)", wanted):
            return stops
    raise AssertionError(f"{wanted} not reached in {limit} Tabs: {stops[-5:]}")


def tab_through(page, limit: int = 1500) -> list[dict]:
    """Every tab stop of the page in order, from the top until focus leaves the page."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state is None or (stops and state["cls"] == "skip"):     # left the page, or wrapped round
            return stops
        stops.append(state)
    raise AssertionError(f"Tab never left the page: {stops[-3:]}")


def on_screen(state: dict) -> bool:
    left, top, right, bottom = state["rect"]
    return right > 0 and bottom > 0 and left < state["vw"] and top < state["vh"]


def without_focus_style(stops: list[dict]) -> list[dict]:
    return [s for s in stops if s is None or not ((s["outline"] or s["shadow"]) and on_screen(s))]


def test_each_page_type_is_the_template_it_is_named_for(paths, planned):
    for kind, path in paths.items():
        url = "/404.html" if kind == "404" else path.split("?")[0]
        assert planned[url] == TEMPLATE_OF[kind], f"{kind}: {path}"


# One visit per page and width checks all three, since loading a page and axe is most of the time.
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", TEMPLATE_OF)
def test_page_passes_axe_starts_with_a_skip_link_and_shows_focus(open_page, paths, axe_source, kind, width):
    check_page(open_page(paths[kind], width), axe_source, kind, f"{kind} {paths[kind]} at {width}px", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_page_types_added_since_pass_too(open_page, planned, axe_source, width):
    """The first page of each template the build plans that TEMPLATE_OF does not name yet."""
    unnamed = {t: url for t, url in first_pages(planned).items() if t not in TEMPLATE_OF.values()}
    if not unnamed:
        pytest.skip("every template the build plans has a named page type above")
    for template, url in unnamed.items():
        check_page(open_page(url, width), axe_source, template, f"{url} ({template}) at {width}px", width)


def check_page(page, axe_source: str, kind: str, where: str, width: int) -> None:
    # axe: every rule it runs by default (WCAG 2.0 and 2.1 A and AA, and its best practices), none excluded,
    # plus WCAG 2.2's target-size (2.5.8, tap targets on phones), which axe leaves off unless asked.
    violations = axe_violations(page, axe_source)
    assert not violations, f"{where}, axe:\n" + "\n".join(violations)

    # The skip link: hidden until focused, then the first tab stop, on screen, readable.
    assert page.eval_on_selector(".skip", "e => e.getBoundingClientRect().bottom") <= 0, f"{where}: skip link shows"
    stops = tab_through(page)
    skip = stops[0]
    assert skip["cls"] == "skip" and skip["href"] == "#main", f"{where}: the first Tab reached {skip}"
    page.focus(".skip")             # back to it after the walk (page.focus scrolls as Tab would)
    left, top, right, bottom = skip["rect"]
    assert left >= 0 and top >= 0 and right <= skip["vw"] and bottom <= skip["vh"], f"{where}: skip link {skip}"
    # axe leaves out what is off screen; focused, the skip link is on screen and its contrast is checked.
    assert not axe_violations(page, axe_source, "document.querySelector('.skip')"), f"{where}: skip link"
    if kind in ("home", "search with results"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"skip-{kind.replace(' ', '-')}-{width}.png"))
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main", f"{where}: the skip link does not reach main"
    page.keyboard.press("Tab")      # and the next Tab goes on inside the main content, not back to the header
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)"), where

    # Every element Tab reaches shows that it has the focus.
    assert len(stops) >= 8, f"{where}: only {len(stops)} tab stops"
    bad = without_focus_style(stops)
    assert not bad, f"{where}: focused without a visible focus style: {bad[:5]}"
    assert not page.errors, f"{where}: {page.errors}"


@pytest.mark.parametrize("width", WIDTHS)
def test_search_with_the_keyboard_alone(open_page, width):
    """`/` → type → Enter; Tab to 按…筛选 and press Enter; Tab to a filter and change it with the arrow keys; Tab to 清除筛选 and press
    Enter; Tab through the first 20 results to 再显示 and press Enter; focus lands on the 21st result, and
    Enter opens it. Every element focused on the way shows it."""
    page = open_page("/", width)
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-q"
    page.keyboard.type("建设")               # 69 items: more than one page of results
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    page.wait_for_function(SEARCH_DONE)
    total = page.inner_text("#search-status")
    assert total.startswith("共 ")

    stops = tab_until(page, "#search-filters .open-filters")   # filters load every result's columns: on request
    page.keyboard.press("Enter")
    page.wait_for_selector("#facet-y")
    assert page.evaluate("document.activeElement.id") == "facet-j", "focus moves to the first filter opened"
    stops += tab_until(page, "#facet-y")
    page.keyboard.press("ArrowDown")              # the first year below 全部
    page.wait_for_function("() => location.search.includes('y=')")
    page.wait_for_function(SEARCH_DONE)
    assert "筛选后" in page.inner_text("#search-status")
    assert page.evaluate("document.activeElement.id") == "facet-y", "focus left the filter it changed"
    stops += tab_until(page, "#search-filters .clear")
    page.keyboard.press("Enter")
    page.wait_for_function("() => !location.search.includes('y=')")
    page.wait_for_function(SEARCH_DONE)
    assert page.inner_text("#search-status") == total
    assert page.evaluate("document.activeElement.id") == "facet-j", "focus was lost with the clear button"

    stops += tab_until(page, "#search-more")        # through every result shown
    assert page.locator("#search-results li").count() == 20
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.closest('#search-results li:nth-child(21)')")
    stops.append(page.evaluate(FOCUS_STATE))
    href = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url("**" + href)
    assert page.inner_text("h1")
    bad = without_focus_style(stops)
    assert not bad, f"focused without a visible focus style: {bad[:5]}"
    assert not page.errors
