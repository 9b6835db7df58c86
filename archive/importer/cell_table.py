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


def parse_cell_table(lines: list[tuple[int, str]], labels: Labels, start: int = 0) -> tuple[Table, int] | None:
    """`lines[start]` is a 序号 header cell. Returns the table and how many lines it used.
    (An index, not a slice: a long document may have many lines that look like a header.)"""
    cols = read_header(lines[start:start + 40], labels)
    c0 = next((j for j, c in enumerate(cols) if c.role == "number"), None)
    if len(cols) < 2 or c0 is None or any(c.role != "category" for c in cols[:c0]):
        return None
    headers = [t for _, t in lines[start:start + len(cols)]]
    table = Table([c.role for c in cols], headers, [], [no for no, _ in lines[start:start + len(cols)]])
    starts, k = [], start + len(cols)
    expected = None
    cells: list[tuple[int, str]] = []
    where: list[int] = []                # the index in `lines` of each cell
    bare = [despace(h) for h in headers]
    while k < len(lines):
        no, text = lines[k]
        if starts and despace(text) == bare[0] and [despace(t) for _, t in lines[k:k + len(cols)]] == bare:
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
        elif expected is None and len(cells) >= c0:      # before the first number: its category cells only
            break
        cells.append((no, text))
        where.append(k)
        if starts and len(cells) - starts[-1] > _TAIL * len(cols):
            break
        k += 1
    if not starts:
        return table, len(cols)          # a header without rows: kept, so the diagnosis can name it
    end = k
    bounds = starts + [len(cells)]
    incoming = _incoming(cells[:starts[0]])                     # the first row's category cells
    for r, (a, b) in enumerate(zip(bounds, bounds[1:])):
        last = r == len(starts) - 1
        rows, tail, incoming_next = align_row(cols, cells[a:b], labels, last, c0, incoming)
        table.rows += rows
        table.lines += [no for no, _ in cells[a:b - tail]] + [no for no, _ in cells[:starts[0]]] * (r == 0)
        incoming = incoming_next
        if tail:
            end = where[b - tail]
    carry_categories(table)
    fill_merged(table, cols)
    return table, end - start


def align_row(cols: list[Column], cells: list[tuple[int, str]], labels: Labels, last: bool, c0: int = 0,
              incoming: tuple[dict, list] = ({}, [])):
    """One row's cells (the first is its number) → (TableRow, sub-rows …), and how many cells
    at the end are not part of the table (only for the last row).

    A shortest path: each cell goes to a later column (skipping columns costs their skip cost),
    stays in the column of the cell before (a cell of several lines), starts a sub-row, goes to
    a column left of the number (a category) of the next row, or — in the last row — ends the
    table. States are (column, 0 | 1 in a sub-row | 2 the next row's); (-1, 1) is the end."""
    n = len(cols)
    pre = [0.0]
    for c in cols:
        pre.append(pre[-1] + skip_cost(c.holds, c.role))
    end_state = (-1, 1)
    cost = {(c0, 0): 0.0}
    back: list[dict] = []
    for _, text in cells[1:]:
        s = shape(text, labels)
        fits = [fit(c.holds, s) for c in cols]
        new: dict = {}
        bp: dict = {}

        def offer(state, value, came_from):
            if value < new.get(state, float("inf")):
                new[state] = value
                bp[state] = came_from
        for state, c in cost.items():
            j, sub = state
            if j == -1:
                offer(end_state, c + END, state)
                continue
            if sub == 2:                                   # the next row's category cells
                for j2 in range(j + 1, c0):
                    offer((j2, 2), c + fits[j2], state)
                continue
            if j > c0:
                offer(state, c + stay_cost(cols[j].holds, s) + fits[j] / 2, state)
            for j2 in range(j + 1, n):
                offer((j2, sub), c + pre[j2] - pre[j + 1] + fits[j2], state)
            rest = 0.0 if sub else pre[n] - pre[j + 1]
            for j2 in range(c0 + 1, j + 1):
                offer((j2, 1), c + rest + RESTART + fits[j2], state)
            for j2 in range(c0 if not last else 0):
                offer((j2, 2), c + rest + fits[j2], state)
            if last:
                offer(end_state, c + rest + END, state)
        cost = new
        back.append(bp)
    state = min(cost, key=lambda st: cost[st] + (0.0 if st[1] else pre[n] - pre[st[0] + 1]))
    if not cells[1:]:
        state = (c0, 0)
    path = []
    for bp in reversed(back):
        path.append(None if state == end_state else state)
        state = bp[state]
    path.reverse()
    tail = sum(1 for p in path if p is None)
    nxt = [(cell, p) for cell, p in zip(cells[1:], path) if p is not None and p[1] == 2]
    return _rows(cols, cells, path, c0, incoming), tail, _incoming([c for c, _ in nxt], [p[0] for _, p in nxt])


def _incoming(cells: list[tuple[int, str]], columns: list[int] | None = None) -> tuple[dict, list]:
    """Cells printed before a row's number (its category): ({column: [texts]}, [lines])."""
    got: dict[int, list[str]] = {}
    for k, (_, text) in enumerate(cells):
        got.setdefault(columns[k] if columns else 0, []).append(text)
    return got, [no for no, _ in cells]


def _rows(cols: list[Column], cells, path, c0: int, incoming: tuple[dict, list]) -> list[TableRow]:
    main: dict[int, list[str]] = {c0: [cells[0][1]], **incoming[0]}
    sub: dict[int, list[str]] = {}
    lines_main, lines_sub = [*incoming[1], cells[0][0]], []
    for (no, text), p in zip(cells[1:], path):
        if p is None or p[1] == 2:
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


def carry_categories(table: Table):
    """A category cell merged over several rows is printed once, above its first row."""
    current = ""
    for row in table.rows:
        current = row.cells.get("category", current)
        if current and row.numbered:
            row.cells["category"] = current


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
                row.uncertain_fields.append("deadline_text" if key == "deadline" else key)
                row.notes.append(f"第{row.lines[0]}行起的表格行缺少“{col.header}”一格（疑为合并单元格）："
                                 f"取自上一行。")
