"""Shared fixtures: the real content built once per session, served with Netlify's headers, and Chromium."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))     # tests import contentfixture, serve_netlify

from archive.commands.build import build_site   # noqa: E402
from archive.validate import build_archive      # noqa: E402

AS_OF = dt.date(2025, 6, 30)     # statuses of the real content hold as of this date in every test build
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


def build_real_site(out: Path, index: bool = True, as_of: dt.date = AS_OF) -> Path:
    archive, problems = build_archive(ROOT, ROOT / "content", as_of=as_of)
    errors = [p.format() for p in problems if p.is_error]
    assert not errors, "\n".join(errors)
    build_site(archive, ROOT, out, index=index)
    return out


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The site built from the project's own content, search index included."""
    return build_real_site(tmp_path_factory.mktemp("built") / "site")


@pytest.fixture(scope="session")
def site_url(built_site):
    from serve_netlify import serving
    with serving(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
