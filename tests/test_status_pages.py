"""Progress on pages (archive/pages/status.py, overdue.py), built from the fixture list with every status:
badges, timelines, counts and bars, the overdue listings and their pagination, report pages, wording."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from archive.commands.build import build_site
from archive.validate import build_archive
from contentfixture import ITEM, make_project, progress_project
from test_site import Scan, target_file

AS_OF = dt.date(2023, 3, 31)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("progress")
    archive, problems = build_archive(root, progress_project(root), as_of=AS_OF)
    assert [p.format() for p in problems] == []
    build_site(archive, root, root / "site", index=False, jobs=1)
    return root / "site"


def page(site: Path, url: str) -> str:
    return (site / url.strip("/") / "index.html").read_text(encoding="utf-8")


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_list_page_counts_by_status_with_a_bar_and_the_overdue_link(site):
    html = page(site, "/shandong/weifang/2022/")
    counts = re.findall(r'<li><span class="swatch st-(\w+)" aria-hidden="true"></span>(\S+) <b>(\d+)</b> 项</li>', html)
    assert counts == [("yiwancheng", "已完成", "2"), ("tuijinzhong", "推进中", "2"), ("zhihou", "滞后", "1"),
                      ("weikaishi", "未开始", "1"), ("yitiaozheng", "已调整", "1"), ("yizhongzhi", "已终止", "1"),
                      ("weijiantongbao", "未见通报", "2")]
    bar = re.findall(r'<rect class="st-(\w+)" x="(\d+)" y="0" width="(\d+)"', html)
    assert [(int(x), int(w)) for _, x, w in bar] == [(0, 200), (200, 200), (400, 100), (500, 100), (600, 100),
                                                      (700, 100), (800, 200)]
    assert '<a href="/shandong/weifang/yuqi/#weifang-2022">4 项期限已过、未见完成通报</a>' in html
    assert '状态截至 <time datetime="2023-03-31">2023-03-31</time>' in html
    assert html.count('class="badge st-') == 8          # rows with a report; 未见通报 rows stay plain


def test_item_with_a_long_timeline(site):
    html = page(site, "/shandong/weifang/2022/02/")
    assert re.search(r'<h1>.*<span data-pagefind-ignore><span class="badge st-zhihou">滞后</span></span></h1>', html)
    assert "期限已过，最近通报：滞后（2022-12-31）。" in text(html)
    dates = re.findall(r'<p class="when"><time datetime="([\d-]+)">', html)
    assert dates == ["2022-12-31", "2022-10-31", "2022-09-30", "2022-06-30", "2022-03-31"]     # newest first
    assert re.findall(r'<rect class="pct-fill" x="0" y="0" width="(\d+)"', html) == ["80", "50", "27"]
    assert '<a href="/yuanwen/fixture-jindu-2022-06/#L5-L5">fixture-jindu-2022-06.txt 第 5 行</a>' in html
    assert 'href="https://example.org/weifang/2022-q3.html" rel="nofollow"' in html
    assert "通报原话：“未按期完成”" in html


def test_items_without_a_report_or_with_an_outcome_have_no_overdue_line(site):
    ongoing = text(page(site, "/shandong/weifang/2022/07/"))       # 长期坚持: no date, never overdue
    assert "本档案未收录这一项的进展通报" in ongoing and "期限已过" not in ongoing
    assert "期限已过" not in text(page(site, "/shandong/weifang/2022/10/"))    # 已终止
    assert "期限已过" not in text(page(site, "/shandong/weifang/2022/01/"))    # 已完成, though late


def test_overdue_listings_group_by_list_and_say_what_was_reported(site):
    for url in ("/yuqi/", "/shandong/yuqi/", "/shandong/weifang/yuqi/"):
        html = page(site, url)
        assert '<section class="group" id="weifang-2022">' in html
        rows = re.findall(r'<td class="reported">(.+?)</td>', html)
        assert rows == ["逾期，最近通报：滞后（2022-12-31）", "逾期，最近通报：推进中（2022-06-30）",
                        "逾期，最近通报：推进中（2022-06-30）", "逾期，最近通报：未开始（2022-06-30）"]
        assert '状态截至 <time datetime="2023-03-31">' in html
    records = json.loads((site / "data" / "items.json").read_text(encoding="utf-8"))
    assert sorted(r["number"] for r in records if r["overdue"]) == [2, 3, 5, 6]


def test_report_kept_in_sources_has_a_page_marking_each_item(site):
    html = page(site, "/yuanwen/fixture-jindu-2022-10/")
    assert "进展通报原文" in html
    assert re.findall(r'<div class="mark" id="(L\d+-L\d+)"><a href="([^"]+)">', html) == [
        ("L4-L4", "/shandong/weifang/2022/01/"), ("L5-L5", "/shandong/weifang/2022/02/"),
        ("L6-L6", "/shandong/weifang/2022/09/"), ("L7-L7", "/shandong/weifang/2022/10/")]


def test_every_link_resolves_and_every_page_with_a_status_says_as_of_when(site):
    broken, undated = [], []
    for path in site.rglob("*.html"):
        rel = path.relative_to(site).as_posix()
        html = path.read_text(encoding="utf-8")
        scan = Scan()
        scan.feed(html)
        for link in scan.links:
            target = target_file(site, rel, link)
            if target and not target[0].is_file():
                broken.append(f"{rel}: {link}")
            elif target and target[1]:
                anchors = re.findall(r'id="([^"]+)"', target[0].read_text(encoding="utf-8"))
                if target[1] not in anchors:
                    broken.append(f"{rel}: {link}")
        shows = ('class="statusbar"', 'class="badge st-', "期限已过", 'class="progress"', "各完成状态的项目数")
        if any(s in html for s in shows) and "状态截至" not in html:
            undated.append(rel)
    assert broken == [] and undated == []
    assert (site / "shandong/weifang/index.html").read_text(encoding="utf-8").count('class="statusbar"') == 1


def test_the_overdue_listing_is_paginated_and_links_land_on_the_right_page(tmp_path):
    items = {f"{n:03d}.md": ITEM.format(number=n) for n in range(1, 121)}
    content = make_project(tmp_path, items)
    later = content / "weifang-2022"
    later.mkdir()
    (later / "_list.yaml").write_text((content / "weifang-2021-2" / "_list.yaml").read_text(encoding="utf-8")
                                      .replace("year: 2021", "year: 2022"), encoding="utf-8")
    (later / "01.md").write_text(ITEM.format(number=1).replace("2021年", "2022年"), encoding="utf-8")
    archive, _ = build_archive(tmp_path, content, as_of=AS_OF)
    build_site(archive, tmp_path, tmp_path / "site", index=False, jobs=1)
    site = tmp_path / "site"
    first, second = page(site, "/shandong/weifang/yuqi/"), page(site, "/shandong/weifang/yuqi/2/")
    assert first.count('<td class="reported">') == 100 and second.count('<td class="reported">') == 21
    assert '<section class="group" id="weifang-2021-2">' in second and '<section class="group" id="weifang-2022">' in second
    assert 'href="/shandong/weifang/yuqi/2/#weifang-2022"' in page(site, "/shandong/weifang/2022-2/")
    assert "逾期，未见通报" in second
    assert "期限已过，本档案未收录完成情况的通报。" in text(page(site, "/shandong/weifang/2022-2/01/"))


def test_status_words_stay_out_of_the_search_text(site):
    from archive.search.text import page_blocks
    searchable = " ".join(page_blocks(page(site, "/shandong/weifang/2022/02/")))
    assert "老旧小区改造" in searchable
    assert not any(word in searchable for word in ("滞后", "状态截至", "通报", "期限已过"))


def test_search_filters_by_status_with_counts_dated(tmp_path_factory, browser):
    from serve_netlify import serving
    root = tmp_path_factory.mktemp("progress-search")
    archive, _ = build_archive(root, progress_project(root), as_of=AS_OF)
    build_site(archive, root, root / "site", index=True, jobs=1)
    with serving(root / "site") as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/search/?q=%E6%94%B9%E9%80%A0")          # 改造
        page.wait_for_function("() => /^共/.test(document.querySelector('#search-status').textContent)")
        page.click("#search-filters .open-filters")              # filters open on request
        page.wait_for_selector("#facet-st")
        assert page.inner_text("label[for=facet-st]") == "状态（截至 2023-03-31）"
        options = page.locator("#facet-st option").all_inner_texts()
        assert sorted(options[1:]) == ["已完成（1）", "已调整（1）", "滞后（1）"]
        page.select_option("#facet-st", "滞后")
        page.wait_for_function("() => location.search.includes('st=')")
        page.wait_for_function("() => /筛选后 1 个/.test(document.querySelector('#search-status').textContent)")
        assert page.locator("#search-results li").count() == 1
        assert "老旧小区改造" in page.inner_text("#search-results li")
