"""The open-data stage: every file under /data/, written through one `write(path, chunks)` so the build
streams them to disk and `serve` keeps them in memory.

Written before the pages, because the data page shows each file's size; the data package last, because it
gives the size and hash of the files before it.
"""
from __future__ import annotations

import hashlib
from itertools import chain
from typing import Callable, Iterable, Iterator

from .csvdata import csv_header, csv_rows, list_csv
from .datapackage import Download, datapackage, dumps, items_schema
from .model import Archive, ItemList
from .opendata import item_record, items_json_chunks, load_declaration, records_json_part
from .pages.site import source_url

Write = Callable[[str, Iterable[bytes]], int]


def write_open_data(archive: Archive, base: str, write: Write, parts=None) -> dict[str, Download]:
    """Write items.json, items.csv, one CSV per list, items.schema.json and datapackage.json; returns what
    was written, by path, in writing order. `parts`: the build cache's content part (cache.ContentMemo),
    which keeps each list's part of items.json and its CSV rows: a list that did not change is not
    encoded again."""
    meta, fields = load_declaration()
    declared = hashlib.blake2b(repr(fields).encode(), digest_size=16).hexdigest()
    written: dict[str, Download] = {}

    def put(path: str, chunks: Iterable[bytes]) -> None:
        if isinstance(chunks, list):     # small and in memory: one piece, which the writer compares before writing
            data = b"".join(chunks)
            write(path, [data])
            written[path] = Download(path, len(data), hashlib.sha256(data).hexdigest())
            return
        tally = Tally(chunks)
        write(path, tally)
        written[path] = Download(path, tally.bytes, tally.sha256.hexdigest())

    def part(lst: ItemList, kind: str) -> bytes:
        found = parts.list_part(lst.id, kind, declared) if parts is not None else None
        if found is not None:
            return found
        if kind == "csv" or parts is None or not parts.keeps_list_parts(lst.id):
            return make(lst, kind)
        # The list's items.json part is made first: its CSV rows are made from the same records and kept in
        # the cache, where the CSV pass finds them (reading them back costs less than making every item's
        # record again: 1.2 s CPU at 100,000 items).
        records = list(map(item_record, lst.items))
        parts.keep_list_part(lst.id, "csv", declared, b"".join(csv_rows(records, fields)))
        return keep(lst, "json", records_json_part(records))

    def make(lst: ItemList, kind: str) -> bytes:
        records = map(item_record, lst.items)
        return keep(lst, kind, records_json_part(records) if kind == "json" else b"".join(csv_rows(records, fields)))

    def keep(lst: ItemList, kind: str, data: bytes) -> bytes:
        if parts is not None:
            parts.keep_list_part(lst.id, kind, declared, data)
        return data

    def rows_list_by_list() -> Iterator[bytes]:
        """items.csv's rows are every list's rows in order: each list's CSV is written on the way, from the
        same bytes."""
        for lst in archive.lists:
            rows = part(lst, "csv")
            put(list_csv(lst), [header, rows])
            yield rows

    header = csv_header(fields)
    put("data/items.json", items_json_chunks(part(lst, "json") for lst in archive.lists if lst.items))
    put("data/items.csv", chain([header], rows_list_by_list()))
    put("data/items.schema.json", [dumps(items_schema(meta, fields, base))])
    put("data/datapackage.json", [dumps(datapackage(meta, fields, base, written, archive.lists, source_url))])
    return written


class Tally:
    """Passes chunks through, counting their bytes and hashing them on the way."""

    def __init__(self, chunks: Iterable[bytes]):
        self.chunks, self.bytes, self.sha256 = chunks, 0, hashlib.sha256()

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.bytes += len(chunk)
            self.sha256.update(chunk)
            yield chunk
