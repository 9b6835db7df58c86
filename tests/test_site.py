"""The built site of the real content, as files: links, counts, HTML validity, titles, determinism."""
from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import html5lib
import pytest

from archive.commands.build import build_site
from archive.progress import CHINA
from archive.registry import load_registry
from archive.validate import build_archive
from conftest import AS_OF, ROOT, build_real_site


class Scan(HTMLParser):
    """Links, ids, and the head facts of one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.ids = [], set()
        self.lang = self.description = None
        self.title, self._in_title = "", False
        self.pagefind_body = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if a.get(key) is not None:
                self.links.append(a[key])
        if tag == "form" and a.get("action"):
            self.links.append(a["action"])
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "meta" and a.get("name") == "description":
            self.description = a.get("content")
        if tag == "title":
            self._in_title = True
        if "data-pagefind-body" in a:
            self.pagefind_body += 1

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


@pytest.fixture(scope="session")
def scanned(built_site) -> dict[str, Scan]:
    pages = {}
    for path in sorted(built_site.rglob("*.html")):
        scan = Scan()
        scan.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(built_site).as_posix()] = scan
    return pages


@pytest.fixture(scope="session")
def records(built_site) -> list[dict]:
    return json.loads((built_site / "data" / "items.json").read_text(encoding="utf-8"))


def target_file(site: Path, page: str, link: str) -> tuple[Path, str] | None:
    """The file an internal link points at (None for other origins), and its fragment."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return None
    path = unquote(parts.path)
    if not path:
        return site / page, parts.fragment
    base = "/" + page.rsplit("/", 1)[0] + "/" if "/" in page else "/"
    absolute = path if path.startswith("/") else base + path
    file = site / absolute.lstrip("/")
    if absolute.endswith("/"):
        file = file / "index.html"
    return file, parts.fragment


def test_every_internal_link_and_asset_resolves(built_site, scanned):
    broken = []
    for page, scan in scanned.items():
        for link in scan.links:
            target = target_file(built_site, page, link)
            if target is None:
                continue
            file, fragment = target
            rel = file.relative_to(built_site).as_posix() if file.is_relative_to(built_site) else str(file)
            if not file.is_file():
                broken.append(f"{page}: {link}")
            elif fragment and rel in scanned and fragment not in scanned[rel].ids:
                broken.append(f"{page}: {link} (no id {fragment})")
    assert broken == []


def test_css_references_resolve(built_site):
    for css in built_site.glob("static/**/*.css"):
        for url in re.findall(r"url\(['\"]?([^'\")]+)", css.read_text(encoding="utf-8")):
            if not url.startswith("data:"):
                assert (css.parent / url).resolve().is_file() or (built_site / url.lstrip("/")).is_file(), url


def test_page_counts_match_items_json(built_site, scanned, records):
    item_pages = [p for p, s in scanned.items() if s.pagefind_body]
    assert len(item_pages) == len(records)
    assert sorted("/" + p.removesuffix("index.html") for p in item_pages) == sorted(r["url"] for r in records)
    assert all(s.pagefind_body == 1 for s in scanned.values() if s.pagefind_body)

    list_urls = {r["url"].rsplit("/", 2)[0] + "/" for r in records}
    list_pages = {"/" + p.removesuffix("index.html") for p in scanned
                  if re.fullmatch(r"(?!nian/)[a-z/-]+/\d{4}(-\d+)?/index\.html", p)}
    assert list_pages == list_urls

    jurisdictions = set()
    for r in records:
        parts = r["jurisdiction"].split("/")
        jurisdictions |= {"/".join(parts[:n]) for n in range(1, len(parts) + 1)}
    for path in jurisdictions:
        assert f"{path}/index.html" in scanned
    registry, _ = load_registry(ROOT / "registry", ROOT)
    jurisdiction_pages = {p.removesuffix("/index.html") for p in scanned if p.removesuffix("/index.html")
                          in registry.jurisdictions}
    assert jurisdiction_pages == jurisdictions

    departments = set()
    for r in records:
        for name in r["lead_as_printed"] + r["partners_as_printed"]:
            if not registry.is_generic(name) and (d := registry.resolve(r["jurisdiction"], name)):
                departments.add(d.url)
    department_pages = {"/" + p.removesuffix("index.html") for p in scanned
                        if re.fullmatch(r".+/bumen/[^/]+/index\.html", p)}
    assert department_pages == departments


def test_every_page_is_valid_html5_with_lang_title_and_description(built_site, scanned):
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    for page, scan in scanned.items():
        try:
            parser.parse((built_site / page).read_bytes())
        except html5lib.html5parser.ParseError as error:
            pytest.fail(f"{page}: {error}")
        assert scan.lang == "zh-CN", page
        assert scan.title.strip(), page
        assert scan.description and scan.description.strip(), page


def test_titles_are_unique(scanned):
    counts = Counter(s.title for s in scanned.values())
    assert [t for t, n in counts.items() if n > 1] == []


def test_no_inline_scripts_or_styles(built_site):
    for path in built_site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert " style=" not in html and "<style" not in html, path


def test_assets_are_fingerprinted(built_site):
    names = [p.name for p in (built_site / "static").iterdir() if p.is_file()]
    assert names and all(re.fullmatch(r"[\w-]+\.[0-9a-f]{10}\.\w+", n) for n in names), names


def test_sitemap_robots_and_404(built_site, scanned):
    sitemap = (built_site / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    paths = {urlsplit(loc).path for loc in locs}
    assert len(locs) == len(paths)
    assert paths == {"/" + p.removesuffix("index.html") for p in scanned
                     if p.endswith("index.html") and not p.startswith("admin/")}     # /admin/ is noindex
    assert "Sitemap: " in (built_site / "robots.txt").read_text(encoding="utf-8")
    assert "找不到" in (built_site / "404.html").read_text(encoding="utf-8")


def site_files(site: Path) -> dict[Path, bytes]:
    return {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_two_builds_with_the_same_as_of_date_are_byte_identical(built_site, tmp_path, monkeypatch):
    # The second build takes its as-of date from SOURCE_DATE_EPOCH (noon of AS_OF in China), as a CI would.
    noon = dt.datetime(AS_OF.year, AS_OF.month, AS_OF.day, 12, tzinfo=CHINA)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(noon.timestamp())))
    archive, _ = build_archive(ROOT, ROOT / "content")
    assert archive.as_of == AS_OF
    build_site(archive, ROOT, tmp_path / "site")
    first, second = site_files(built_site), site_files(tmp_path / "site")
    assert first.keys() == second.keys()
    assert [str(p) for p in first if first[p] != second[p]] == []


def test_another_as_of_date_changes_only_what_depends_on_it(built_site, tmp_path):
    earlier = build_real_site(tmp_path / "site", index=False, as_of=dt.date(2021, 6, 30))
    records = json.loads((earlier / "data" / "items.json").read_text(encoding="utf-8"))
    assert not any(r["overdue"] for r in records)     # no 2021 deadline had passed by mid-2021
    assert '状态截至 <time datetime="2021-06-30">' in (earlier / "shandong/weifang/2021-2/index.html").read_text(encoding="utf-8")


def test_items_json_is_streamed_exactly_as_the_open_data_contract_dumps_it(built_site, tmp_path):
    from archive.opendata import dumps, items_json, items_json_chunks, items_json_part
    from archive.validate import build_archive
    archive, _ = build_archive(ROOT, ROOT / "content", as_of=AS_OF)
    assert (built_site / "data" / "items.json").read_bytes() == dumps(items_json(archive)).encode()
    by_list = items_json_chunks(items_json_part(lst.items) for lst in archive.lists if lst.items)
    assert b"".join(by_list) == dumps(items_json(archive)).encode()
    assert b"".join(items_json_chunks([])) == dumps([]).encode()


def test_large_sites_get_a_sitemap_index():
    from archive.sitemaps import SITEMAP_LIMIT, sitemaps
    urls = [f"/a/{n}/" for n in range(2 * SITEMAP_LIMIT + 1)]
    files = sitemaps("https://example.org", urls)
    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    assert files["sitemap.xml"].count(b"<sitemap>") == 3
    assert [files[f"sitemap-{n}.xml"].count(b"<url>") for n in (1, 2, 3)] == [SITEMAP_LIMIT, SITEMAP_LIMIT, 1]
    assert list(sitemaps("https://example.org", urls[:3])) == ["sitemap.xml"]
