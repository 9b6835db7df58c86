"""A table flattened to one cell per line (or one `cell |` per line), rebuilt.

The header is a run of header cells (columns.yaml). Rows start at the sequence column's
numbers — consecutive integers, possibly starting mid-list. The cells of a row are put back
into columns by what each column holds (cells.py), so that a merged or empty cell, a cell
of several lines (units one per line) and a sub-row without a number are recognised.
"""
from __future__ import annotations


from .cells import cell_number, fit, shape, skip_cost, stay_cost
from .columns import Column, column_of
from .doc import PAGE_MARK
from .labels import Labels, match_copy
from .tables import Table, TableRow, despace

RESTART, END = 2.0, 1.5
_TAIL = 12          # cells after the last row's number considered as its cells at most, per column


def read_header(lines: list[tuple[int, str]], labels: Labels) -> list[Column]:
    cols = []
    for _, text in lines:
        col = column_of(match_copy(text).text, labels)
        if col is None:
            break
        cols.append(col)
    return cols


def parse_cell_table(lines: list[tuple[int, str]], labels: Labels) -> tuple[Table, int] | None:
    """`lines` start at a 序号 header cell. Returns the table and how many lines it used."""
    cols = read_header(lines, labels)
    if len(cols) < 2 or cols[0].role != "number":
        return None
    headers = [t for _, t in lines[:len(cols)]]
    table = Table([c.role for c in cols], headers, [], [no for no, _ in lines[:len(cols)]])
    starts, k = [], len(cols)
    expected = None
    cells: list[tuple[int, str]] = []
    while k < len(lines):
        no, text = lines[k]
        if [despace(t) for _, t in lines[k:k + len(cols)]] == [despace(h) for h in headers]:
            table.lines += [n for n, _ in lines[k:k + len(cols)]]    # header repeated after a page break
            k += len(cols)
            continue
        if PAGE_MARK.match(text):
            table.lines.append(no)
            k += 1
            continue
        n = cell_number(text)
        if n is not None and (expected is None or n == expected):
            starts.append(len(cells))
            expected = n + 1
        elif expected is None:
            break
        cells.append((no, text))
        if starts and len(cells) - starts[-1] > _TAIL * len(cols):
            break
        k += 1
    if not starts:
        return table, len(cols)          # a header without rows: kept, so the diagnosis can name it
    used_until = lines[k - 1][0] if k else 0
    bounds = starts + [len(cells)]
    for r, (a, b) in enumerate(zip(bounds, bounds[1:])):
        last = r == len(starts) - 1
        rows, tail = align_row(cols, cells[a:b], labels, last)
        table.rows += rows
        table.lines += [no for no, _ in cells[a:b - tail]]
        if tail:
            used_until = cells[b - tail][0] - 1
    fill_merged(table, cols)
    used = sum(1 for no, _ in lines if no <= used_until)
    return table, used


def align_row(cols: list[Column], cells: list[tuple[int, str]], labels: Labels, last: bool):
    """One row's cells (the first is its number) → (TableRow, sub-rows …), and how many cells
    at the end are not part of the table (only for the last row)."""
    body = cells[1:]
    n = len(cols)
    inf = float("inf")
    skip = [skip_cost(c.holds, c.role) for c in cols]
    # best[(j, sub)] = (cost, path); j = column of the latest cell, sub: in a sub-row; j = -1: end
    best = {(0, 0): (0.0, [])}
    for _, text in body:
        nxt: dict = {}
        s = shape(text, labels)
        fits = [fit(c.holds, s) for c in cols]

        def offer(state, cost, path):
            if cost < nxt.get(state, (inf,))[0]:
                nxt[state] = (cost, path)
        for (j, sub), (cost, path) in best.items():
            if j == -1:
                offer((-1, 1), cost + END, path + [None])
                continue
            if j > 0:
                offer((j, sub), cost + stay_cost(cols[j].holds, s) + fits[j] / 2,
                      path + [(j, sub)])
            for j2 in range(max(j, 0) + 1, n):
                offer((j2, sub), cost + sum(skip[j + 1:j2]) + fits[j2], path + [(j2, sub)])
            if j > 0:
                rest = 0.0 if sub else sum(skip[j + 1:])
                for j2 in range(1, j + 1):
                    offer((j2, 1), cost + rest + RESTART + fits[j2], path + [(j2, 1)])
            if last:
                rest = 0.0 if sub else sum(skip[j + 1:])
                offer((-1, 1), cost + rest + END, path + [None])
        best = nxt
    final = min(best.items(), key=lambda kv: kv[1][0] + (0.0 if kv[0][1] or kv[0][0] == -1
                                                          else sum(skip[kv[0][0] + 1:])))
    path = final[1][1]
    tail = sum(1 for p in path if p is None)
    return _rows(cols, cells, path), tail


def _rows(cols: list[Column], cells, path) -> list[TableRow]:
    main: dict[int, list[str]] = {0: [cells[0][1]]}
    sub: dict[int, list[str]] = {}
    lines_main, lines_sub = [cells[0][0]], []
    for (no, text), p in zip(cells[1:], path):
        if p is None:
            continue
        j, in_sub = p
        (sub if in_sub else main).setdefault(j, []).append(text)
        (lines_sub if in_sub else lines_main).append(no)
    rows = [_row(cols, main, lines_main, True)]
    if sub:
        rows.append(_row(cols, sub, lines_sub, False))
    return rows


def _row(cols: list[Column], got: dict[int, list[str]], lines: list[int], numbered: bool) -> TableRow:
    row = TableRow(lines=lines, cells={}, numbered=numbered)
    for j, col in enumerate(cols):
        parts = got.get(j)
        if not parts:
            continue
        sep = "、" if col.holds == "units" else ""
        text = sep.join(despace(p) for p in parts)
        key = f"status:{col.header}" if col.role == "status" else col.role
        row.cells[key] = text if key not in row.cells else row.cells[key] + " " + text
    row.missing = [j for j in range(len(cols)) if not got.get(j)]
    return row


def fill_merged(table: Table, cols: list[Column]):
    """A cell most rows have but this row lacks: merged with the row above (a deadline or unit
    shared by several rows). Copied, and the row is flagged."""
    rows = [r for r in table.rows if r.numbered]
    for j, col in enumerate(cols):
        have = sum(1 for r in rows if j not in r.missing)
        if have * 2 <= len(rows) or col.role in ("person", "note", "status", "category"):
            continue
        key = col.role
        for above, row in zip(rows, rows[1:]):
            if j in row.missing and key in above.cells and row is not rows[-1]:
                row.cells[key] = above.cells[key]
                row.notes.append(f"第{row.lines[0]}行起的表格行缺少“{col.header}”一格（疑为合并单元格）："
                                 f"取自上一行。")
