"""items.csv and one CSV per list: the columns of items.json, for spreadsheets.

UTF-8 with a BOM, because Excel on Chinese Windows reads UTF-8 without one as GBK; CRLF rows (RFC 4180);
lists joined with 、; null as an empty cell. A cell a spreadsheet would run as a formula (one starting with
=, +, -, @, a tab or a carriage return) gets a ' in front, and so does a cell that already starts with ',
so that removing one leading ' always gives back the value.
"""
from __future__ import annotations

import csv
import io
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


def cell(value) -> str:
    """One value of items.json as its CSV cell."""
    if type(value) is str:
        text = value
    elif value is None:
        text = ""
    elif type(value) is list:
        text = JOIN.join(map(str, value))
    else:
        text = str(value)
    return QUOTE + text if text.startswith(FORMULA_START) else text


def restore(text: str) -> str:
    """A cell as written before neutralising: what a program reading the CSV should do to every cell."""
    return text[1:] if text.startswith(QUOTE) else text


def csv_header(fields: list[Field]) -> bytes:
    """The BOM and the header row: the keys, in declared order."""
    return (BOM + ",".join(f.name for f in fields) + "\r\n").encode()


def csv_rows(records: Iterable[dict], fields: list[Field]) -> Iterator[bytes]:
    """The rows' bytes, a few hundred rows at a time: records are made and dropped as they are written."""
    names = [f.name for f in fields]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for n, record in enumerate(records, 1):
        writer.writerow([cell(record[name]) for name in names])
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
