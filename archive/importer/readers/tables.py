"""Readers: tables flattened by text extraction — `|` rows, or one cell per line.

A table is a region of its own: its lines are taken before the text readers run. When the
text around it holds the same items (a summary table before the measures), the table only
supplies categories; otherwise its rows are the items.
"""
from __future__ import annotations

import re

from .. import markdown_body
from ..doc import Doc
from ..labels import match_copy
from ..model import Item
from .. import runon_table
from ..cell_table import parse_cell_table
from ..tables import Table, despace, parse_pipe_table
from ..text import COUNT, WS, split_names, strip_line

NAME = "table"


def find(doc: Doc) -> list[Table]:
    """Every table in the document; their lines go to doc.table_lines."""
    tables = []
    lines = doc.lines
    runon = runon_table.read(lines, doc.labels)          # a viewer's run-on table
    if runon:
        tables.append(runon)
        doc.table_lines.update(runon.lines)
        for ln in lines:
            if ln.no in doc.table_lines:
                ln.kind = "cell"
    k = 0
    while k < len(lines):                       # `|` tables: runs of consecutive table lines
        if lines[k].kind != "table":
            k += 1
            continue
        j = k
        while j < len(lines) and lines[j].kind == "table":
            j += 1
        run = lines[k:j]
        one_cell = sum(1 for ln in run if len([c for c in ln.text.split("|") if c.strip()]) <= 1)
        if one_cell * 5 >= len(run) * 4:
            table = _cells_with_bars(doc, run)       # "cell |" one per line
        else:
            table = parse_pipe_table([(ln.no, ln.text) for ln in run], doc.labels)
        if table:
            tables.append(table)
            doc.table_lines.update(table.lines)
        else:
            for ln in lines[k:j]:
                ln.kind = "text"                 # a line with pipes that is not a table
        k = j
    whole = _whole_lines(doc, lines)            # one cell per line
    at = {no: i for i, (no, _) in enumerate(whole)}
    k = 0
    while k < len(lines):
        ln = lines[k]
        if ln.kind in ("text", "field") and doc.labels.role_of_header(ln.copy) in ("number", "category"):
            got = parse_cell_table(whole, doc.labels, at[ln.no])
            if got:
                table, used = got
                tables.append(table)
                last = whole[at[ln.no] + used - 1][0]
                while k < len(lines) and lines[k].no <= last:
                    lines[k].kind = "cell"
                    k += 1
                doc.table_lines.update(table.lines)
                continue
        k += 1
    return tables


def _whole_lines(doc: Doc, lines) -> list[tuple[int, str]]:
    """(line, text) of each source line once, as printed (a cell may hold "1、…2、…")."""
    out, seen = [], set()
    for ln in lines:
        if ln.no not in seen:
            seen.add(ln.no)
            out.append((ln.no, strip_line(doc.raw_lines[ln.no - 1])))
    return out


def _cells_with_bars(doc: Doc, run) -> Table | None:
    """A table printed one cell per line, each ending in `|` (an empty cell is `||`)."""
    cells = [(ln.no, ln.text.replace("|", " ").strip(WS)) for ln in run]
    start = next((i for i, (_, t) in enumerate(cells) if doc.labels.role_of_header(match_copy(t).text) == "number"),
                 None)
    got = parse_cell_table([c for c in cells[start:] if c[1]], doc.labels) if start is not None else None
    if not got:
        return None
    table, used = got
    last = [c for c in cells[start:] if c[1]][used - 1][0] if used else 0
    table.lines = sorted(set(table.lines) | {ln.no for ln in run if ln.no <= last})
    return table


def merge(doc: Doc, tables: list[Table], items: list[Item]) -> list[Item]:
    """The table rows as items, or, when the text gave items, the tables' categories for them."""
    if not tables:
        return items
    by_number = {it.number: it for it in items}
    table_items: list[Item] = []
    pending: dict[int, tuple[Item, list[str], list[str]]] = {}     # sub-rows' text and notes, joined once
    for table in tables:
        for ln in table.lines:
            doc.metadata_lines.append((ln, doc.raw_lines[ln - 1].strip(WS), "table"))
        last: Item | None = None
        for row in table.rows:
            c = row.cells
            num = c.get("number")
            num = int(re.sub(r"\D", "", match_copy(num).text)) if num and re.search(r"\d", num) else None
            category = COUNT.sub("", re.sub(r"^[零〇一二两三四五六七八九十百]+[、.．]", "", c.get("category", "")))
            if items:
                _check_against_text(doc, by_number.get(num), num, category, c, row)
                continue
            if not row.numbered and last is not None:
                _extend(doc, last, row, pending.setdefault(id(last), (last, [], [])))
                continue
            if num is None:
                continue
            last = _row_item(doc, row, num, category)
            table_items.append(last)
    for it, bodies, notes in pending.values():
        it.body = "\n\n".join(([it.body] if it.body else []) + bodies)
        it.note = (it.note or "") + "".join(notes)
    return items or table_items


def _check_against_text(doc: Doc, it: Item | None, num, category: str, c: dict, row):
    if it is None:
        if num is not None:
            doc.notices.append(f"table row at line {row.lines[0]}: no item {num} in the text; "
                               f"the row is kept only as list metadata")
        return
    if category:
        if it.category and it.category != category:
            doc.notices.append(f"item {num}: category {it.category!r} under its heading, "
                               f"{category!r} in the table: the table's is used")
        it.category = category
    title = c.get("title") or c.get("body", "")
    if title and despace(it.title) != title:
        doc.notices.append(f"item {num}: the table's text differs from the item's title")


def _row_item(doc: Doc, row, num: int, category: str) -> Item:
    c = row.cells
    it = Item(number=num, category=category, source_lines=[min(row.lines), max(row.lines)], reader=NAME)
    keys = [k for k in ("title", "body", "target", "note") if c.get(k)]
    main = next((k for k in keys if k != "note"), None)
    it.title = c[main] if main else ""
    it.body = "\n\n".join(markdown_body.escape_start(c[k]) for k in keys if k != main)
    it.deadline_text = c.get("deadline", "")
    it.lead = split_names(c.get("lead", ""), doc.labels)
    it.partners = split_names(c.get("partners", ""), doc.labels)
    it.status = " ".join(v for k, v in c.items() if k.startswith("status:") and v)   # column order
    flags = set()
    if row.notes:
        flags.add("uncertain")
        it.note = "".join(row.notes)
        it.uncertain_fields = list(row.uncertain_fields)
    if any("**" in t for t in [it.title, it.body, it.category, *it.lead, *it.partners]):
        flags.add("redacted")
    it.flags = sorted(flags)
    return it


def _extend(doc: Doc, it: Item, row, pending: tuple[Item, list[str], list[str]]):
    """A row without its own number: kept in the body of the item above, flagged."""
    c = row.cells
    extra = c.get("title") or c.get("body")
    if extra:
        pending[1].append(markdown_body.render([("p", extra, 0)]))
    it.lead += [n for n in split_names(c.get("lead", ""), doc.labels) if n not in it.lead]
    it.partners += [n for n in split_names(c.get("partners", ""), doc.labels) if n not in it.partners]
    it.source_lines = [min(it.source_lines[0], *row.lines), max(it.source_lines[1], *row.lines)]
    if "uncertain" not in it.flags:
        it.flags = sorted(set(it.flags) | {"uncertain"})
    pending[2].append(f"正文：表格第{row.lines[0]}行没有自己的序号，作为第{it.number}项的续行保留。")
