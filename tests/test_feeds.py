"""Feeds and sharing on the real content: the Atom feeds as a feed reader sees them, their ids across builds
and deploy addresses, the feed links on pages, and canonical and OpenGraph tags on every page."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import feedparser
import pytest

from archive.commands.build import site_config
from archive.feeds import ENTRIES, newest_first
from archive.validate import build_archive
from conftest import ROOT, build_real_site

ATOM = "{http://www.w3.org/2005/Atom}"
TAG = site_config()["feed_id"]


@pytest.fixture(scope="module")
def archive():
    archive, _ = build_archive(ROOT, ROOT / "content")
    return archive


def feed_files(site) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("feed.xml")}


def test_the_site_feed_has_the_dated_lists_newest_first_on_their_own_dates(built_site, archive):
    feed = feedparser.parse((built_site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    dated = newest_first(archive.lists)[:ENTRIES]
    assert dated and len(dated) < len(archive.lists)       # the real content has undated lists: they stay out
    base = site_config()["base_url"]
    assert [e.link for e in feed.entries] == [base + l.url for l in dated]
    assert [e.published[:10] for e in feed.entries] == [l.published.isoformat() for l in dated]
    assert feed.feed.updated[:10] == dated[0].published.isoformat()     # never the build's date
    assert [e.author for e in feed.entries] == [l.publisher for l in dated]
    assert all(e.summary and e.content for e in feed.entries)


def test_every_feed_is_atom_with_what_rfc_4287_requires(built_site):
    for path, data in feed_files(built_site).items():
        parsed = feedparser.parse(data)
        assert not parsed.bozo and parsed.version == "atom10", path
        root = ET.fromstring(data)
        assert root.tag == f"{ATOM}feed"
        for name in ("id", "title", "updated", "author"):
            assert root.find(ATOM + name) is not None, (path, name)
        assert root.find(f"{ATOM}link[@rel='self']").get("href").endswith("/" + path)
        entries = root.findall(ATOM + "entry")
        assert entries, path
        for entry in entries:
            for name in ("id", "title", "updated", "published", "author", "summary", "content"):
                assert entry.find(ATOM + name) is not None, (path, name)
            assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
        ids = [e.find(ATOM + "id").text for e in entries]
        assert len(set(ids)) == len(ids)


def test_each_jurisdiction_with_dated_lists_has_a_feed_of_its_own_and_its_childrens_lists(built_site, archive):
    files = feed_files(built_site)
    expected = {"feed.xml"}
    for path in archive.jurisdictions:
        lists = [l for l in archive.lists if (l.jurisdiction.path + "/").startswith(path + "/")]
        if not newest_first(lists):
            assert not (built_site / path / "feed.xml").exists()
            continue
        expected.add(f"{path}/feed.xml")
        entries = feedparser.parse(files[f"{path}/feed.xml"]).entries
        assert [e.id for e in entries] == [TAG + l.url for l in newest_first(lists)]
    assert set(files) == expected


def test_feed_ids_do_not_change_across_builds_or_deploy_addresses(built_site, tmp_path, monkeypatch):
    monkeypatch.setenv("URL", "https://deploy-preview-7--example.netlify.app")
    preview = build_real_site(tmp_path / "site", index=False)
    first, second = feed_files(built_site), feed_files(preview)
    assert first.keys() == second.keys()
    for path in first:
        ids = [e.id for e in feedparser.parse(first[path]).entries]
        assert ids == [e.id for e in feedparser.parse(second[path]).entries]
        assert all(i.startswith(TAG) for i in ids)
    links = [e.link for e in feedparser.parse(second["feed.xml"]).entries]
    assert all(l.startswith("https://deploy-preview-7--example.netlify.app/") for l in links)
    head = Head.of(preview / "index.html")
    assert head.canonical == "https://deploy-preview-7--example.netlify.app/"


class Head(HTMLParser):
    def __init__(self):
        super().__init__()
        self.canonical, self.meta, self.feeds, self.title = None, {}, [], ""
        self._in_title = False

    @classmethod
    def of(cls, path) -> "Head":
        head = cls()
        head.feed(path.read_text(encoding="utf-8"))
        return head

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("rel") == "canonical":
            assert self.canonical is None, "two canonical links"
            self.canonical = a["href"]
        if tag == "link" and a.get("rel") == "alternate" and a.get("type") == "application/atom+xml":
            self.feeds.append(a["href"])
        if tag == "meta" and a.get("property", "").startswith("og:"):
            self.meta[a["property"]] = a["content"]
        self._in_title = tag == "title"

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag):
        self._in_title = False


def test_every_page_has_its_canonical_address_and_opengraph_tags(built_site):
    base = site_config()["base_url"]
    # /admin/ is the editor, kept out of search engines and shares: no canonical address, no OpenGraph.
    pages = sorted(p for p in built_site.rglob("*.html") if p.parent.name != "admin")
    assert len(pages) > 300
    for path in pages:
        head = Head.of(path)
        rel = path.relative_to(built_site).as_posix()
        if rel == "404.html":
            assert head.canonical is None and "og:url" not in head.meta
        else:
            url = base + "/" + rel.removesuffix("index.html")
            assert head.canonical == url and head.meta["og:url"] == url, rel
        assert head.title.startswith(head.meta["og:title"]), rel
        assert head.meta["og:description"] and head.meta["og:site_name"] and head.meta["og:type"], rel


def test_pages_link_the_feeds_that_exist(built_site, archive):
    assert Head.of(built_site / "index.html").feeds == ["/feed.xml"]
    assert Head.of(built_site / "data" / "index.html").feeds == ["/feed.xml"]
    for lst in archive.lists:
        for page in (lst.url, lst.jurisdiction.url):
            feeds = Head.of(built_site / page.strip("/") / "index.html").feeds
            own = f"/{lst.jurisdiction.path}/feed.xml"
            assert feeds == ([own] if (built_site / own.lstrip("/")).exists() else []), page
    for path in ("shandong", "anhui"):
        assert Head.of(built_site / path / "index.html").feeds == [f"/{path}/feed.xml"]


def test_markup_in_titles_and_publishers_stays_text_in_the_feed(tmp_path):
    from archive.feeds import feeds
    from contentfixture import LIST_YAML, make_project
    payload = '<script>alert(1)</script> & "quoted" ]]>'
    yaml_text = LIST_YAML.replace("title: 潍坊市“我为群众办实事”重点民生项目清单（第二批）", f"title: '{payload}'")
    content = make_project(tmp_path, list_yaml=yaml_text.replace("publisher: 大众报业·半岛网", f"publisher: '{payload}'"))
    archive, problems = build_archive(tmp_path, content)
    assert not [p for p in problems if p.is_error]
    files = feeds(archive, site_config())
    entry = feedparser.parse(files["feed.xml"]).entries[0]
    assert entry.title == payload and entry.author == payload
    assert b"<script>" not in files["feed.xml"]


def test_open_data_may_be_fetched_from_other_sites_and_pages_may_not(site_url):
    import urllib.request
    for path, allowed in (("/data/items.csv", "*"), ("/data/datapackage.json", "*"), ("/data/", "*"), ("/", None)):
        with urllib.request.urlopen(site_url + path) as response:
            assert response.headers.get("Access-Control-Allow-Origin") == allowed, path
    with urllib.request.urlopen(site_url + "/data/items.csv") as response:
        assert response.headers.get_content_type() == "text/csv"
