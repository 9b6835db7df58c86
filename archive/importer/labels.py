"""The label table (labels.yaml) and the matching copy of a line.

The matching copy folds full-width to half-width, Traditional to Simplified and drops
pinyin annotations, keeping a map from every position of the copy back to the original
line, so that values are always cut from the text as published.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

LABELS_FILE = Path(__file__).with_name("labels.yaml")

ROLES_INLINE = ("deadline", "lead", "partners", "status", "person", "title")   # may share a line with other text
ROLES_FIELD = ("body",) + ROLES_INLINE                      # labelled fields in running text

_PINYIN = re.compile(
    r"(?<=[\u3400-\u9fff])\((?:[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]*|[a-z]+[1-5]?)\)")


@dataclass(frozen=True)
class Labels:
    by_role: dict[str, tuple[str, ...]]
    status_patterns: tuple[re.Pattern, ...]
    join_to_previous: frozenset[str]

    def field_regex(self, roles=ROLES_FIELD) -> re.Pattern:
        """`label:` with the role as group name; longest labels first."""
        parts = []
        for role in roles:
            alts = sorted(self.by_role.get(role, ()), key=len, reverse=True)
            pats = [re.escape(a) for a in alts]
            if role == "status":
                pats += [p.pattern for p in self.status_patterns]
            if pats:
                parts.append(f"(?P<{role}>{'|'.join(pats)})")
        return re.compile(r"(?:" + "|".join(parts) + r")\s*:")

    def role_of_header(self, cell: str) -> str | None:
        """The role of a table header cell (columns.yaml, then the field labels)."""
        from .columns import header_role
        return header_role(cell, self)


@functools.lru_cache(maxsize=8)
def load_labels(path: Path = LABELS_FILE) -> Labels:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    by_role = {role: tuple(data.get(role) or ()) for role in ROLES_FIELD}
    return Labels(
        by_role=by_role,
        status_patterns=tuple(re.compile(p) for p in data.get("status_patterns") or ()),
        join_to_previous=frozenset(data.get("join_to_previous") or ()),
    )


@functools.lru_cache(maxsize=1)
def _t2s():
    import opencc
    return opencc.OpenCC("t2s")


_FOLD = {**{o: o - 0xFEE0 for o in range(0xFF01, 0xFF5F)}, 0x3000: 0x20}   # full width → half width
_PRIMED: dict[str, "MatchCopy"] = {}


@dataclass(frozen=True)
class MatchCopy:
    """`text` is the matching copy; `orig[i]` is the index in the original line of text[i]
    (`orig` is None when nothing was removed: the positions are the same)."""
    text: str
    orig: tuple[int, ...] | None
    length: int   # length of the original line

    def to_orig(self, i: int) -> int:
        if self.orig is None:
            return min(i, self.length)
        return self.orig[i] if i < len(self.orig) else self.length


def _build(line: str, simp: str) -> MatchCopy:
    if "(" not in simp:
        return MatchCopy(simp, None, len(line))
    keep = [True] * len(simp)
    for m in _PINYIN.finditer(simp):
        for i in range(m.start(), m.end()):
            keep[i] = False
    if all(keep):
        return MatchCopy(simp, None, len(line))
    text = "".join(c for c, k in zip(simp, keep) if k)
    return MatchCopy(text, tuple(i for i, k in enumerate(keep) if k), len(line))


def prime(lines: list[str]):
    """Make the matching copies of a whole document in one conversion (a call per line is slow)."""
    folded = [line.translate(_FOLD) for line in lines]
    simp = _t2s().convert("\n".join(folded)).split("\n")
    _PRIMED.clear()
    if len(simp) != len(folded):
        return
    for line, f, s in zip(lines, folded, simp):
        if len(f) == len(s):
            _PRIMED[line] = _build(line, s)


def match_copy(line: str) -> MatchCopy:
    got = _PRIMED.get(line)
    return got if got is not None else _match_copy(line)


@functools.lru_cache(maxsize=8192)
def _match_copy(line: str) -> MatchCopy:
    folded = line.translate(_FOLD)
    simp = _t2s().convert(folded)
    if len(simp) != len(folded):   # a phrase conversion changed the length: go char by char
        simp = "".join(_t2s().convert(c) if len(_t2s().convert(c)) == 1 else c for c in folded)
    return _build(line, simp)
