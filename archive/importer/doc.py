"""A source document as the readers see it: classified lines, and the shared record of
where every line went (metadata, unplaced, notices)."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from .labels import ROLES_INLINE, Labels, match_copy, prime
from .model import Line
from .numbering import CIRCLED, match_heading
from .text import WS, strip_line

PAGE_MARK = re.compile(r"^[-—–_－]+\s*\d{1,3}\s*[-—–_－]+$|^第\s*\d+\s*页(\s*共\s*\d+\s*页)?$")
_GLUED = re.compile(r"(?<=[。;！？!?])\s*(\d{1,3}|[一二三四五六七八九十])[、.](?!\d)")
_CN_OF = {n: s for n, s in enumerate("一二三四五六七八九十", 1)}


def _overlapping(rx: re.Pattern, text: str, pos: int):
    """Matches of rx starting at every position (a match may start inside the one before)."""
    while True:
        m = rx.search(text, pos)
        if not m:
            return
        yield m
        pos = m.start() + 1


def is_tab_row(text: str) -> bool:
    """"1\t城区学校扩容\t186\t县教育局": three or more cells separated by tabs."""
    return len([c for c in text.split("\t") if c.strip(WS)]) >= 3


@dataclass
class Doc:
    raw_lines: list[str]
    labels: Labels
    lines: list[Line] = field(default_factory=list)
    metadata_lines: list[tuple[int, str, str]] = field(default_factory=list)
    unplaced: list[tuple[int, str, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    table_lines: set[int] = field(default_factory=set)
    region: set[int] | None = None      # when set, the readers see only these lines (regions.py)

    def __post_init__(self):
        self._fields_memo: dict = {}
        self.field_rx_all = self.labels.field_regex()
        self.field_rx_inline = self.labels.field_regex(ROLES_INLINE)

    @classmethod
    def from_text(cls, text: str, labels: Labels) -> "Doc":
        raw = text.split("\n")
        if raw and raw[-1] == "":
            raw.pop()
        doc = cls(raw_lines=raw, labels=labels)
        doc.classify()
        return doc

    def free_lines(self) -> list[Line]:
        """The lines no table reader has taken (within the region, when one is set)."""
        if self.region is not None:
            return [ln for ln in self.lines if ln.no in self.region and ln.no not in self.table_lines]
        return [ln for ln in self.lines if ln.no not in self.table_lines]

    def fields_in(self, line: Line, start_copy: int = 0):
        """Labelled fields in a line from `start_copy` on: list of (role, label start, value start)
        as positions in the matching copy."""
        key = (line.copy, start_copy)
        if key in self._fields_memo:
            return self._fields_memo[key]
        self._fields_memo[key] = found = self._fields_in(line.copy, start_copy)
        return found

    def _fields_in(self, copy: str, start_copy: int):
        found, seen = [], set()
        m = self.field_rx_all.match(copy, start_copy)          # any label, at the start only
        if m:
            found.append((m.lastgroup, m.start(), m.end()))
            seen.add(m.start())
        for m in _overlapping(self.field_rx_inline, copy, start_copy):   # inline labels, anywhere
            at = m.start()
            before = copy[at - 1] if at > 0 else ""
            if (at == start_copy or before in " \t,;。、(:，；") and at not in seen:
                found.append((m.lastgroup, at, m.end()))
                seen.add(at)
        return sorted(found, key=lambda f: f[1])

    def copy_rest(self, ln: Line) -> int:
        """Position in the matching copy of the text after the line's numbering."""
        mc = match_copy(ln.text)
        if mc.orig is None:
            return min(ln.rest_at, len(mc.text))
        return bisect.bisect_left(mc.orig, ln.rest_at)

    def classify(self):
        prime([strip_line(raw) for raw in self.raw_lines])
        for i, raw in enumerate(self.raw_lines):
            text = strip_line(raw)
            if not text:
                continue
            line = Line(no=i + 1, text=text, copy=match_copy(text).text)
            if PAGE_MARK.match(text):
                line.kind = "page"              # "— 3 —": a page number, never content
            elif is_tab_row(text):
                line.kind = "table"             # an HTML table copied as text: cells between tabs
            elif self.is_header_line(line.copy):
                line.kind = "header"            # a table's header row printed as one line
            elif text.count("|") >= 2 or text.endswith("|"):
                line.kind = "table"
            else:
                h = match_heading(line.copy)
                if h:
                    line.kind, line.style, line.number = "heading", h[0], h[1]
                    line.rest_at = match_copy(text).to_orig(h[2])
                elif (fields := self.fields_in(line)) and fields[0][1] == 0:
                    line.kind = "field"
            for part in self._split_inline_sequence(line):
                self.lines.extend(self._split_glued(part))

    def is_header_line(self, copy: str) -> bool:
        """"序号 项目名称及内容 牵头单位 配合单位 完成时限": column names only, at least three."""
        from .columns import column_of
        cells = copy.split()
        return len(cells) >= 3 and "|" not in copy and all(column_of(c, self.labels) for c in cells)

    def _split_glued(self, line: Line) -> list[Line]:
        """"5、…滞后。6、城镇老旧小区…": the next item glued after a sentence of this one."""
        if line.kind != "heading" or line.style not in ("arabic", "cn"):
            return [line]
        cuts, expected = [], line.number + 1
        for m in _GLUED.finditer(line.copy, 1):
            numeral = str(expected) if line.style == "arabic" else _CN_OF.get(expected)
            if m.group(1) == numeral:
                cuts.append(m.start())
                expected += 1
        if not cuts:
            return [line]
        mc = match_copy(line.text)
        bounds = [0] + [mc.to_orig(c) for c in cuts] + [len(line.text)]
        return [_part(line.no, line.text[a:b].strip(WS)) for a, b in zip(bounds, bounds[1:])]

    def _split_inline_sequence(self, line: Line) -> list[Line]:
        """A line holding several circled-numbered items "①…；②…" becomes one line per item."""
        starts = [m.start() for m in re.finditer(f"[{CIRCLED}]", line.copy)
                  if m.start() == 0 or line.copy[m.start() - 1] in ";；。,，:： "]
        if len(starts) < 2 or line.kind == "table":
            return [line]
        mc = match_copy(line.text)
        parts = []
        if starts[0] > 0:
            head = line.text[:mc.to_orig(starts[0])].strip(WS)
            if head:
                parts.append(head)
        bounds = starts + [len(line.copy)]
        for a, b in zip(bounds, bounds[1:]):
            parts.append(line.text[mc.to_orig(a):mc.to_orig(b)].strip(WS))
        return [_part(line.no, p) for p in parts]


def _part(no: int, text: str) -> Line:
    """One piece of a split line, classified as a heading where it starts with a number."""
    part = Line(no=no, text=text, copy=match_copy(text).text)
    h = match_heading(part.copy)
    if h:
        part.kind, part.style, part.number = "heading", h[0], h[1]
        part.rest_at = match_copy(text).to_orig(h[2])
    return part
