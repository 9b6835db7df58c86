"""Every department name and alias in the registry, searched on the real search page, offers
that department above the results (with its page's link); results stay exact."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed")


@pytest.fixture(scope="module")
def served(site_url):
    """The real site (conftest builds it once) and the archive it was built from."""
    from archive.validate import build_archive
    archive, _ = build_archive(ROOT, ROOT / "content")
    return archive, site_url


@pytest.fixture(scope="module")
def page(served, browser):
    pg = browser.new_page()
    external = []
    pg.on("request", lambda r: external.append(r.url) if not r.url.startswith(served[1]) else None)
    yield pg
    pg.close()
    assert not external, f"requests left the origin: {external[:5]}"


def test_every_name_and_alias_offers_its_department(served, page):
    archive, base = served
    missing = []
    for dept in archive.departments.values():
        for name in (dept.name, *dept.aliases):
            page.goto(f"{base}/search/?q={name}")
            page.wait_for_function("() => document.querySelector('#search-status').textContent.startsWith('共')"
                                   " || document.querySelector('#search-status').textContent.startsWith('没有')")
            hrefs = page.eval_on_selector_all("#search-names a", "as => as.map(a => a.getAttribute('href'))")
            if dept.url not in hrefs:
                missing.append((name, dept.url, hrefs))
    assert not missing, missing[:10]


def test_department_panel_does_not_change_results(served, page):
    """The panel is extra: the result list is still exactly the items whose text contains the query."""
    _, base = served
    page.goto(f"{base}/search/?q=市卫健委")
    page.wait_for_function("() => window.archiveSearch")
    urls = page.evaluate("window.archiveSearch('市卫健委')")
    assert urls and all(u.count("/") >= 4 for u in urls)
    assert page.locator("#search-names a").count() >= 1
