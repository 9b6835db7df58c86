"""A document's lines → items, by the layout reader that fits each region best.

    read_document(lines) -> (items, unplaced, diagnosis)     the interface other commands use
    parse(text) -> ImportResult                               everything, for the import command

Regions: the tables (each read by the table readers), then the rest of the text, read by the
text reader whose `detect` scores highest. Every non-blank line ends up in an item's
source_lines, in the list metadata or in the report of unplaced lines.
"""
from __future__ import annotations

from ..collector import paused
from .diagnose import diagnose
from .doc import Doc
from .labels import Labels, load_labels
from .metadata import detect_metadata
from .model import ImportResult, Item
from .readers import choose, tables as table_reader
from .regions import report_other_lists


def parse(text: str, labels: Labels | None = None) -> ImportResult:
    """Parse the text of a published list (already decoded, '\\n' line endings)."""
    # The parse allocates many small objects and frees them together at the end: the cyclic
    # collector's passes over them doubled the time of a 1 MB document (benchmarks/import_speed.py).
    with paused():
        return _parse(text, labels)


def _parse(text: str, labels: Labels | None) -> ImportResult:
    doc = Doc.from_text(text, labels or load_labels())
    tables = table_reader.find(doc)
    best = choose(doc)
    items = best.read(doc) if best else _no_reader(doc)
    items = table_reader.merge(doc, tables, items)
    report_other_lists(doc, items)
    items.sort(key=lambda it: (it.source_lines[0] if it.source_lines else 0))
    result = ImportResult(items=items, metadata_lines=sorted(doc.metadata_lines), unplaced=sorted(doc.unplaced),
                          metadata=detect_metadata(doc.metadata_lines, doc.raw_lines), notices=doc.notices,
                          readers=sorted({it.reader for it in items}))
    if not items:
        result.diagnosis = diagnose(doc, tables)
    return result


def _no_reader(doc: Doc) -> list[Item]:
    """No text reader recognised anything: the free lines are the list's preamble."""
    for ln in doc.free_lines():
        doc.metadata_lines.append((ln.no, ln.text, "preamble"))
    return []


def read_document(lines: list[str], labels: Labels | None = None
                  ) -> tuple[list[Item], list[tuple[int, str, str]], list[str]]:
    """The source's lines (as split on '\\n') → (items, unplaced lines (line, text, why), diagnosis).

    The diagnosis is empty when items were found; otherwise it says, line by line, what the
    readers saw (a table header without rows, labels without items …)."""
    result = parse("\n".join(lines), labels)
    return result.items, result.unplaced, result.diagnosis
