"""A table dumped by a document viewer: the cells of each row run together with no delimiter,
on a few long lines that the viewer numbers itself ("1、" "2、" at line starts, cutting words).

    1、…分解表序号项目名称主要内容区政府分管领导牵头单位配合单位1扩大普惠托育供给新建…王某某区卫健委区教育局各街道2稳定…

Cell boundaries can only come from the shapes of the values: the header is read by matching
column names (columns.yaml) one after another; rows start at the next sequence number right
after a unit's name (or a repeated header); in a row, a person (王某某) separates the content
from the units, units are cut where a unit's ending is followed by another unit, and the title
is cut from the content before the first verb that starts a clause (columns.yaml
`content_starts`). Every row is flagged uncertain, with a note saying so."""
from __future__ import annotations

import bisect
import re

from .columns import Column, content_starts, header_at
from .labels import Labels, match_copy
from .model import Line
from .tables import Table, TableRow
from .text import is_unit

_MARKER = re.compile(r"^(\d{1,3})、")
_PERSON = re.compile(r"[\u4e00-\u9fff](?:某某|\*\*|××)")
_UNIT_START = set("区县市省各镇乡街相有团共")
_UNIT_END = set("局委联道司队办心府会院所站处室村)）")


def find_header(copy: str, labels: Labels) -> tuple[int, int, list[Column]] | None:
    """(start, end, columns) of four or more column names run together from a 序号."""
    for m in re.finditer("序号", copy):
        pos, cols = m.start(), []
        while (hit := header_at(copy, pos, labels)) is not None:
            pos, col = hit
            cols.append(col)
        if len(cols) >= 4 and cols[0].role == "number":
            return m.start(), pos, cols
    return None


def block(lines: list[Line], k: int) -> list[Line]:
    """The header's line and the lines after it that carry the viewer's next line numbers."""
    m = _MARKER.match(lines[k].copy)
    expected = (int(m.group(1)) if m else 1) + 1
    out = [lines[k]]
    for ln in lines[k + 1:]:
        m = _MARKER.match(ln.copy)
        if not m or int(m.group(1)) != expected:
            break
        out.append(ln)
        expected += 1
    return out


def read(lines: list[Line], labels: Labels) -> Table | None:
    for k, ln in enumerate(lines):
        if "序号" in ln.copy and ln.kind != "table":
            found = find_header(ln.copy, labels)
            if found:
                return _read_block(block(lines, k), labels)
    return None


def _read_block(run: list[Line], labels: Labels) -> Table | None:
    texts = [_MARKER.sub("", ln.text, count=1) for ln in run]     # the viewer's numbers cut words
    starts = [0]
    for t in texts:
        starts.append(starts[-1] + len(t))
    stream = "".join(texts)
    mc = match_copy(stream)
    hs, he, cols = find_header(mc.text, labels)
    header = mc.text[hs:he]
    rest, where = [], []                           # the copy after the header, repeated headers cut out
    boundaries, pos = set(), he
    for m in re.finditer(re.escape(header), mc.text[he:]):
        rest.append(mc.text[pos:he + m.start()])
        where.extend(range(pos, he + m.start()))
        pos = he + m.end()
        boundaries.add(len(where))
    rest.append(mc.text[pos:])
    where.extend(range(pos, len(mc.text)))
    rest = "".join(rest)

    def orig(i: int) -> int:
        return mc.to_orig(where[i]) if i < len(where) else len(stream)

    def orig_end(i: int) -> int:          # the end of a value: just after its last character
        return mc.to_orig(where[i - 1]) + 1 if 0 < i <= len(where) else orig(i)

    def line_of(i: int) -> int:
        return run[bisect.bisect_right(starts, orig(i)) - 1].no if i < len(where) else run[-1].no

    table = Table([c.role for c in cols], [c.header for c in cols], [], [ln.no for ln in run])
    rows = row_starts(rest, boundaries)
    for (a, n_end, num), b in zip(rows, [r[0] for r in rows[1:]] + [len(rest)]):
        cells, notes = split_row(rest[n_end:b], labels)
        row = TableRow(lines=sorted({line_of(a), line_of(max(b - 1, a))}), cells={"number": str(num)})
        for key, span in cells.items():
            spans = span if key in ("lead", "partners") else [span]
            value = "、".join(stream[orig(n_end + x):orig_end(n_end + y)] for x, y in spans)
            if value:
                row.cells[key] = value
        row.notes = [f"第{row.lines[0]}行（文档查看器导出的表格，单元格连在一起）：" + "".join(notes)]
        row.uncertain_fields = ["title", "lead", "partners"] if "lead" in cells else ["title"]
        table.rows.append(row)
    return table if table.rows else None


def row_starts(rest: str, boundaries: set[int]) -> list[tuple[int, int, int]]:
    """(start, end of the number, number) of each row: consecutive numbers, each right after a
    unit's name or a repeated header (a number inside the content follows neither)."""
    out = []
    m = re.match(r"\d{1,3}", rest)
    if not m:
        return out
    out.append((0, m.end(), int(m.group())))
    expected = int(m.group()) + 1
    pos = m.end()
    while True:
        for m in re.finditer(rf"(?<!\d){expected}(?![\d.．%])", rest[pos:]):
            at = pos + m.start()
            if at in boundaries or rest[at - 1] in _UNIT_END:
                out.append((at, at + len(str(expected)), expected))
                pos, expected = at + len(str(expected)), expected + 1
                break
        else:
            return out


def split_row(text: str, labels: Labels) -> tuple[dict, list[str]]:
    """A row's run-on cells → {"title": (start, end), "body": …, "lead": [(s, e)], "partners": […]}."""
    person = _PERSON.search(text)
    before_end = person.start() if person else len(text)
    cut = title_end(text[:before_end])
    cells = {"title": (0, cut), "body": (cut, before_end)}
    notes = ["标题与主要内容之间没有分隔，按内容开头的动词切分。"]
    if person:
        units, stop = unit_spans(text, person.end())
        if units:
            cells["lead"], cells["partners"] = units[:1], units[1:]
            notes.append("牵头单位与配合单位连在一起，第一个单位作为牵头单位。")
        if stop < len(text):
            cells["note"] = (stop, len(text))              # content sub-rows printed after the units
    return cells, notes


def title_end(text: str) -> int:
    """Where the content starts: the first verb of `content_starts` after a short title that is
    not itself followed by another verb (老旧小区改造|完成…, not 老旧小区|改造完成…)."""
    verbs = content_starts()
    first = None
    for p in range(4, min(len(text), 20)):          # a title has four characters at least
        v = next((v for v in verbs if text.startswith(v, p)), None)
        if v is None:
            continue
        first = p if first is None else first
        if not any(text.startswith(w, p + len(v)) for w in verbs):
            return p
    return first if first is not None else len(text)


def unit_spans(text: str, pos: int) -> tuple[list[tuple[int, int]], int]:
    """Units run together from `pos` ("区卫健委区教育局、区妇联"). A unit here begins like one
    (区, 县, 各 …) and ends where the next begins; it stops at the first text that is not a unit
    (content sub-rows printed after the units)."""
    spans = []
    while pos < len(text):
        if text[pos] in "、，,":
            pos += 1
            continue
        if text[pos] not in _UNIT_START:
            break
        ends = [e for e in range(pos + 2, min(len(text), pos + 24) + 1) if is_unit(text[pos:e])
                and (e == len(text) or text[e] not in "(（)）")]
        if not ends:
            break
        end = next((e for e in ends if e == len(text) or text[e] not in _UNIT_END), ends[-1])   # 区人社|局: not yet
        spans.append((pos, end))
        pos = end
    return spans, pos
