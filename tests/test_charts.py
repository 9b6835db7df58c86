"""Charts and statistics: bar geometry, top-15-and-其他, the counts per page, and the SVG the real site gets."""
from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from test_pages import TOPICS, small_archive

from archive.model import DeptRef, Item
from archive.pages import Site
from archive.pages.charts import WIDTH, Bar, bar_chart, fit, text_width, top_bars
from archive.pages.stats import NO_CATEGORY, NO_DEADLINE, NO_DATE, NO_LEAD, archive_stats, item_charts, lead_chart, quarter_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_bars_are_proportional_and_the_longest_leaves_room_for_its_value():
    chart = bar_chart("k", "t", "d", [Bar("甲", 40), Bar("乙", 10), Bar("丙", 0)])
    widths = [r["bar_w"] for r in chart["rows"]]
    assert widths[2] == 0 and abs(widths[0] - 4 * widths[1]) <= 2
    assert chart["rows"][0]["value_x"] + text_width("40") <= WIDTH
    assert [r["share"] for r in chart["rows"]] == ["80.0%", "20.0%", "0.0%"]
    assert chart["height"] > chart["rows"][-1]["bar_y"]
    assert chart == bar_chart("k", "t", "d", [Bar("甲", 40), Bar("乙", 10), Bar("丙", 0)])


def test_long_labels_are_cut_to_fit_and_kept_whole_for_the_table():
    label = "市住房和城乡建设局(市人民防空办公室)" * 3
    short = fit(label, WIDTH)
    assert short.endswith("…") and text_width(short) <= WIDTH and label.startswith(short[:-1])
    row = bar_chart("k", "t", "d", [Bar(label, 1)])["rows"][0]
    assert row["label"] == label and row["short"] == short
    assert fit("市教育局", WIDTH) == "市教育局"


def test_top_bars_keeps_fifteen_then_one_grey_bar_for_the_rest_and_buckets_last():
    counts = {f"部门{n:02d}": 100 - n for n in range(20)} | {"原文未写": 7}
    bars = top_bars(counts, 15, buckets=("原文未写",))
    assert [b.label for b in bars[:15]] == [f"部门{n:02d}" for n in range(15)]
    assert bars[15] == Bar("其他（5个）", sum(100 - n for n in range(15, 20)), other=True)
    assert bars[16] == Bar("原文未写", 7, other=True)
    tied = top_bars({"乙": 1, "甲": 1, "丙": 2}, 15)
    assert [b.label for b in tied] == ["丙", "乙", "甲"]      # ties by label: the same bytes every build


def test_counts_on_a_small_archive(tmp_path):
    archive = small_archive(tmp_path)
    site = Site(archive, TOPICS, tmp_path)
    items = site.items
    quarters = {r["label"]: r["value"] for r in quarter_chart(items)["rows"]}
    assert quarters == {"2021年第4季度": 1, NO_DEADLINE: 2}
    leads = {r["label"]: (r["value"], r["url"]) for r in lead_chart(items, qualify=True)["rows"]}
    assert leads == {"潍坊市·市教育局": (1, "/shandong/weifang/bumen/jiaoyuju/"),
                     "潍坊市·市财政局": (1, "/shandong/weifang/bumen/caizhengju/"), NO_LEAD: (1, "")}
    charts = {c["key"]: c for c in item_charts(site, archive.lists[0].items)}
    categories = {r["label"]: r["value"] for r in charts["fenlei"]["rows"]}
    assert categories == {"教育": 1, NO_CATEGORY: 1}
    assert "qiantou" in charts and "shixian" in charts
    # A list whose single item has no category, lead or deadline: every chart would be one bar, so none.
    assert item_charts(site, archive.lists[1].items) == []


def test_a_deadline_without_a_date_is_never_put_in_a_quarter(tmp_path):
    archive = small_archive(tmp_path)
    lst = archive.lists[0]
    item = Item(lst, 9, "长期项目", "", "", "长期坚持", None, [DeptRef("市某局", None)], [], (1, 1))
    rows = {r["label"]: r["value"] for r in quarter_chart([item, *lst.items])["rows"]}
    assert rows == {"2021年第4季度": 1, NO_DATE: 1, NO_DEADLINE: 1}


def test_archive_statistics_add_up(tmp_path):
    archive = small_archive(tmp_path)
    stats = archive_stats(Site(archive, TOPICS, tmp_path))
    assert stats["years"] == [2021, 2024]
    assert [(r["label"], r["value"]) for r in stats["year_chart"]["rows"]] == [("2021年", 2), ("2024年", 1)]
    assert {r["label"]: r["value"] for r in stats["province_chart"]["rows"]} == {"山东省": 2, "安徽省": 1}
    places = {r["name"]: r["cells"] for r in stats["places"]}
    assert places["山东省"] == [2, 0] and places["安徽省某市（市名隐去）"] == [0, 1]
    assert [(r["name"], r["cells"]) for r in stats["topics"]] == [("养老", [1, 0]), ("教育", [1, 0])]
    assert [r["label"] for r in stats["lead_chart"]["rows"]] == ["潍坊市·市财政局", "潍坊市·市教育局"]


def charts_in(html: str) -> list[tuple[ET.Element, str]]:
    """Each chart's SVG, parsed, with the HTML of the table beside it."""
    found = []
    for m in re.finditer(r'(<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" .*?</svg>)\s*<details>(.*?)</details>', html, re.S):
        found.append((ET.fromstring(m.group(1)), m.group(2)))
    return found


def test_real_site_charts_are_accessible_styleless_svg_with_the_same_numbers_as_their_tables(built_site: Path):
    pages = [built_site / p for p in ("shandong/linyi/2021/index.html", "shandong/index.html", "tongji/index.html",
                                      "nian/2021/index.html", "fenlei/yanglao/index.html",
                                      "fenlei/jiaoyu/index.html")]
    pages += sorted(built_site.glob("shandong/weifang/bumen/*/index.html"))
    seen = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for svg, table in charts_in(html):
            seen += 1
            assert svg.get("role") == "img"
            ids = svg.get("aria-labelledby").split()
            assert [e.get("id") for e in svg if e.tag in (SVG + "title", SVG + "desc")] == ids
            assert all(f'id="{i}"' in html for i in ids) and all(html.count(f'id="{i}"') == 1 for i in ids)
            for element in svg.iter():
                assert "style" not in element.attrib and element.tag != SVG + "style", page
            texts = [t.text for t in svg.iter(SVG + "text")]
            values = [int(v) for v in texts[1::2]]
            table_values = [int(v) for v in re.findall(r'<td class="num">(\d+)</td>', table)]
            assert values == table_values, page
            desc = svg.find(SVG + "desc").text
            assert all(f"{v}项" in desc for v in values)
    assert seen >= 8


def test_status_counts_in_registry_order_with_no_report_last_and_grey(tmp_path):
    from archive.model import Progress
    from archive.pages.charts import OTHER_FILL
    from archive.pages.stats import status_chart
    archive = small_archive(tmp_path)
    site = Site(archive, TOPICS, tmp_path)
    first, second = archive.lists[0].items
    first.progress = [Progress(dt.date(2021, 6, 30), "推进中"), Progress(dt.date(2021, 12, 31), "已完成")]
    second.progress = [Progress(dt.date(2021, 6, 30), "滞后")]
    rows = status_chart(site, site.items)["rows"]
    assert [(r["label"], r["value"]) for r in rows] == [("已完成", 1), ("滞后", 1), ("未见通报", 1)]
    assert rows[-1]["fill"] == OTHER_FILL and rows[0]["fill"] != OTHER_FILL
    assert "zhuangtai" in {c["key"] for c in item_charts(site, site.items)}
