"""Tables flattened by text extraction: `|`-separated rows, or one cell per line."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .labels import Labels, match_copy

_SPACE = re.compile(r"\s+")


def despace(cell: str) -> str:
    """Drop spaces the extraction put into table cells ("市民 政局" → "市民政局"),
    keeping those between two ASCII letters or digits."""
    def keep(m: re.Match) -> str:
        s, e = m.start(), m.end()
        before = m.string[s - 1] if s > 0 else ""
        after = m.string[e] if e < len(m.string) else ""
        return " " if before.isascii() and before.isalnum() and after.isascii() and after.isalnum() else ""
    return _SPACE.sub(keep, cell.strip())


@dataclass
class TableRow:
    lines: list[int]                       # line numbers the row came from
    cells: dict[str, str]                  # role → text (despaced), "status:<header>" for status columns
    numbered: bool = True                  # False: a sub-row without its own number
    notes: list[str] = field(default_factory=list)


@dataclass
class Table:
    roles: list[str | None]
    headers: list[str]
    rows: list[TableRow]
    lines: list[int]                       # every line the table used (header, rows, repeated headers)


def split_pipe_row(text: str) -> list[str]:
    cells = [c.strip() for c in text.split("|")]
    if text.strip().startswith("|"):
        cells = cells[1:]
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def is_number_cell(cell: str) -> int | None:
    c = match_copy(cell.strip()).text.strip().rstrip(".、")
    return int(c) if re.fullmatch(r"\d{1,3}", c) else None


def header_roles(cells: list[str], labels: Labels) -> list[str | None] | None:
    """Roles of header cells if at least two cells are known column headers, else None."""
    roles = [labels.role_of_header(match_copy(c).text) for c in cells]
    known = [r for r in roles if r]
    return roles if len(known) >= 2 else None


def _cells_to_row(roles, headers, cells, lines) -> TableRow:
    row = TableRow(lines=lines, cells={})
    for role, header, cell in zip(roles, headers, cells):
        if not role or not cell:
            continue
        text = despace(cell)
        key = f"status:{despace(header)}" if role == "status" else role
        row.cells[key] = (row.cells[key] + "、" + text) if key in row.cells and role in ("lead", "partners") else text
    return row


def parse_pipe_table(run: list[tuple[int, str]], labels: Labels) -> Table | None:
    """`run`: consecutive (line number, text) rows containing `|`. None if there is no header row."""
    start = None
    for k, (no, text) in enumerate(run):
        roles = header_roles(split_pipe_row(text), labels)
        if roles:
            start = k
            break
    if start is None:
        return None
    _, header_text = run[start]
    headers = split_pipe_row(header_text)
    roles = header_roles(headers, labels)
    ncols = len(headers)
    num_col = roles.index("number") if "number" in roles else None
    table = Table(roles, headers, [], [no for no, _ in run[start:]])
    previous: list[str] = [""] * ncols
    for no, text in run[start + 1:]:
        cells = split_pipe_row(text)
        if header_roles(cells, labels) and [despace(c) for c in cells] == [despace(h) for h in headers]:
            continue                                        # header repeated on a new page
        cells = cells[:ncols]
        num_at = next((i for i, c in enumerate(cells) if is_number_cell(c) is not None), None)
        notes = []
        if num_col is not None and num_at is not None and num_at <= num_col:
            offset = num_col - num_at
            numbered = True
        elif num_col is not None and len(cells) <= ncols - num_col - 1:
            offset = num_col + 1                             # a sub-row: its cells follow the number column
            numbered = False
        else:
            offset = max(ncols - len(cells), 0)
            numbered = num_col is None
        aligned = [""] * offset + cells
        aligned += [""] * (ncols - len(aligned))
        if numbered and offset:
            for i in range(offset):                        # merged cell: carried from the row above
                aligned[i] = previous[i]
        row = _cells_to_row(roles, headers, aligned, [no])
        row.numbered = numbered
        table.rows.append(row)
        previous = aligned
    return table


def parse_cell_table(lines: list[tuple[int, str]], labels: Labels) -> tuple[Table, int] | None:
    """A table flattened to one cell per line: a run of >= 2 header lines, then cells.

    Returns the table and how many of `lines` it used, or None."""
    k = 0
    roles, headers = [], []
    while k < len(lines):
        role = labels.role_of_header(match_copy(lines[k][1]).text)
        if role is None:
            break
        roles.append(role)
        headers.append(lines[k][1])
        k += 1
    if len(roles) < 2 or roles[0] != "number":
        return None
    ncols = len(roles)
    table = Table(roles, headers, [], [no for no, _ in lines[:k]])
    expected = 1
    rows_cells: list[tuple[list[int], list[str]]] = []
    while k < len(lines):
        no, text = lines[k]
        n = is_number_cell(text)
        if n is not None and (n == expected or not rows_cells):
            rows_cells.append(([no], [text]))
            expected = n + 1
            k += 1
            continue
        if [lines[j][1] for j in range(k, min(k + ncols, len(lines)))] == headers:
            table.lines += [lines[j][0] for j in range(k, k + ncols)]
            k += ncols
            continue
        if not rows_cells:
            break
        rows_cells[-1][0].append(no)
        rows_cells[-1][1].append(text)
        k += 1
    # the last row takes at most one row's worth of cells: the rest is text after the table
    if rows_cells and len(rows_cells[-1][1]) > ncols:
        extra = len(rows_cells[-1][1]) - ncols
        rows_cells[-1] = (rows_cells[-1][0][:ncols], rows_cells[-1][1][:ncols])
        k -= extra
    previous = [""] * ncols
    for line_nos, cells in rows_cells:
        table.lines += line_nos
        notes = []
        if len(cells) == ncols:
            aligned = cells
        elif len(cells) < ncols:
            aligned = cells + previous[len(cells):]
            notes.append(f"第{line_nos[0]}行起的表格行只有{len(cells)}格（共{ncols}列，疑为合并单元格）："
                         f"缺少的后几格取自上一行。")
        elif len(cells) == 2 * ncols - 1:
            aligned = cells[:ncols]
            sub = _cells_to_row(roles[1:], headers[1:], cells[ncols:], line_nos[ncols:])
            row = _cells_to_row(roles, headers, aligned, line_nos[:ncols])
            table.rows.append(row)
            sub.numbered = False
            table.rows.append(sub)
            previous = aligned
            continue
        else:
            aligned = cells[:ncols - 1] + ["".join(cells[ncols - 1:])]
            notes.append(f"第{line_nos[0]}行起的表格行有{len(cells)}格（共{ncols}列）：多出的各行并入最后一列。")
        row = _cells_to_row(roles, headers, aligned, line_nos)
        row.notes = notes
        table.rows.append(row)
        previous = aligned
    return table, k
