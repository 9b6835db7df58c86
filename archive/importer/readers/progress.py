"""Reader: a progress report — numbered items whose own text is their progress.

    梧冈县2020年民生实事项目第三季度推进情况通报
    一、新建城区公厕12座(县城管执法局)
    截至9月底,已建成公厕9座……

The document says it reports progress (推进情况, 进展, 通报 … in its first lines) and its
items carry no progress label: the text after an item's title (and its units) is its
status, paragraphs joined by a space. Otherwise it reads like `headings`.
"""
from __future__ import annotations

from ..doc import Doc
from ..model import Item
from . import headings

NAME = "progress"
def has_status_labels(doc: Doc) -> bool:
    return any(role == "status" for ln in doc.free_lines() for role, _, _ in doc.fields_in(ln, doc.copy_rest(ln)))


def detect(doc: Doc) -> float:
    if not headings.is_report(doc) or has_status_labels(doc):
        return 0.0
    score = headings.detect(doc)
    return score + 0.5 if score else 0.0


def read(doc: Doc) -> list[Item]:
    return headings.read_as(doc, headings.item_style(doc), NAME, all_status=True)
