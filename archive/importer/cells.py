"""What a table cell looks like: the cost of putting a cell's text into a column that holds
units, people, deadlines, progress, yes/no or free text. Used to put cells back into their
columns when the flattening lost the boundaries (a merged cell, an empty cell, a cell of
several lines). Lower is a better fit; costs are small and comparable, not probabilities."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .labels import Labels
from .text import WS, is_person, is_unit, split_names

DEADLINE = re.compile(r"\d{1,2}\s*月|年底|年内|年中|季度|长期|底前|[上下]半年|\d{4}\s*年|前完成|持续|全年|\d{4}[-./]\d")
PROGRESS = re.compile(r"\d\s*[%％]|已|完成|正在|开工|竣工|推进|启动|滞后|进行|序时|达序")
YESNO = re.compile(r"^(是|否|已完成|未完成|达序|未达序|滞后|正常|超序时|序时)$")
NUMBER = re.compile(r"^\d{1,3}[、.．]?$")


def cell_number(text: str) -> int | None:
    t = text.strip(WS).rstrip("、.．")
    return int(t) if re.fullmatch(r"\d{1,4}", t) else None


def _units(text: str, labels: Labels) -> bool:
    names = split_names(text, labels)
    return bool(names) and all(is_unit(n) for n in names)


def _persons(text: str, labels: Labels) -> bool:
    names = split_names(text.replace(" ", "、"), labels)
    return bool(names) and all(is_person(n) for n in names)


@dataclass(frozen=True)
class Shape:
    """What one cell's text looks like, worked out once per cell."""
    text: str
    units: bool
    persons: bool
    deadline: bool        # short, with a month, 年底, 季度 …
    progress: bool
    yesno: bool
    number: bool


def shape(text: str, labels: Labels) -> Shape:
    t = text.strip(WS)
    units = _units(t, labels)
    return Shape(t, units, _persons(t, labels), bool(DEADLINE.search(t)) and len(t) <= 30 and not units,
                 bool(PROGRESS.search(t)), bool(YESNO.match(t)), bool(NUMBER.match(t)))


def fit(holds: str, s: Shape) -> float:
    if holds == "number":
        return 0.0 if s.number else 5.0
    if holds == "units":
        return 0.0 if s.units else 3.0
    if holds == "persons":
        return 0.0 if s.persons else 3.0
    if holds == "deadline":
        return 0.0 if s.deadline and not s.text.endswith("。") else (1.5 if s.deadline else 3.0)
    if holds == "yesno":
        return 0.0 if s.yesno else (1.5 if len(s.text) <= 6 else 2.5)
    if s.units or s.persons:
        return 3.0
    if holds == "progress":
        return 0.3 if s.progress else 1.0
    if holds == "text":
        return 1.5 if s.deadline and len(s.text) <= 12 else (0.6 if s.yesno else 0.2)
    return 1.0                                                   # any: a note, a category


def stay_cost(holds: str, s: Shape) -> float:
    """Another line in the same cell: natural for a list of units, rarer for text."""
    if holds == "units":
        return 0.1 if s.units else 3.5
    if holds in ("text", "progress", "any"):
        return 1.5
    return 3.5


def skip_cost(holds: str, role: str) -> float:
    """A column with no cell in a row (empty, or merged with the row above)."""
    if role in ("partners", "note", "person") or holds in ("any", "yesno"):
        return 0.6
    return 1.0
