"""Reader: unnumbered parallel paragraphs after an introduction.

    今年将重点办好以下民生实事：
    新建幼儿园3所，新增学位900个。
    改造老旧小区12个，惠及居民3000户。
    为全市60岁以上老人免费体检。

No number, no label: an item is a paragraph of one or two sentences in a run of such
paragraphs right after a line that announces them (ending in ： or 如下) or a title line
(short, no sentence end). A closing sentence of role and deadline phrases ("由市民政局负责，
年底前完成。", phrases.yaml) is kept in the body and fills lead and deadline. The run stops at a
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
from ..phrases import find_phrases, only_phrases, split_phrase_sentences
from ..text import WS, ends_terminal

NAME = "paragraphs"
_INTRO = re.compile(r"[:：]\s*$|(?:如下|以下[^。，,]{0,12})[。.]?\s*$")   # …办好以下几件实事。


def _announces(ln: Line) -> bool:
    """An intro ending in ： or 如下, or a title line (short, no sentence end) above the run."""
    return ln.kind == "text" and (bool(_INTRO.search(ln.copy)) or (len(ln.copy) <= 40 and not ends_terminal(ln.text)))


def _run(doc: Doc) -> tuple[int, list[Line]] | None:
    lines = doc.free_lines()
    best = None
    for k, ln in enumerate(lines):
        if not _announces(ln):
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


def guesses(doc: Doc) -> bool:
    return True


def _second_paragraph(doc: Doc, d: Draft, ln: Line) -> bool:
    """"新建城市书房5个。" then "该项目由市文旅局负责，年底前完成。": an item in two paragraphs,
    the second only its roles, the first without any."""
    first = " ".join([d.title] + [seg[1] for seg in d.segments if seg[0] == "p"])
    return not find_phrases(first, doc.labels) and only_phrases(ln.text, doc.labels)


def read(doc: Doc) -> list[Item]:
    k, run = _run(doc)
    chosen = {id(ln) for ln in run}
    drafts = []
    for ln in doc.free_lines():
        if id(ln) in chosen and drafts and _second_paragraph(doc, drafts[-1], ln):
            drafts[-1].segments.append(("p", ln.text.strip(WS), ln.no))
            drafts[-1].lines.append(ln.no)
            drafts[-1].notes.append(f"正文：第{ln.no}行只写了负责单位和时限，作为上一段事项的第二段。")
        elif id(ln) in chosen:
            own, roles = split_phrase_sentences(ln.text.strip(WS), doc.labels)
            d = Draft(number=len(drafts) + 1, title=own.rstrip("。；;").strip(WS), lines=[ln.no])
            if roles:                  # "由市民政局负责，年底前完成。": fields for finish(), text as printed
                d.segments.append(("p", roles, ln.no))
            d.uncertain("number", "原文事项是不编号的并列段落，每段作为一项，序号按出现顺序。")
            drafts.append(d)
        else:
            doc.metadata_lines.append((ln.no, ln.text, "preamble" if not drafts else "after the list"))
    return finish(doc, drafts, NAME)
