"""Pages from model objects built here: redactions, department names, URLs, pagination, the body fast path."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given, settings, strategies as st
from markupsafe import escape

from archive.downloads import write_open_data
from archive.model import Archive, Department, DeptRef, Item, ItemList, Jurisdiction
from archive.pages import Topic, TopicMatcher, load_topics, paginate, plan
from archive.render import _MD_SYNTAX, body_html, markdown_html, plain_paragraphs, prepare, redact

ROOT = Path(__file__).resolve().parent.parent


def small_archive(tmp_path: Path) -> Archive:
    (tmp_path / "sources").mkdir(exist_ok=True)
    (tmp_path / "sources" / "a.txt").write_text("标题\n一、课后服务\n内容\n二、养老\n内容\n", encoding="utf-8")
    shandong = Jurisdiction("shandong", "shandong", "山东省", "province", None, "山东省")
    weifang = Jurisdiction("shandong/weifang", "weifang", "潍坊市", "city", "shandong", "潍坊市")
    anhui = Jurisdiction("anhui", "anhui", "安徽省", "province", None, "安徽省")
    unnamed = Jurisdiction("anhui/unnamed", "unnamed", "**市", "city", "anhui", "安徽省某市（市名隐去）")
    jiaoyu = Department("shandong/weifang", "jiaoyuju", "市教育局", ("市教育局(市委教育工委)",))
    caizheng = Department("shandong/weifang", "caizhengju", "市财政局", ())
    unused = Department("shandong/weifang", "gonganju", "市公安局", ())
    lst = ItemList("weifang-2021-2", weifang, 2021, 2, "潍坊市清单（第二批）", "半岛网", dt.date(2021, 7, 30),
                   "sources/a.txt")
    lst.items = [
        Item(lst, 1, "课后延时服务", "教育", "推动**镇课后服务。\n\n第二段", "2021年12月底", dt.date(2021, 12, 31),
             [DeptRef("市教育局(市委教育工委)", jiaoyu)], [DeptRef("市财政局", caizheng), DeptRef("各街道", None, True),
                                                     DeptRef("市某某局", None)], (2, 3), ("redacted",)),
        Item(lst, 2, "养老服务", "", "内容", "", None, [DeptRef("市财政局", caizheng)], [], (4, 5)),
    ]
    other = ItemList("unnamed-2024", unnamed, 2024, None, "**市2024年民生实事", "**市", None, "sources/a.txt")
    other.items = [Item(other, 1, "", "", "残段", "", None, [], [], (1, 1), ("fragment",))]
    return Archive({j.path: j for j in (shandong, weifang, anhui, unnamed)},
                   {d.key: d for d in (jiaoyu, caizheng, unused)}, [lst, other], as_of=dt.date(2022, 12, 31))


TOPICS = [Topic("yanglao", "养老", "", ("养老",)), Topic("jiaoyu", "教育", "", ("教育", "课后"))]
TEMPLATES = {"home.html"}


def planned(tmp_path: Path) -> list:
    archive = small_archive(tmp_path)
    downloads = write_open_data(archive, "https://example.org", lambda path, chunks: sum(map(len, chunks)))
    return plan(archive, TOPICS, tmp_path, TEMPLATES, lambda: downloads)


def test_plan_gives_every_url_once_and_the_documented_url_scheme(tmp_path):
    urls = [p.url for p in planned(tmp_path)]
    assert len(urls) == len(set(urls))
    for url in ["/", "/shandong/", "/shandong/weifang/", "/shandong/weifang/2021-2/", "/shandong/weifang/2021-2/01/",
                "/shandong/weifang/bumen/", "/shandong/weifang/bumen/jiaoyuju/", "/anhui/unnamed/2024/01/",
                "/nian/2021/", "/fenlei/yanglao/", "/fenlei/jiaoyu/", "/yuanwen/a/", "/404.html", "/data/"]:
        assert url in urls
    assert "/shandong/weifang/bumen/gonganju/" not in urls      # in the registry, on no item: nothing to show
    assert "/search/" not in urls                                # no search template, no search page


def test_plan_is_stable(tmp_path):
    first = [p.url for p in planned(tmp_path)]
    second = [p.url for p in planned(tmp_path)]
    assert first == second


def contexts(tmp_path):
    return {p.url: p.context() for p in planned(tmp_path)}


def test_item_context_names_departments_as_printed_and_links_only_real_ones(tmp_path):
    item = contexts(tmp_path)["/shandong/weifang/2021-2/01/"]["item"]
    lead, = item["lead"]
    assert (lead["name"], lead["url"], lead["as_printed"]) == ("市教育局", "/shandong/weifang/bumen/jiaoyuju/",
                                                               "市教育局(市委教育工委)")
    caizheng, generic, unresolved = item["partners"]
    assert caizheng["as_printed"] == "" and caizheng["url"]
    assert generic["url"] is None and generic["generic"]
    assert unresolved["url"] is None and unresolved["name"] == "市某某局" and not unresolved["generic"]
    assert item["source"]["url"] == "/yuanwen/a/#L2-L3"
    assert item["deadline"] == "2021-12-31"
    assert [t["name"] for t in item["topics"]] == ["教育"]


def test_item_neighbours_and_breadcrumb(tmp_path):
    ctx = contexts(tmp_path)
    first, second = ctx["/shandong/weifang/2021-2/01/"], ctx["/shandong/weifang/2021-2/02/"]
    assert first["prev"] is None and first["next"]["url"] == "/shandong/weifang/2021-2/02/"
    assert second["prev"]["url"] == "/shandong/weifang/2021-2/01/" and second["next"] is None
    assert [c["url"] for c in first["crumbs"]] == ["/shandong/", "/shandong/weifang/", "/shandong/weifang/2021-2/"]


def test_department_index_sorted_by_workload(tmp_path):
    rows = contexts(tmp_path)["/shandong/weifang/bumen/"]["departments"]
    assert [(r["name"], r["leads"], r["partners"]) for r in rows] == [("市财政局", 1, 1), ("市教育局", 1, 0)]


def test_a_redacted_city_name_is_not_prefixed_with_its_province_twice(tmp_path):
    ctx = contexts(tmp_path)["/anhui/unnamed/2024/01/"]
    assert "安徽省安徽省" not in ctx["title"]
    assert ctx["item"]["label"] == "（片段，无标题）"
    assert ctx["item"]["flags"][0]["flag"] == "fragment"


def test_source_page_anchors_each_item_range_once(tmp_path):
    ctx = contexts(tmp_path)["/yuanwen/a/"]
    assert [line["n"] for line in ctx["lines"]] == [1, 2, 3, 4, 5]
    anchors = [m["anchor"] for line in ctx["lines"] for m in line["marks"] if m["anchor"]]
    assert anchors == ["L1-L1", "L2-L3", "L4-L5"]


def test_titles_are_unique(tmp_path):
    titles = [c["title"] for c in contexts(tmp_path).values()]
    assert len(titles) == len(set(titles))


def test_redactions_are_spans_with_the_printed_asterisks_never_bold():
    html = str(body_html("新**镇就业，****社区的**建设**"))
    assert "<strong>" not in html and "<em>" not in html
    assert html.count('<span class="redacted" title="原文此处隐去">') == 4
    assert '<span class="redacted" title="原文此处隐去">&#42;&#42;&#42;&#42;</span>' in html
    assert str(redact("**市<b>")) == '<span class="redacted" title="原文此处隐去">&#42;&#42;</span>市&lt;b&gt;'
    assert str(redact("单个*星号")) == "单个&#42;星号"


def test_markdown_in_bodies_still_works():
    assert "<ol>" in str(body_html("1. 第一\n2. 第二"))
    assert "<em>" not in str(body_html("*不是强调*"))


def test_paginate():
    pages = paginate("/fenlei/x/", list(range(250)), per_page=100)
    assert [url for url, _, _ in pages] == ["/fenlei/x/", "/fenlei/x/2/", "/fenlei/x/3/"]
    assert [len(rows) for _, rows, _ in pages] == [100, 100, 50]
    assert pages[0][2]["prev"] is None and pages[0][2]["next"] == "/fenlei/x/2/"
    assert paginate("/fenlei/x/", [])[0][0] == "/fenlei/x/"


def test_topics_registry_is_well_formed():
    topics = load_topics(ROOT / "registry" / "topics.yaml")
    slugs = [t.slug for t in topics]
    assert len(slugs) == len(set(slugs))
    assert all(t.keywords and t.name and t.slug.replace("-", "").isascii() for t in topics)


TEXT = st.text(alphabet=st.sampled_from(list("推动各地。，、（）“”0123456789abAB .:-*#>_`\\[]!<&|=\n\t)")), max_size=80)


@settings(max_examples=1500, deadline=None)
@given(TEXT)
def test_plain_paragraph_fast_path_matches_markdown(text):
    assert_fast_path_matches(text)


def assert_fast_path_matches(text: str) -> None:
    """A text the fast path takes comes out as Markdown would make it."""
    if not _MD_SYNTAX.search(text):
        prepared = prepare(text)
        assert plain_paragraphs(prepared) == markdown_html(prepared)


# What the fast path newly takes: redactions and asterisks at a line start, a number and a point at one.
LINE_STARTS = st.lists(st.sampled_from(["*", "**", "****", "* ", "1.", "12.", "3)", "1.5", "推动", " ", "\n", "\n\n",
                                        "。", "-", "#", "1. ", "*1.", "**1. "]), max_size=12).map("".join)


@settings(max_examples=1500, deadline=None)
@given(LINE_STARTS)
def test_plain_paragraph_fast_path_matches_markdown_at_line_starts(text):
    assert_fast_path_matches(text)
    for case in ("****中心校或公办****学校", "**\n1.加强\n2.推进", "* * *\n***", "1.5亿元\n\n10.加快"):
        assert not _MD_SYNTAX.search(case)
        assert plain_paragraphs(prepare(case)) == markdown_html(prepare(case)), case


KEYWORDS = st.text(alphabet="养老服务残疾人", min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(KEYWORDS, min_size=1, max_size=4), min_size=1, max_size=5),
       st.text(alphabet="养老服务残疾人，", max_size=30))
def test_topic_matcher_agrees_with_plain_substring_tests(keyword_sets, text):
    topics = [Topic(f"t{n}", f"t{n}", "", tuple(ks)) for n, ks in enumerate(keyword_sets)]
    expected = [t for t in topics if any(k in text for k in t.keywords)]
    assert TopicMatcher(topics)(text) == expected


def test_printed_values_are_escaped_exactly_as_jinja_escapes_them(tmp_path):
    """render.py compiles `{{ value }}` to a faster escape than Jinja's own: every page of the small
    archive and of the real content, rendered both ways, is the same, byte for byte."""
    from jinja2.compiler import CodeGenerator

    from archive.commands.build import STATIC, TEMPLATES, site_config
    from archive.render import environment, escape_output, fingerprint
    from archive.validate import build_archive
    from conftest import AS_OF

    assets, config = fingerprint(STATIC), site_config()
    ours, jinjas = environment(TEMPLATES, assets, config), environment(TEMPLATES, assets, config)
    jinjas.code_generator_class = CodeGenerator
    real, problems = build_archive(ROOT, ROOT / "content", as_of=AS_OF)
    downloads = write_open_data(real, "https://example.org", lambda path, chunks: sum(map(len, chunks)))
    templates = set(ours.list_templates(extensions=["html"]))
    pages = planned(tmp_path) + plan(real, load_topics(ROOT / "registry" / "topics.yaml"), ROOT, templates,
                                     lambda: downloads)
    assert len(pages) > 300
    for page in pages:
        context = page.context()
        assert (ours.get_template(page.template).render(context, page_url=page.url)
                == jinjas.get_template(page.template).render(context, page_url=page.url)), page.url
    for value in ["<a href='x'>&\"", 3, None, 2.5, redact("有**隐去"), "纯文本"]:
        assert escape_output(value) == str(escape(value))
