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


def column_of(cell_copy: str, labels: Labels) -> Column | None:
    """The column a header cell names (`cell_copy`: the matching copy), or None."""
    if len(cell_copy) > 40:
        return None
    memo = (id(labels), cell_copy)
    if memo not in _MEMO:
        if len(_MEMO) > 50_000:
            _MEMO.clear()
        _MEMO[memo] = _column_of(cell_copy, labels)
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


def header_role(cell_copy: str, labels: Labels) -> str | None:
    col = column_of(cell_copy, labels)
    return col.role if col else None
