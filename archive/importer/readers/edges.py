"""The edges of a list: a page that starts inside an item (its fields before the first
number), and what follows the last item (a signature, a closing paragraph)."""
from __future__ import annotations

import re

from ..doc import Doc
from ..fields import add_text
from ..model import Draft, Line
from ..text import ends_terminal, is_signature, split_signature


def trim_tail(doc: Doc, drafts: list[Draft]):
    """What follows the last item is not its text when it is a signature (office, date), or a
    paragraph after a list whose items are one line each."""
    last = drafts[-1]
    one_line = [d for d in drafts[:-1] if d.number is not None and not d.segments and not d.after_fields]
    if len(one_line) >= 2 and len(one_line) == len(drafts) - 1:
        _move_out(doc, last, [s for s in last.segments if s[0] == "p"], "after the list")
    while last.segments and last.segments[-1][0] == "p" and is_signature(last.segments[-1][1]):
        _move_out(doc, last, [last.segments[-1]], "signature")
    if last.segments and last.segments[-1][0] == "p":
        _, text, no = last.segments[-1]
        kept, glued = split_signature(text)
        if glued:
            last.segments[-1] = ("p", kept, no)
            doc.metadata_lines.append((no, glued, "signature"))
            last.uncertain("status", f"第{no}行末尾的“{glued}”看作落款，未收入本项。")


def _move_out(doc: Doc, d: Draft, segments: list[tuple], role: str):
    for seg in segments:
        d.segments.remove(seg)
        doc.metadata_lines.append((seg[2], seg[1], role))
        if d.lines and seg[2] != d.lines[0] and not any(s[-1] == seg[2] for s in d.segments if s[0] in ("p", "m")):
            d.lines = [n for n in d.lines if n != seg[2]]


_LIST_TITLE = re.compile(r"清单|实事|项目|方案|计划")


def start_fragment(doc: Doc, pre: list[Line], drafts: list[Draft]) -> Draft:
    """Fields before the first numbered item: the tail of an item from an earlier page."""
    d = Draft(number=None, fragment=True)
    body: list[Line] = []
    for ln in reversed(pre):
        if looks_like_page_text(ln, pre):
            break
        body.insert(0, ln)
    page = pre[:len(pre) - len(body)]
    for ln in page:
        doc.metadata_lines.append((ln.no, ln.text, "preamble"))
    # Only the list's own publication (its title printed above) continues one of its items;
    # on a bare newspaper page (masthead, "上接第一版") the lines belong to an item we
    # cannot name: they are reported, not made into an item.
    d.orphan = not any(_LIST_TITLE.search(ln.copy) for ln in page)
    for ln in body:
        add_text(d, ln.text, ln.no)
    drafts.append(d)
    return d


def looks_like_page_text(ln: Line, pre: list[Line]) -> bool:
    if ln is pre[0]:
        return True          # the first line of a page is its title
    if re.match(r"^[(（]?\s*(上接|接上|续|转)", ln.text):
        return True
    return len(ln.text) < 20 and not ends_terminal(ln.text)


def resolve_fragment_numbers(drafts: list[Draft]):
    numbered = [d.number for d in drafts if d.number is not None]
    for d in drafts:
        if d.fragment and d.number is None and not d.orphan:
            first = numbered[0] if numbered else None
            if first and first > 1 and first - 1 not in numbered:
                d.number = first - 1
                d.notes.append(f"第{first - 1}项的后半部分，接续自前一版面：只收录此处印出的内容，没有标题。")
