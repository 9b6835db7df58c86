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
    missing: list[int] = field(default_factory=list)   # columns without a cell (one-cell-per-line tables)
    uncertain_fields: list[str] = field(default_factory=list)   # the fields the notes are about


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
    return int(c) if re.fullmatch(r"\d{1,4}", c) else None


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
    bare = [despace(h) for h in headers]
    for no, text in run[start + 1:]:
        cells = split_pipe_row(text)
        if cells and despace(cells[0]) == bare[0] and [despace(c) for c in cells] == bare:
            continue                                        # header repeated on a new page
        cells = cells[:ncols]
        num_at = next((i for i, c in enumerate(cells) if is_number_cell(c) is not None), None)
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
