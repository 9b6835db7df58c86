"""Reader: the items of a list printed inside one paragraph.

    …公布如下。 1.新建公交首末站3处。 责任单位:市交通运输局 2.新增…
    主要任务:一是新建幼儿园3所;二是改造老旧小区5个;三是…
    今年要办的实事是:修建道路3公里;新建广场2处;改造危房20户。

Numbered (`1.` `1、` `(1)` `（1）` `①` `一是`): the longest run of consecutive numbers in a
line splits it into item lines, read like `headings` (labelled fields, units in brackets).
Unnumbered items separated by `；`/`;`, or quoted names joined by 、 (实施“暖心工程”、“安居工程”、
“畅通工程”), are numbered by position and flagged uncertain.
"""
from __future__ import annotations

import re

from ..doc import Doc
from ..finish import finish
from ..labels import match_copy
from ..model import Draft, Item, Line
from ..numbering import CIRCLED, cn_to_int
from ..text import WS
from . import headings

NAME = "inline_list"
_B = r"(?:(?<=^)|(?<=[\s。；;，,：:！？!?]))"          # a number starts the line or follows a pause
MARKERS = (   # (style the items get, pattern on the matching copy, group with the number)
    ("arabic", re.compile(_B + r"(\d{1,3})[.、](?!\d)")),
    ("paren_arabic", re.compile(_B + r"\((\d{1,3})\)")),
    ("circled", re.compile(_B + f"([{CIRCLED}])")),
    ("cn", re.compile(_B + r"([一二三四五六七八九十]{1,3})是")),
)


def _value(style: str, n: str) -> int | None:
    if style == "circled":
        return CIRCLED.index(n) + 1
    return cn_to_int(n) if style == "cn" else int(n)


def chain(copy: str) -> tuple[str, list[tuple[int, int, int]]]:
    """The longest run of consecutive numbers in a line: (style, [(number, start, end)])."""
    best: tuple[str, list] = ("", [])
    for style, rx in MARKERS:
        found = [(_value(style, m.group(1)), m.start(), m.end()) for m in rx.finditer(copy)]
        length, before, latest = [], [], {}     # the run ending at found[i] extends the latest n-1
        for i, (n, _, _) in enumerate(found):
            j = latest.get(n - 1)
            length.append(length[j] + 1 if j is not None else 1)
            before.append(j)
            latest[n] = i
        if length and max(length) > len(best[1]):
            i, run = length.index(max(length)), []
            while i is not None:
                run.append(found[i])
                i = before[i]
            best = (style, run[::-1])
    return best


def _best_chain(doc: Doc):
    best = None
    for ln in doc.free_lines():
        if ln.kind in ("text", "field", "heading") and len(ln.copy) >= 9:    # 3 numbers need room
            style, run = chain(ln.copy)
            if len(run) >= 3 and (best is None or len(run) > len(best[2])):
                best = (ln, style, run)
    return best


def _best_semicolons(doc: Doc) -> tuple[Line, list[str]] | None:
    best = None
    for ln in doc.free_lines():
        parts = [p for p in re.split(r"[;；]", ln.text) if p.strip(WS + "。")]
        if len(parts) >= 3 and (best is None or len(parts) > len(best[1])):
            best = (ln, parts)
    return best


_QUOTED = re.compile(r"“[^“”\n]{2,40}”(?:\s*、\s*“[^“”\n]{2,40}”){2,}")


def _best_quoted(doc: Doc) -> tuple[Line, re.Match] | None:
    """A run of quoted names joined by 、: 实施“暖心工程”、“安居工程”、“畅通工程”。"""
    best = None
    for ln in doc.free_lines():
        for m in _QUOTED.finditer(ln.text):
            if best is None or m.group().count("“") > best[1].group().count("“"):
                best = (ln, m)
    return best


def detect(doc: Doc) -> float:
    numbered = _best_chain(doc)
    if numbered:
        lines_in_style = sum(1 for ln in doc.free_lines() if ln.kind == "heading" and ln.style == numbered[1])
        return len(numbered[2]) + 0.5 if len(numbered[2]) > lines_in_style else 0.0
    best = _best_semicolons(doc)
    quoted = _best_quoted(doc)
    return float(max(len(best[1]) if best else 0, quoted[1].group().count("“") if quoted else 0))


def read(doc: Doc) -> list[Item]:
    numbered = _best_chain(doc)
    if numbered:
        ln, style, run = numbered
        at = doc.lines.index(ln)
        doc.lines[at:at + 1] = split_line(ln, style, run)
        return headings.read_as(doc, style, NAME)
    best, quoted = _best_semicolons(doc), _best_quoted(doc)
    if quoted and (best is None or quoted[1].group().count("“") > len(best[1])):
        return _read_quoted(doc, *quoted)
    return _read_semicolons(doc)


def _read_quoted(doc: Doc, line: Line, m: re.Match) -> list[Item]:
    drafts = []
    for ln in doc.free_lines():
        if ln is not line:
            doc.metadata_lines.append((ln.no, ln.text, "preamble" if not drafts else "after the list"))
            continue
        for k, name in enumerate(re.findall(r"“[^“”]+”", m.group()), 1):
            d = Draft(number=k, title=name, lines=[ln.no])
            d.uncertain("number", "原文各事项是以“、”连接的带引号名称，没有编号，序号按出现顺序。")
            drafts.append(d)
    return finish(doc, drafts, NAME)


def split_line(ln: Line, style: str, run: list[tuple[int, int, int]]) -> list[Line]:
    mc = match_copy(ln.text)
    out = []
    if run[0][1] > 0 and ln.text[:mc.to_orig(run[0][1])].strip(WS):
        intro = ln.text[:mc.to_orig(run[0][1])].strip(WS)
        out.append(Line(no=ln.no, text=intro, copy=match_copy(intro).text))
    ends = [r[1] for r in run[1:]] + [len(ln.copy)]
    tail = ""
    separated = all(ln.copy[:stop].rstrip()[-1:] in ";；" for stop in ends[:-1])
    if separated and "。" in ln.copy[run[-1][2]:]:   # "…；五是…工程。会议要求…": the list ends at its 。
        ends[-1] = ln.copy.index("。", run[-1][2]) + 1
        tail = ln.text[mc.to_orig(ends[-1]):].strip(WS)
    for (n, start, end), stop in zip(run, ends):
        text = ln.text[mc.to_orig(start):mc.to_orig(stop)].strip(WS)
        part = Line(no=ln.no, text=text, copy=match_copy(text).text, kind="heading", style=style, number=n)
        part.rest_at = mc.to_orig(end) - mc.to_orig(start)
        out.append(part)
    if tail:
        out.append(Line(no=ln.no, text=tail, copy=match_copy(tail).text))
    return out


def _read_semicolons(doc: Doc) -> list[Item]:
    best = _best_semicolons(doc)
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
                d.uncertain("number", "原文各事项印在同一段中、以“；”分隔，没有编号，序号按出现顺序。")
                drafts.append(d)
        else:
            doc.metadata_lines.append((ln.no, ln.text, "preamble" if not drafts else "after the list"))
    return finish(doc, drafts, NAME)
