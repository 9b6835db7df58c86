"""items.csv and one CSV per list: the columns of items.json, for spreadsheets.

UTF-8 with a BOM, because Excel on Chinese Windows reads UTF-8 without one as GBK; CRLF rows (RFC 4180);
lists joined with 、; `true`/`false`; the progress entries as JSON text; null as an empty cell. A cell a
spreadsheet would run as a formula (one starting with =, +, -, @, a tab or a carriage return) gets a ' in
front, and so does a cell that already starts with ', so that removing one leading ' always gives back
the value.
"""
from __future__ import annotations

import csv
import io
import json
from typing import Iterable, Iterator

from .model import ItemList
from .opendata import Field

BOM = "\ufeff"
JOIN = "、"
QUOTE = "'"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", QUOTE)
ROWS_PER_CHUNK = 500      # rows encoded at a time: bounded memory, few writes


def list_csv(lst: ItemList) -> str:
    """Where one list's CSV is written (site-relative)."""
    return f"data/{lst.id}.csv"


def text(value, kind: str) -> str:
    """One value of items.json, of the declared type `kind`, as CSV text (before neutralising)."""
    if value is None:
        return ""
    if kind == "progress":
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")) if value else ""
    if kind == "boolean":
        return "true" if value else "false"
    if type(value) is list:
        return JOIN.join(map(str, value))
    return str(value)


def cell(value, kind: str) -> str:
    """One value of items.json as its CSV cell."""
    written = value if type(value) is str else text(value, kind)
    return QUOTE + written if written.startswith(FORMULA_START) else written


def restore(text: str) -> str:
    """A cell as written before neutralising: what a program reading the CSV should do to every cell."""
    return text[1:] if text.startswith(QUOTE) else text


def csv_header(fields: list[Field]) -> bytes:
    """The BOM and the header row: the keys, in declared order."""
    return (BOM + ",".join(f.name for f in fields) + "\r\n").encode()


def csv_rows(records: Iterable[dict], fields: list[Field]) -> Iterator[bytes]:
    """The rows' bytes, a few hundred rows at a time: records are made and dropped as they are written."""
    columns = [(f.name, f.type) for f in fields]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for n, record in enumerate(records, 1):
        writer.writerow([cell(record[name], kind) for name, kind in columns])
        if n % ROWS_PER_CHUNK == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def csv_chunks(records: Iterable[dict], fields: list[Field]) -> Iterator[bytes]:
    yield csv_header(fields)
    yield from csv_rows(records, fields)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    return data
