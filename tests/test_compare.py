"""Topic comparisons: jurisdiction rows × year columns, paginated by whole rows, every item exactly once."""
from __future__ import annotations

from pathlib import Path

from test_pages import TOPICS, planned, small_archive

from archive.model import Item, ItemList
from archive.pages import Site
from archive.pages.compare import Row, comparison, paginate_rows, rows_of, where_index


def fake_rows(sizes: list[int]) -> list[Row]:
    # paginate_rows only counts a row's items, so placeholders stand in for them here.
    return [Row(None, tuple(range(n))) for n in sizes]


def test_pages_hold_whole_rows_within_the_budget():
    rows = fake_rows([40, 50, 30, 200, 10, 10, 95])
    pages = paginate_rows("/fenlei/x/", rows, budget=100)
    chunks = [[len(r.items) for r in chunk] for _, chunk, _ in pages]
    assert chunks == [[40, 50], [30], [200], [10, 10], [95]]
    assert [url for url, _, _ in pages] == ["/fenlei/x/", "/fenlei/x/2/", "/fenlei/x/3/", "/fenlei/x/4/", "/fenlei/x/5/"]
    assert all(sum(c) <= 100 or len(c) == 1 for c in chunks)       # only a row larger than a page stands alone
    assert [r for _, chunk, _ in pages for r in chunk] == rows       # every row once, in order
    first, last = pages[0][2], pages[-1][2]
    assert (first["prev"], first["next"], last["next"], first["total"]) == (None, "/fenlei/x/2/", None, 435)


def test_cells_say_no_list_no_item_on_the_topic_or_which_items(tmp_path):
    archive = small_archive(tmp_path)
    site = Site(archive, TOPICS, tmp_path)
    jiaoyu = TOPICS[1]
    rows = rows_of(site, jiaoyu)
    assert [r.jurisdiction.path for r in rows] == ["shandong/weifang"]
    [row] = comparison(site, rows, [2021, 2024])
    assert row["name"] == "山东省潍坊市" and row["anchor"] == "d-shandong-weifang"
    cell_2021, cell_2024 = row["cells"]
    assert cell_2021["state"] == "items" and cell_2024["state"] == "none"
    assert cell_2021["lists"][0]["items"] == [{"url": "/shandong/weifang/2021-2/01/", "number": 1, "title": "课后延时服务"}]
    # A list that year with nothing on the topic is not the same as no list at all.
    weifang = archive.lists[0].jurisdiction
    later = ItemList("weifang-2024", weifang, 2024, None, "潍坊市2024年清单", "某报", None, "sources/a.txt")
    later.items = [Item(later, 1, "修路", "", "", "", None, [], [], (1, 1))]
    archive.lists.insert(1, later)
    site = Site(archive, TOPICS, tmp_path)
    [row] = comparison(site, rows_of(site, jiaoyu), [2021, 2024])
    assert [c["state"] for c in row["cells"]] == ["items", "empty"]


def test_plan_gives_each_topic_item_one_comparison_cell_and_page_one_an_index(tmp_path):
    pages = [p for p in planned(tmp_path) if p.template == "topic.html"]
    assert [p.url for p in pages] == ["/fenlei/yanglao/", "/fenlei/jiaoyu/"]
    context = pages[1].context()
    assert context["years"] == [2021]
    assert [c["state"] for r in context["rows"] for c in r["cells"]] == ["items"]
    assert context["index"] == []          # one page: nothing to find


def test_where_index_points_at_the_page_and_row(tmp_path):
    site = Site(small_archive(tmp_path), TOPICS, tmp_path)
    rows = rows_of(site, TOPICS[1])
    assert where_index(site, paginate_rows("/fenlei/jiaoyu/", rows)) == [
        {"name": "山东省潍坊市", "url": "/fenlei/jiaoyu/#d-shandong-weifang", "count": 1,
         "page": 1}]


def test_real_topic_pages_list_every_topic_item_once(built_site: Path):
    import re
    from archive.pages import load_topics
    from archive.validate import build_archive
    root = Path(__file__).resolve().parent.parent
    archive, _ = build_archive(root, root / "content")
    site = Site(archive, load_topics(root / "registry" / "topics.yaml"), root)
    for t in site.topics:
        expected = sorted(i.url for i in site.topic_items.get(t.slug, []))
        if not expected:
            continue
        html = (built_site / t.url.strip("/") / "index.html").read_text(encoding="utf-8")
        table = html[html.index('<table class="compare">'):html.index("</table>")]
        assert sorted(re.findall(r'<li><a href="([^"]+)">', table)) == expected, t.slug
