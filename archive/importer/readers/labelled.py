"""Reader: unnumbered items, each a title line followed by labelled lines.

    新建社区养老服务中心3处。
    责任单位:区民政局
    完成时限:2021年10月底

Items are numbered by position; the note says so.
"""
from __future__ import annotations

import re

from ..doc import Doc
from ..fields import add_fields, add_text
from ..finish import finish
from ..labels import match_copy
from ..model import Draft, Item, Line
from ..text import ends_terminal

NAME = "labelled"


def detect(doc: Doc) -> float:
    """How many field blocks start after a line of text (a title)."""
    lines = doc.free_lines()
    starts = sum(1 for a, b in zip([None] + lines, lines) if b.kind == "field" and (a is None or a.kind != "field"))
    headings = sum(1 for ln in lines if ln.kind == "heading")
    return float(starts) if starts and not headings else 0.0


_CATEGORY = re.compile(r"^(关键词|类别|分类|领域)\s*[:：]?\s*")


def _category(doc: Doc, texts: list[Line], category: str, first: bool) -> str:
    """A short line without a sentence's end before an item's title ("关键词 医疗") heads a
    group of items: taken out of `texts`, it becomes their category."""
    while len(texts) >= 2 and len(texts[-2].copy) <= 12 and not ends_terminal(texts[-2].text) \
            and (_CATEGORY.match(texts[-2].copy) or (len(texts) == 2 and not first)):
        line = texts.pop(-2)
        doc.metadata_lines.append((line.no, line.text, "category"))
        label = _CATEGORY.match(line.copy)          # matched on the copy, cut from the line as printed
        category = line.text[match_copy(line.text).to_orig(label.end()):].strip() if label else line.text
    return category


def read(doc: Doc) -> list[Item]:
    drafts: list[Draft] = []
    category = ""
    cur: Draft | None = None
    texts: list[Line] = []
    for ln in doc.lines:
        if ln.no in doc.table_lines or ln.kind in ("table", "cell", "page", "header"):
            if ln.no not in doc.table_lines:
                doc.metadata_lines.append((ln.no, ln.text, "table" if ln.kind != "page" else "page"))
            continue
        if ln.kind != "field":
            texts.append(ln)
            continue
        if texts or cur is None:
            category = _category(doc, texts, category, first=cur is None)
            if cur is None and texts:
                for t in texts[:-1]:
                    doc.metadata_lines.append((t.no, t.text, "preamble"))
                texts = texts[-1:]
            cur = Draft(number=len(drafts) + 1, category=category)
            if texts:
                cur.title = texts[0].text
                cur.lines.append(texts[0].no)
                for t in texts[1:]:
                    add_text(cur, t.text, t.no)
            drafts.append(cur)
            texts = []
        add_fields(doc, cur, ln, 0)
    for t in texts:
        doc.unplaced.append((t.no, t.text, "text after the last item's fields (page text after the list?)"))
    for d in drafts:
        d.uncertain("number", "原文事项没有编号，序号按出现顺序。")
    return finish(doc, drafts, NAME)
