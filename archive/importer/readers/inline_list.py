"""Reader: the items of a list printed inside one paragraph.

    今年要办的实事是:修建道路3公里;新建广场2处;改造危房20户。

Unnumbered items separated by `；`/`;` are numbered by position; the note says so.
"""
from __future__ import annotations

import re

from ..doc import Doc
from ..finish import finish
from ..model import Draft, Item, Line
from ..text import WS

NAME = "inline_list"


def _best(doc: Doc) -> tuple[Line, list[str]] | None:
    best = None
    for ln in doc.free_lines():
        parts = [p for p in re.split(r"[;；]", ln.text) if p.strip(WS + "。")]
        if len(parts) >= 3 and (best is None or len(parts) > len(best[1])):
            best = (ln, parts)
    return best


def detect(doc: Doc) -> float:
    best = _best(doc)
    return float(len(best[1])) if best else 0.0


def read(doc: Doc) -> list[Item]:
    best = _best(doc)
    drafts = []
    for ln in doc.free_lines():
        if best and ln is best[0]:
            parts = list(best[1])
            intro = re.match(r"^[^;；]*?[:：]", parts[0])
            if intro:
                doc.metadata_lines.append((ln.no, intro.group(0), "intro"))
                parts[0] = parts[0][intro.end():]
            for k, p in enumerate(parts, 1):
                d = Draft(number=k, title=p.strip(WS).rstrip("。").strip(WS), lines=[ln.no])
                d.notes.append("原文各事项印在同一段中、以“；”分隔，序号按出现顺序。")
                drafts.append(d)
        else:
            doc.metadata_lines.append((ln.no, ln.text, "preamble" if not drafts else "after the list"))
    return finish(doc, drafts, NAME)
