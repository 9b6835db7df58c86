"""Table column headers (columns.yaml, plus every field label of labels.yaml) → what the
column is for (`role`) and what its cells look like (`holds`)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .labels import Labels

COLUMNS_FILE = Path(__file__).with_name("columns.yaml")
_HOLDS_OF_ROLE = {"body": "text", "deadline": "deadline", "lead": "units", "partners": "units",
                  "status": "progress"}


@dataclass(frozen=True)
class Column:
    role: str
    holds: str
    header: str = ""


@functools.lru_cache(maxsize=4)
def _load(path: Path = COLUMNS_FILE) -> tuple[dict[str, Column], tuple[tuple[re.Pattern, Column], ...]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    names, patterns = {}, []
    for entry in data.get("columns") or ():
        col = Column(entry["role"], entry["holds"])
        for name in entry.get("names") or ():
            names.setdefault(name, col)
        for p in entry.get("patterns") or ():
            patterns.append((re.compile(p), col))
    return names, tuple(patterns)


_MEMO: dict = {}
_KEEP: dict = {}


def column_of(cell_copy: str, labels: Labels) -> Column | None:
    """The column a header cell names (`cell_copy`: the matching copy), or None."""
    if len(cell_copy) > 40:
        return None
    memo = (id(labels), cell_copy)
    if memo not in _MEMO:
        if len(_MEMO) > 50_000:
            _MEMO.clear()
        _MEMO[memo] = _column_of(cell_copy, labels)
        _KEEP[id(labels)] = labels       # an id is only unique while its object lives
    return _MEMO[memo]


def _column_of(cell_copy: str, labels: Labels) -> Column | None:
    key = re.sub(r"\s+", "", cell_copy).rstrip(":").rstrip("|")
    if not key or len(key) > 16:
        return None
    names, patterns = _load()
    if key in names:
        return Column(names[key].role, names[key].holds, key)
    for role, holds in _HOLDS_OF_ROLE.items():
        if key in labels.by_role.get(role, ()):
            return Column(role, holds, key)
    if any(p.fullmatch(key) for p in labels.status_patterns):
        return Column("status", "progress", key)
    for rx, col in patterns:
        if rx.fullmatch(key):
            return Column(col.role, col.holds, key)
    return None


_ALL: dict = {}


def all_names(labels: Labels) -> list[tuple[str, Column]]:
    """Every header name with its column, longest first (to read headers run together)."""
    if id(labels) not in _ALL:
        _ALL.clear()
        _ALL[id(labels)] = (labels, _all_names(labels))     # labels kept: its id stays its own
    return _ALL[id(labels)][1]


def _all_names(labels: Labels) -> list[tuple[str, Column]]:
    names, _ = _load()
    out = dict(names)
    for role, holds in _HOLDS_OF_ROLE.items():
        for name in labels.by_role.get(role, ()):
            out.setdefault(name, Column(role, holds))
    return sorted(((n, Column(c.role, c.holds, n)) for n, c in out.items()), key=lambda nc: -len(nc[0]))


def header_at(copy: str, pos: int, labels: Labels) -> tuple[int, Column] | None:
    """The column name printed at `pos` of a run of names (the longest name, else a pattern)."""
    hit = next(((n, c) for n, c in all_names(labels) if copy.startswith(n, pos)), None)
    if hit:
        return pos + len(hit[0]), hit[1]
    for rx, col in _load()[1]:
        m = rx.match(copy, pos)
        if m:
            return m.end(), Column(col.role, col.holds, m.group())
    return None


@functools.lru_cache(maxsize=1)
def content_starts(path: Path = COLUMNS_FILE) -> tuple[str, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(data.get("content_starts") or ())


def header_role(cell_copy: str, labels: Labels) -> str | None:
    col = column_of(cell_copy, labels)
    return col.role if col else None
