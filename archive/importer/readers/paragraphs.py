"""Reader: unnumbered parallel paragraphs after an introduction.

    今年将重点办好以下民生实事：
    新建幼儿园3所，新增学位900个。
    改造老旧小区12个，惠及居民3000户。
    为全市60岁以上老人免费体检。

No number, no label: an item is a paragraph of one or two sentences in a run of such
paragraphs right after a line that announces them (ending in ： or 如下). The run stops at a
paragraph much longer than the others or one that does not end a sentence (a signature, a
date). The item boundaries are a guess: every item is flagged uncertain and numbered by
position.
"""
from __future__ import annotations

import re
import statistics

from ..doc import Doc
from ..finish import finish
from ..model import Draft, Item, Line
from ..text import WS, ends_terminal

NAME = "paragraphs"
_INTRO = re.compile(r"[:：]\s*$|如下[。.]?\s*$")


def _run(doc: Doc) -> tuple[int, list[Line]] | None:
    lines = doc.free_lines()
    best = None
    for k, ln in enumerate(lines):
        if not _INTRO.search(ln.copy) or ln.kind != "text":
            continue
        run = []
        for nxt in lines[k + 1:k + 200]:
            if nxt.kind != "text" or not ends_terminal(nxt.text) or len(nxt.copy) > 160 or _INTRO.search(nxt.copy):
                break
            run.append(nxt)
        if len(run) > 3:          # the longest runs end in a closing paragraph: cut it off by length
            typical = statistics.median(len(x.copy) for x in run)
            while len(run) > 3 and len(run[-1].copy) > 2.5 * typical:
                run.pop()
        if len(run) >= 3 and (best is None or len(run) > len(best[1])):
            best = (k, run)
    return best


def detect(doc: Doc) -> float:
    best = _run(doc)
    return len(best[1]) * 0.9 if best else 0.0       # below any reader that sees numbers or labels


def read(doc: Doc) -> list[Item]:
    k, run = _run(doc)
    chosen = {id(ln) for ln in run}
    drafts = []
    for ln in doc.free_lines():
        if id(ln) in chosen:
            d = Draft(number=len(drafts) + 1, title=ln.text.strip(WS).rstrip("。；;").strip(WS), lines=[ln.no])
            d.uncertain("number", "原文事项是不编号的并列段落，每段作为一项，序号按出现顺序。")
            drafts.append(d)
        else:
            doc.metadata_lines.append((ln.no, ln.text, "preamble" if not drafts else "after the list"))
    return finish(doc, drafts, NAME)
