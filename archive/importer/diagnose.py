"""When no reader found an item: say what the document looked like, line by line, so an
editor knows why (and what to fix) instead of getting "0 items"."""
from __future__ import annotations

from collections import Counter

from .doc import Doc
from .labels import match_copy
from .tables import Table

_STYLE_NAMES = {"cn": "一、", "paren_cn": "(一)", "arabic": "1.", "paren_arabic": "(1)", "circled": "①"}


def diagnose(doc: Doc, tables: list[Table]) -> list[str]:
    out = []
    for table in tables:
        cols = "/".join(table.headers)
        first = min(table.lines) if table.lines else 0
        if not table.rows:
            out.append(f"第{first}行：表头有{len(table.headers)}列 {cols}，但其后没有连续的序号行"
                       f"（1、2、3…），读不出表格的行")
    out += _headers_without_table(doc)
    styles = Counter(ln.style for ln in doc.lines if ln.kind == "heading")
    for style, n in styles.most_common():
        first = next(ln.no for ln in doc.lines if ln.kind == "heading" and ln.style == style)
        out.append(f"第{first}行起：{n}行以“{_STYLE_NAMES[style]}”编号，但没有读出事项")
    fields = [ln for ln in doc.lines if ln.kind == "field"]
    if fields:
        out.append(f"第{fields[0].no}行起：{len(fields)}行带字段标签（如“牵头单位:”），但找不到它们所属的事项标题")
    pipes = [ln for ln in doc.lines if "|" in ln.text and ln.no not in doc.table_lines]
    if pipes:
        out.append(f"第{pipes[0].no}行起：{len(pipes)}行含“|”，但其中没有可识别的表头（见 columns.yaml）")
    if not out:
        n = sum(1 for ln in doc.lines)
        out.append(f"全文{n}个非空行中没有编号、字段标签、表头或以“；”分隔的列表")
    return out


def _headers_without_table(doc: Doc) -> list[str]:
    """A header cell (序号) on its own line that no table reader could use."""
    out = []
    for ln in doc.lines:
        if ln.no in doc.table_lines:
            continue
        if doc.labels.role_of_header(match_copy(ln.text).text) == "number":
            out.append(f"第{ln.no}行：“{ln.text}”像表头的序号列，但其后没有可识别的表头和行")
    return out[:3]
