"""The search page as a reader uses it: ?q= from the URL, count, highlighted excerpts, ranking,
filters in the URL with Back, zero results with suggestions, a 375 px phone, no foreign requests."""
from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed")
# Predicates are functions, not strings: the site's CSP forbids eval, which string predicates use.
DONE = "() => /^(共|没有)/.test(document.querySelector('#search-status').textContent)"


@pytest.fixture(scope="module")
def site(built_site, site_url):
    """The real site (conftest builds it once), served with Netlify's headers; Chromium is conftest's."""
    return built_site, site_url


def _open(browser, base, query, width=1280):
    page = browser.new_page(viewport={"width": width, "height": 900})
    foreign = []
    page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(base) else None)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/search/{query}")
    page.wait_for_function(DONE)
    return page, foreign, errors


def test_results_count_marks_and_rank(site, browser):
    _, base = site
    page, foreign, errors = _open(browser, base, "?q=" + quote("养老 补贴"))
    status = page.inner_text("#search-status")
    n = len(page.evaluate("archiveSearch('养老 补贴')"))
    assert status.startswith(f"共 {n} 个项目")
    assert page.locator("#search-results mark").count() >= 2
    assert page.get_attribute("#search-status", "aria-live") == "polite"
    # term in the title ranks first
    first = page.inner_text("#search-results li:first-child h3")
    assert "养老" in first or "补贴" in first
    assert not foreign and not errors


def test_filters_live_in_url_and_back_works(site, browser):
    _, base = site
    page, foreign, _ = _open(browser, base, "?q=" + quote("医保"))
    total = page.inner_text("#search-status")
    assert page.locator("#facet-y").count() == 0      # filters cost every result's columns: only on request
    page.click("#search-filters .open-filters")
    page.wait_for_selector("#facet-y")
    page.select_option("#facet-y", index=1)
    page.wait_for_function("() => location.search.includes('y=')")
    page.wait_for_function(DONE)
    assert "筛选后" in page.inner_text("#search-status")
    linked, _, _ = _open(browser, base, page.evaluate("location.search"))   # a filtered link opens filtered
    assert "筛选后" in linked.inner_text("#search-status") and linked.locator("#facet-y").count() == 1
    page.go_back()
    page.wait_for_function("() => !location.search.includes('y=')")
    page.wait_for_timeout(200)
    assert page.inner_text("#search-status") == total
    assert not foreign


def test_zero_results_say_so_and_suggest(site, browser):
    _, base = site
    page, _, _ = _open(browser, base, "?q=" + quote("养老院 补贴"))
    assert page.inner_text("#search-status").startswith("没有找到")
    assert page.locator("#search-hint a[href*='q=']").count() >= 1
    page2, _, _ = _open(browser, base, "?q=" + quote("地铁"))
    assert page2.evaluate("archiveSearch('地铁')") == []


def test_phone_width_and_no_js_notice(site, browser):
    out, base = site
    page, _, _ = _open(browser, base, "?q=" + quote("医疗"), width=375)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    html = (out / "search" / "index.html").read_text(encoding="utf-8")
    assert "搜索需要浏览器启用 JavaScript" in html
    assert "<script>" not in html and " style=" not in html      # CSP: no inline script or style
