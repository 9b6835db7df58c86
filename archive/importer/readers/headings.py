"""Reader: numbered lines under headings, each followed by labelled fields or text.

    一、促进就业            ← a higher numbering style: the category
    1.新建学校（牵头单位:市教育局）  ← the item style: the style whose lines carry fields
    事项内容:…   完成时限:…     ← labelled fields (labels.yaml), or plain text for the body
    县教体局(4项)           ← a group header: the lead of the lines below it

A page that starts inside an item (fields before the first number) gives a fragment item.
"""
from __future__ import annotations

import re
from collections import Counter

from ..doc import Doc
from ..fields import add_fields, add_text, put_field
from ..finish import finish
from ..model import Draft, Item, Line
from ..numbering import RANK
from ..text import COUNT, WS, ends_terminal, is_signature, is_unit, split_signature, trailing_units, units_in

NAME = "headings"


def item_style(doc: Doc) -> str | None:
    """The numbering style of items: the one whose lines carry labelled fields, else the most
    frequent (the deeper one on a tie)."""
    lines = doc.free_lines()
    headings = [ln for ln in lines if ln.kind == "heading"]
    if not headings:
        return None
    with_fields: Counter = Counter()
    styles = Counter(ln.style for ln in headings)
    for idx, ln in enumerate(lines):
        if ln.kind != "heading":
            continue
        has = bool(doc.fields_in(ln, doc.copy_rest(ln)))
        for nxt in lines[idx + 1:]:
            if nxt.kind in ("heading", "table", "cell"):
                break
            if nxt.kind == "field":
                has = True
                break
        if has:
            with_fields[ln.style] += 1
    if with_fields:
        return max(with_fields, key=lambda s: (with_fields[s], RANK[s]))
    return max(styles, key=lambda s: (styles[s], RANK[s]))


def detect(doc: Doc) -> float:
    style = item_style(doc)
    if style is None:
        return 0.0
    return float(sum(1 for ln in doc.free_lines() if ln.kind == "heading" and ln.style == style))


def read(doc: Doc) -> list[Item]:
    return tidy(finish(doc, walk(doc, item_style(doc)), NAME))


def tidy(items: list[Item]) -> list[Item]:
    """Items printed as one list ("①…;②…;③…。"): the `;` and the closing `。` are separators."""
    ends = [it.title.rstrip(WS)[-1:] for it in items if it.title]
    if len(ends) >= 3 and sum(e in ";；" for e in ends) * 2 >= len(ends):
        for it in items:
            it.title = it.title.rstrip(WS).rstrip(";；。").rstrip(WS)
    return items


def start_item(doc: Doc, ln: Line, category: str, group_lead: list[str]) -> Draft:
    cur = Draft(number=ln.number, category=category, lines=[ln.no])
    head = add_fields(doc, cur, ln, doc.copy_rest(ln))
    cur.had_field = False        # fields on the title line do not end the body
    head = head.strip(WS).rstrip(",，;；、").strip(WS)
    if head or not cur.title:
        cur.title = head
    if not cur.lead and not cur.partners:
        cur.title, cur.lead = trailing_units(cur.title, doc.labels)
    if group_lead and not cur.lead:
        cur.lead = list(group_lead)
    return cur


def walk(doc: Doc, style: str) -> list[Draft]:
    rank = RANK[style]
    higher = sorted({ln.style for ln in doc.lines if ln.kind == "heading" and RANK[ln.style] < rank},
                    key=RANK.get)
    cat_style = higher[-1] if higher else None
    drafts: list[Draft] = []
    cur: Draft | None = None
    category, group_lead = "", []
    started = False
    pending_pre: list[Line] = []      # text before the first item (preamble or fragment body)
    for ln in doc.lines:
        if ln.no in doc.table_lines or ln.kind in ("table", "cell", "page", "header"):
            if ln.no not in doc.table_lines:
                doc.metadata_lines.append((ln.no, ln.text, "table" if ln.kind != "page" else "page"))
            continue
        if cur is not None and cur.open_field and ln.kind == "text" and units_in(ln.text, doc.labels):
            put_field(doc, cur, cur.open_field, ln.text, ln.no)     # a unit list cut by a page break
            continue
        if ln.kind == "heading" and ln.style == style:
            started = True
            cur = start_item(doc, ln, category, group_lead)
            drafts.append(cur)
            continue
        if ln.kind == "heading" and RANK[ln.style] < rank:
            text = ln.text[ln.rest_at:].strip(WS)
            role = "category" if ln.style == cat_style else "heading"
            category = COUNT.sub("", text) if role == "category" else ""
            doc.metadata_lines.append((ln.no, ln.text, role))
            cur, group_lead = None, []
            continue
        group = group_header(doc, ln)
        if group is not None:
            kind, name = group
            if kind == "lead":
                group_lead = [name]
            else:
                category = name
            doc.metadata_lines.append((ln.no, ln.text, "group lead" if kind == "lead" else "category"))
            cur = None
            continue
        if cur is None:
            if not started and ln.kind == "field":
                cur = start_fragment(doc, pending_pre, drafts)
                pending_pre = []
            elif not started:
                pending_pre.append(ln)
                continue
            else:
                doc.metadata_lines.append((ln.no, ln.text, "outside any item"))
                continue
        if ln.kind == "field":
            add_fields(doc, cur, ln, 0)
        elif cur.had_field:
            cur.after_fields.append((ln.no, ln.text))
            cur.lines.append(ln.no)
        else:
            add_text(cur, ln.text, ln.no)
    for ln in pending_pre:
        doc.metadata_lines.append((ln.no, ln.text, "preamble"))
    resolve_fragment_numbers(drafts)
    if drafts:
        trim_tail(doc, drafts)
    return drafts


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
            doc.notices.append(f"line {no}: {glued!r} at the end of the last item read as a signature")


def _move_out(doc: Doc, d: Draft, segments: list[tuple], role: str):
    for seg in segments:
        d.segments.remove(seg)
        doc.metadata_lines.append((seg[2], seg[1], role))
        if seg[2] in d.lines and not any(s[-1] == seg[2] for s in d.segments if s[0] in ("p", "m")):
            d.lines = [n for n in d.lines if n != seg[2]]


def group_header(doc: Doc, ln: Line):
    """An unnumbered "区委办公室(8项)" line: ("lead", name) or ("category", name)."""
    if ln.kind != "text" or not COUNT.search(ln.text):
        return None
    name = COUNT.sub("", ln.text).strip(WS)
    if not name or len(name) > 30 or ends_terminal(name):
        return None
    return ("lead" if is_unit(name) or units_in(name, doc.labels) else "category", name)


def start_fragment(doc: Doc, pre: list[Line], drafts: list[Draft]) -> Draft:
    """Fields before the first numbered item: the tail of an item from an earlier page."""
    d = Draft(number=None, fragment=True)
    body: list[Line] = []
    for ln in reversed(pre):
        if looks_like_page_text(ln, pre):
            break
        body.insert(0, ln)
    for ln in pre[:len(pre) - len(body)]:
        doc.metadata_lines.append((ln.no, ln.text, "preamble"))
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
        if d.fragment and d.number is None:
            first = numbered[0] if numbered else None
            if first and first > 1 and first - 1 not in numbered:
                d.number = first - 1
                d.notes.append(f"第{first - 1}项的后半部分，接续自前一版面：只收录此处印出的内容，没有标题。")
