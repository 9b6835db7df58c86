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
from ..text import COUNT, WS, ends_terminal, is_unit, trailing_units, units_in
from . import edges

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
        for k in range(idx + 1, len(lines)):       # (a slice here would copy the rest each time)
            if lines[k].kind in ("heading", "table", "cell"):
                break
            if lines[k].kind == "field":
                has = True
                break
        if has:
            with_fields[ln.style] += 1
    if with_fields:
        # measures restart at (1) in every item; items count on: on a tie, fewer restarts wins
        restarts: Counter = Counter()
        previous: dict[str, int] = {}
        for ln in headings:
            restarts[ln.style] += ln.number <= previous.get(ln.style, 0)
            previous[ln.style] = ln.number
        return max(with_fields, key=lambda s: (with_fields[s], -restarts[s], RANK[s]))
    return max(styles, key=lambda s: (styles[s], RANK[s]))


def detect(doc: Doc) -> float:
    style = item_style(doc)
    if style is None:
        return 0.0
    return float(sum(1 for ln in doc.free_lines() if ln.kind == "heading" and ln.style == style))


def read(doc: Doc) -> list[Item]:
    return read_as(doc, item_style(doc), NAME)


def read_as(doc: Doc, style: str, name: str, all_status: bool = False) -> list[Item]:
    """Walk the items of `style`. In a progress report, an item's own text is its status
    (every item's with `all_status`, else that of items without a progress label)."""
    drafts = walk(doc, style)
    if all_status or is_report(doc):
        for d in drafts:
            if all_status or not d.status:
                status_from_text(d)
    return finish(doc, tidy(drafts), name)


_REPORT = re.compile(r"进展|推进情况|进度|通报|完成情况|落实情况|实施情况")


def is_report(doc: Doc) -> bool:
    """The document says, in its first lines, that it reports progress."""
    head = [ln for ln in doc.lines[:6] if ln.kind not in ("heading", "field")][:3]
    return any(_REPORT.search(ln.copy) for ln in head)


def status_from_text(d: Draft):
    texts = [seg[1] if seg[0] == "p" else seg[2] for seg in d.segments if seg[0] in ("p", "m")]
    d.status = [("", t) for t in texts]
    d.status_plain = True
    d.segments = []


def tidy(drafts: list[Draft]) -> list[Draft]:
    """Items printed as one list ("①…;②…;③…。"): the 。 after the last is the list's end."""
    if len(drafts) >= 2 and sum(d.separator for d in drafts) * 2 >= len(drafts):
        for d in drafts:
            d.title = d.title.rstrip("。").rstrip(WS)
    return drafts


def start_item(doc: Doc, ln: Line, category: str, group_lead: list[str]) -> Draft:
    cur = Draft(number=ln.number, category=category, lines=[ln.no])
    head = add_fields(doc, cur, ln, doc.copy_rest(ln))
    cur.had_field = False        # fields on the title line do not end the body
    head = head.strip(WS)
    cur.separator = head[-1:] in ";；"
    head = head.rstrip(",，;；、").strip(WS)
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
            role = cur.open_field
            put_field(doc, cur, role, ln.text, ln.no)     # a unit list cut by a page break
            cur.uncertain(role, f"第{ln.no}行接续上面以“、”结尾的单位名单（中间隔着页码或表头），已并入。")
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
                cur = edges.start_fragment(doc, pending_pre, drafts)
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
    edges.resolve_fragment_numbers(drafts)
    if drafts:
        edges.trim_tail(doc, drafts)
    return drafts


def group_header(doc: Doc, ln: Line):
    """An unnumbered "区委办公室(8项)" line: ("lead", name) or ("category", name)."""
    if ln.kind != "text" or not COUNT.search(ln.text):
        return None
    name = COUNT.sub("", ln.text).strip(WS)
    if not name or len(name) > 30 or ends_terminal(name):
        return None
    return ("lead" if is_unit(name) or units_in(name, doc.labels) else "category", name)
