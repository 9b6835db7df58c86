"""A source document as the readers see it: classified lines, and the shared record of
where every line went (metadata, unplaced, notices)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .labels import ROLES_INLINE, Labels, match_copy
from .model import Line
from .numbering import CIRCLED, match_heading
from .text import WS, strip_line

PAGE_MARK = re.compile(r"^[-—–_－]+\s*\d{1,3}\s*[-—–_－]+$|^第\s*\d+\s*页(\s*共\s*\d+\s*页)?$")
_CN_OF = {n: s for n, s in enumerate("一二三四五六七八九十", 1)}


@dataclass
class Doc:
    raw_lines: list[str]
    labels: Labels
    lines: list[Line] = field(default_factory=list)
    metadata_lines: list[tuple[int, str, str]] = field(default_factory=list)
    unplaced: list[tuple[int, str, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    table_lines: set[int] = field(default_factory=set)

    def __post_init__(self):
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
        """The lines no table reader has taken."""
        return [ln for ln in self.lines if ln.no not in self.table_lines]

    def fields_in(self, line: Line, start_copy: int = 0):
        """Labelled fields in a line from `start_copy` on: list of (role, label start, value start)
        as positions in the matching copy."""
        found = []
        copy = line.copy
        for rx, anywhere in ((self.field_rx_all, False), (self.field_rx_inline, True)):
            pos = start_copy
            while True:
                m = rx.search(copy, pos)
                if not m:
                    break
                at = m.start()
                before = copy[at - 1] if at > 0 else ""
                ok = at == start_copy if not anywhere else (
                    at == start_copy or before in " \t,;。、(:" or before in "，；")
                if ok and not any(f[1] == at for f in found):
                    found.append((m.lastgroup, at, m.end()))
                pos = m.start() + 1
                if not anywhere:
                    break
        return sorted(found, key=lambda f: f[1])

    def copy_rest(self, ln: Line) -> int:
        """Position in the matching copy of the text after the line's numbering."""
        mc = match_copy(ln.text)
        for i, o in enumerate(mc.orig):
            if o >= ln.rest_at:
                return i
        return len(mc.text)

    def classify(self):
        for i, raw in enumerate(self.raw_lines):
            text = strip_line(raw)
            if not text:
                continue
            line = Line(no=i + 1, text=text, copy=match_copy(text).text)
            if PAGE_MARK.match(text):
                line.kind = "page"              # "— 3 —": a page number, never content
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
        out = [line]
        while out[-1].kind == "heading" and out[-1].style in ("arabic", "cn"):
            cur = out[-1]
            nxt = cur.number + 1
            numeral = str(nxt) if cur.style == "arabic" else _CN_OF.get(nxt)
            if numeral is None:
                break
            m = re.search(rf"(?<=[。;！？!?])\s*{numeral}[、.](?!\d)", cur.copy[1:])
            if not m:
                break
            mc = match_copy(cur.text)
            cut = mc.to_orig(m.start() + 1)
            head, tail = cur.text[:cut].strip(WS), cur.text[cut:].strip(WS)
            cur.text, cur.copy = head, match_copy(head).text
            sub = Line(no=cur.no, text=tail, copy=match_copy(tail).text)
            h = match_heading(sub.copy)
            if not h:
                break
            sub.kind, sub.style, sub.number = "heading", h[0], h[1]
            sub.rest_at = match_copy(tail).to_orig(h[2])
            out.append(sub)
        return out

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
        out = []
        for p in parts:
            sub = Line(no=line.no, text=p, copy=match_copy(p).text)
            h = match_heading(sub.copy)
            if h:
                sub.kind, sub.style, sub.number = "heading", h[0], h[1]
                sub.rest_at = match_copy(p).to_orig(h[2])
            out.append(sub)
        return out
