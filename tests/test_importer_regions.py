"""Layouts beyond the gallery (issue 10): tab-separated tables, guessing readers ranked below
numbered ones, left-out regions re-read, unnumbered parallel paragraphs, inline role and deadline
phrases. Small invented fixtures, and the invented documents in fixtures/importer-unseen/."""
from __future__ import annotations

from pathlib import Path

import pytest

from archive.importer import read_document


def read(text: str):
    return read_document(text.split("\n"))


def test_tab_separated_rows_are_a_table_and_an_unknown_column_stays_out_of_the_fields():
    text = ("关于2024年民生实事项目票决结果的公告\n"
            "序号\t项目名称\t得票数\t牵头单位\n"
            "1\t城区学校扩容提质工程\t186\t县教育局\n"
            "2\t农村供水保障工程\t181\t县水利局\n"
            "3\t老旧小区改造\t177\t县住建局\n")
    items, unplaced, _ = read(text)
    assert [(it.number, it.title, it.lead, it.status, it.body) for it in items] == [
        (1, "城区学校扩容提质工程", ["县教育局"], "", "得票数：186"),
        (2, "农村供水保障工程", ["县水利局"], "", "得票数：181"),
        (3, "老旧小区改造", ["县住建局"], "", "得票数：177")]
    assert unplaced == [] and {it.reader for it in items} == {"table"}


def test_a_sentence_with_two_tabs_is_a_table_row_only_under_a_header():
    items, _, diagnosis = read("说明\t见附件\t另行通知\n")
    assert items == [] and diagnosis


def test_a_quoted_list_in_the_intro_does_not_beat_numbered_items():
    text = ("今年,我市将重点实施“教育提质”、“健康惠民”、“住房保障”、“道路畅通”、“食品安全”五大类民生实事。\n"
            "一、教育提质。新建中小学校8所。牵头单位:市教育局。完成时限:2023年12月底。\n"
            "二、健康惠民。建成医共体5个。牵头单位:市卫健委。完成时限:2023年11月底。\n"
            "三、住房保障。筹集租赁住房3000套。牵头单位:市住建局,配合单位:市财政局。完成时限:2023年12月底。\n")
    items, unplaced, _ = read(text)
    assert [(it.number, it.lead, it.partners, it.deadline_text) for it in items] == [
        (1, ["市教育局"], [], "2023年12月底"), (2, ["市卫健委"], [], "2023年11月底"),
        (3, ["市住建局"], ["市财政局"], "2023年12月底")]
    assert {it.reader for it in items} == {"headings"} and unplaced == []


def test_the_quoted_list_is_read_where_nothing_numbered_is_there():
    items, _, _ = read("2024年,我县实施“暖心工程”、“安居工程”、“畅通工程”三项民生工程。\n")
    assert [(it.number, it.title) for it in items] == [(1, "“暖心工程”"), (2, "“安居工程”"), (3, "“畅通工程”")]
    assert all("uncertain" in it.flags for it in items)


PARAGRAPHS = ("2022年为民办实事项目\n"
              "新建日间照料中心10处,为城区老年人提供助餐服务。由市民政局负责,年底前完成。\n"
              "改造提升农贸市场6处。由市商务局牵头、市市场监管局配合,10月底前完成。\n"
              "为全市适龄女性免费开展宫颈癌筛查2万人。由市卫健委负责,年底前完成。\n")


def test_unnumbered_paragraphs_under_a_title_line_are_items_numbered_by_position():
    items, unplaced, _ = read(PARAGRAPHS)
    assert [(it.number, it.title, it.lead, it.partners, it.deadline_text) for it in items] == [
        (1, "新建日间照料中心10处,为城区老年人提供助餐服务", ["市民政局"], [], "年底前完成"),
        (2, "改造提升农贸市场6处", ["市商务局"], ["市市场监管局"], "10月底前完成"),
        (3, "为全市适龄女性免费开展宫颈癌筛查2万人", ["市卫健委"], [], "年底前完成")]
    assert items[1].body == "由市商务局牵头、市市场监管局配合,10月底前完成。"     # the sentence, as printed
    assert all("uncertain" in it.flags and "序号" in it.note for it in items)
    assert unplaced == []


def test_a_labelled_field_wins_over_a_phrase_and_a_phrase_needs_a_unit():
    items, _, _ = read("实事如下:\n一、新建公园2处,由县住建局负责。牵头单位:县城管局。\n"
                       "二、改造道路3条,由群众自愿参与,年内建成。\n")
    assert [(it.lead, it.deadline_text) for it in items] == [(["县城管局"], ""), ([], "")]


def test_yi_shi_paragraphs_are_numbered_items_and_the_announcing_sentence_is_not_one():
    text = ("关于2023年民生实事办理情况的报告\n"
            "今年以来,区政府围绕群众关切,重点抓好以下几件实事。\n"
            "一是新建社区食堂12个,解决老年人就餐难问题。由区民政局牵头、各街道配合,9月底前完成。\n"
            "二是改造城区背街小巷20条。由区住建局负责,年底前完成。\n"
            "三是新增公办幼儿园学位1500个。由区教育局负责,8月底前完成。\n"
            "区人民政府办公室\n")
    items, unplaced, _ = read(text)
    assert [(it.number, it.title, it.lead, it.partners, it.deadline_text) for it in items] == [
        (1, "新建社区食堂12个,解决老年人就餐难问题", ["区民政局"], ["各街道"], "9月底前完成"),
        (2, "改造城区背街小巷20条", ["区住建局"], [], "年底前完成"),
        (3, "新增公办幼儿园学位1500个", ["区教育局"], [], "8月底前完成")]
    assert items[0].body == "由区民政局牵头、各街道配合,9月底前完成。" and unplaced == []


def test_masked_names_with_crosses_flag_the_item_redacted():
    items, _, _ = read("实事如下:\n1.新建××镇敬老院1所。牵头单位:县民政局。\n2.改造**村饮水工程。牵头单位:县水利局。\n"
                       "3.加装电梯8部。牵头单位:县住建局。\n")
    assert [it.flags for it in items] == [["redacted"], ["redacted"], []]


def test_an_item_in_two_paragraphs_the_second_only_its_roles():
    text = ("今年确定实施以下民生实事:\n"
            "新建社区养老服务站10个,为老年人提供日间照料、助餐等服务。\n"
            "该项目由市民政局负责,计划投资2000万元,年底前全部建成投用。\n"
            "改造老旧小区15个,惠及居民5000户。\n"
            "该项目由市住建局负责,10月底前完成。\n"
            "新建城市书房5个。\n"
            "该项目由市文旅局负责,年底前完成。\n")
    items, unplaced, _ = read(text)
    assert [(it.number, it.title, it.lead, it.deadline_text, it.source_lines) for it in items] == [
        (1, "新建社区养老服务站10个,为老年人提供日间照料、助餐等服务", ["市民政局"], "年底前全部建成投用", [2, 3]),
        (2, "改造老旧小区15个,惠及居民5000户", ["市住建局"], "10月底前完成", [4, 5]),
        (3, "新建城市书房5个", ["市文旅局"], "年底前完成", [6, 7])]
    assert items[2].body == "该项目由市文旅局负责,年底前完成。" and "第7行" in items[2].note and unplaced == []


def test_a_second_list_after_the_items_is_reported_not_imported_nor_silently_kept():
    from archive.importer import parse
    text = ("2024年民生实事\n1.新建公园2处。牵头单位:县住建局。\n2.改造道路3条。牵头单位:县交通局。\n"
            "3.新建学校1所。牵头单位:县教育局。\n\n此外,还将办好以下小实事:新建公厕10座;改造路灯500盏;新建停车场2处。\n")
    result = parse(text)
    assert [it.number for it in result.items] == [1, 2, 3]
    assert len(result.notices) == 1 and result.notices[0].startswith("第6行在清单之外")


def test_a_closing_sentence_or_an_intro_list_gives_no_notice():
    from archive.importer import parse
    closing = "实事如下:\n1.新建公园2处。\n2.改造道路3条。\n3.新建学校1所。\n以上实事由县政府办公室统筹督办。\n"
    intro = ("今年实施“教育提质”、“健康惠民”、“住房保障”三大类实事。\n一、教育提质。牵头单位:市教育局。\n"
             "二、健康惠民。牵头单位:市卫健委。\n")
    assert parse(closing).notices == [] and parse(intro).notices == []


# ---------------------------------------------------------------- the invented documents, whole

UNSEEN = Path(__file__).parent / "fixtures" / "importer-unseen"
EXPECTED = {   # file: (items, reader, lead of the first item, deadline of the first item)
    "a_inline_paren_numbers.txt": (10, "inline_list", [], ""),
    "b_tab_vote_table.txt": (5, "table", ["县教育局"], ""),
    "c_quoted_intro_then_numbered.txt": (3, "headings", ["市教育局"], "2023年12月底"),
    "d_parallel_paragraphs_phrases.txt": (3, "paragraphs", ["市民政局"], "年底前完成"),
    "e_yi_shi_paragraphs.txt": (4, "headings", ["区民政局"], "9月底前完成"),
    "f_tab_category_column.txt": (4, "table", ["市教育局"], "2024年8月"),
    "g_masked_crosses.txt": (3, "headings", ["县民政局"], "2023年12月底"),
    "h_heading_then_text_then_fields.txt": (3, "headings", ["县教育局"], "2023年12月"),
    "i_paragraphs_blank_lines.txt": (3, "paragraphs", ["县住建局"], "年底前完成"),
    "j_tab_merged_category.txt": (3, "table", ["市教育局"], "2024年8月"),
    "k_item_in_two_paragraphs.txt": (3, "paragraphs", ["市民政局"], "年底前全部建成投用"),
    "m_second_list_after_items.txt": (3, "headings", ["县住建局"], ""),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_invented_document_reads_as_expected_and_places_every_line(name):
    from archive.importer import parse
    result = parse((UNSEEN / name).read_text(encoding="utf-8"))
    count, reader, lead, deadline = EXPECTED[name]
    assert len(result.items) == count and result.readers == [reader]
    assert (result.items[0].lead, result.items[0].deadline_text) == (lead, deadline)
    assert [it.number for it in result.items] == list(range(1, count + 1)) and result.unplaced == []
