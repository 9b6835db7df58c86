"""Layouts beyond the gallery (issue 10): tab-separated tables, readers competing per region,
unnumbered parallel paragraphs, inline role and deadline phrases. Small invented fixtures."""
from __future__ import annotations

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
