"""Text of a published list → items. Generic: nothing here knows any particular source.

How a document is read:
1. every non-blank line is classified on its matching copy (labels.py): a table row
   (`|`), a numbered line (numbering.py), a labelled field (`牵头部门:`), or text;
   runs of header cells one per line start a flattened table (tables.py);
2. the item level is the numbering style whose lines carry labelled fields (or the
   only style present); higher styles are category headings, lower ones are measures;
3. lines are walked in order: each belongs to the current item, to the list's
   metadata (preamble, headings, tables), or, when nothing can take it, to the report
   of unplaced lines. Nothing is dropped silently.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .labels import ROLES_INLINE, Labels, load_labels, match_copy
from .numbering import CIRCLED, RANK, REDACTED_MEASURE, match_heading
from .tables import Table, despace, parse_cell_table, parse_pipe_table
from . import markdown_body

_WS = " \t\u3000\u00a0\ufeff"
_TERMINAL = "。！？!?；;：:…"
_CLOSERS = "”’」』）)】》\"'"
_SEP = ",，;；、 "
_COUNT = re.compile(r"\s*[(（]\s*\d+\s*项\s*[)）]\s*$")
_DEPT_SUFFIX = re.compile(r"(局|委|办|办公室|部|院|会|中心|政府|街道|公司|集团|队|所|站|处|室|厅|社|行|馆|团|联|署)$")
_DATE = re.compile(r"(20\d\d)\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})")
_YEAR = re.compile(r"(20\d\d)\s*年")


@dataclass
class Line:
    no: int            # 1-based line number in the source
    text: str          # the line as published, outer whitespace stripped
    copy: str          # matching copy of text
    kind: str = "text"  # text | field | heading | table | cell
    style: str = ""
    number: int | None = None
    rest_at: int = 0   # index in text after the numbering


@dataclass
class ParsedItem:
    number: int | None
    title: str = ""
    category: str = ""
    body: str = ""
    deadline_text: str = ""
    lead: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    source_lines: list[int] = field(default_factory=list)
    status: str = ""
    flags: list[str] = field(default_factory=list)
    note: str = ""

    def as_json(self) -> dict:
        d = {"number": self.number, "title": self.title, "category": self.category, "body": self.body,
             "deadline_text": self.deadline_text, "lead": list(self.lead), "partners": list(self.partners),
             "source_lines": list(self.source_lines)}
        if self.status:
            d["status"] = self.status
        d["flags"] = list(self.flags)
        if self.note:
            d["note"] = self.note
        return d


@dataclass
class ImportResult:
    items: list[ParsedItem]
    metadata_lines: list[tuple[int, str, str]]    # (line, text, role): preamble, heading, table …
    unplaced: list[tuple[int, str, str]]          # (line, text, why)
    metadata: dict                                # detected list metadata, for _list.yaml
    notices: list[str] = field(default_factory=list)


@dataclass
class _Draft:
    number: int | None
    title: str = ""
    category: str = ""
    lines: list[int] = field(default_factory=list)
    segments: list[tuple] = field(default_factory=list)   # ("p", text, no) | ("m", n, text, no) | ("break",)
    deadline: list[str] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    after_fields: list[tuple[int, str]] = field(default_factory=list)
    had_field: bool = False      # a non-body field has been seen
    fragment: bool = False
    notes: list[str] = field(default_factory=list)
    flags: set = field(default_factory=set)
    last_measure: int = 0


def strip_line(s: str) -> str:
    return s.strip(_WS + "\n\r")


def ends_terminal(text: str) -> bool:
    t = text.rstrip(_WS).rstrip(_CLOSERS)
    return bool(t) and t[-1] in _TERMINAL


def split_names(value: str, labels: Labels) -> list[str]:
    """Department list as printed → names; separators 、，,;； outside brackets."""
    names, cur, depth = [], "", 0
    for ch in value:
        if ch in "(（[【":
            depth += 1
        elif ch in ")）]】":
            depth = max(depth - 1, 0)
        if depth == 0 and ch in "、，,;；":
            names.append(cur)
            cur = ""
        else:
            cur += ch
    names.append(cur)
    out: list[str] = []
    for n in names:
        n = n.strip(_WS).rstrip("。.")
        if not n:
            continue
        if out and n in labels.join_to_previous:
            out[-1] = out[-1] + "、" + n
        else:
            out.append(n)
    return out


def clean_value(v: str) -> str:
    return v.strip(_WS).rstrip(_SEP).rstrip("。").strip(_WS)


class _Parser:
    def __init__(self, text: str, labels: Labels):
        self.labels = labels
        self.field_rx_all = labels.field_regex()
        self.field_rx_inline = labels.field_regex(ROLES_INLINE)
        self.raw_lines = text.split("\n")
        if self.raw_lines and self.raw_lines[-1] == "":
            self.raw_lines.pop()
        self.lines: list[Line] = []
        self.metadata_lines: list[tuple[int, str, str]] = []
        self.unplaced: list[tuple[int, str, str]] = []
        self.notices: list[str] = []
        self.tables: list[Table] = []
        self.table_lines: set[int] = set()

    # ---------------------------------------------------------------- classify
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

    def classify(self):
        for i, raw in enumerate(self.raw_lines):
            text = strip_line(raw)
            if not text:
                continue
            line = Line(no=i + 1, text=text, copy="")
            mc = match_copy(text)
            line.copy = mc.text
            if text.count("|") >= 2:
                line.kind = "table"
            else:
                h = match_heading(mc.text)
                if h:
                    line.kind, line.style, line.number = "heading", h[0], h[1]
                    line.rest_at = mc.to_orig(h[2])
                elif (fields := self.fields_in(line)) and fields[0][1] == 0:
                    line.kind = "field"
            for sub in self._split_inline_sequence(line):
                self.lines.append(sub)

    def _split_inline_sequence(self, line: Line) -> list[Line]:
        """A line holding several circled-numbered items "①…；②…" becomes one line per item."""
        starts = [m.start() for m in re.finditer(f"[{CIRCLED}]", line.copy)
                  if m.start() == 0 or line.copy[m.start() - 1] in ";；。,， "]
        if len(starts) < 2 or line.kind == "table":
            return [line]
        mc = match_copy(line.text)
        parts = []
        if starts[0] > 0:
            head = line.text[:mc.to_orig(starts[0])].strip(_WS)
            if head:
                parts.append(head)
        bounds = starts + [len(line.copy)]
        for a, b in zip(bounds, bounds[1:]):
            parts.append(line.text[mc.to_orig(a):mc.to_orig(b)].strip(_WS))
        out = []
        for p in parts:
            sub = Line(no=line.no, text=p, copy=match_copy(p).text)
            h = match_heading(sub.copy)
            if h:
                sub.kind, sub.style, sub.number = "heading", h[0], h[1]
                sub.rest_at = match_copy(p).to_orig(h[2])
            out.append(sub)
        return out

    def find_tables(self):
        # `|` tables: runs of consecutive table lines
        k = 0
        while k < len(self.lines):
            if self.lines[k].kind != "table":
                k += 1
                continue
            j = k
            while j < len(self.lines) and self.lines[j].kind == "table":
                j += 1
            run = [(ln.no, ln.text) for ln in self.lines[k:j]]
            table = parse_pipe_table(run, self.labels)
            if table:
                self.tables.append(table)
                self.table_lines.update(table.lines)
            else:
                for ln in self.lines[k:j]:
                    ln.kind = "text"     # a line with pipes that is not a table
            k = j
        # one cell per line
        k = 0
        while k < len(self.lines):
            ln = self.lines[k]
            if ln.kind in ("text", "field") and self.labels.role_of_header(ln.copy) == "number":
                got = parse_cell_table([(x.no, x.text) for x in self.lines[k:]], self.labels)
                if got:
                    table, used = got
                    self.tables.append(table)
                    for x in self.lines[k:k + used]:
                        x.kind = "cell"
                    self.table_lines.update(table.lines)
                    k += used
                    continue
            k += 1

    # ---------------------------------------------------------------- levels
    def item_style(self) -> str | None:
        headings = [ln for ln in self.lines if ln.kind == "heading"]
        if not headings:
            return None
        with_fields: Counter = Counter()
        styles = Counter(ln.style for ln in headings)
        for idx, ln in enumerate(self.lines):
            if ln.kind != "heading":
                continue
            has = bool(self.fields_in(ln, self._copy_rest(ln)))
            for nxt in self.lines[idx + 1:]:
                if nxt.kind == "heading" or nxt.kind in ("table", "cell"):
                    break
                if nxt.kind == "field":
                    has = True
                    break
            if has:
                with_fields[ln.style] += 1
        if with_fields:
            return max(with_fields, key=lambda s: (with_fields[s], RANK[s]))
        # no fields at all: the most frequent style, the deeper one on a tie
        return max(styles, key=lambda s: (styles[s], RANK[s]))

    def _copy_rest(self, ln: Line) -> int:
        mc = match_copy(ln.text)
        for i, o in enumerate(mc.orig):
            if o >= ln.rest_at:
                return i
        return len(mc.text)

    # ---------------------------------------------------------------- walk
    def parse(self) -> ImportResult:
        self.classify()
        self.find_tables()
        style = self.item_style()
        has_fields = any(ln.kind == "field" for ln in self.lines)
        if style is None and has_fields:
            drafts = self.walk_unnumbered()
        elif style is None:
            drafts = self.walk_paragraph_list()
        else:
            drafts = self.walk(style)
        items = self.finish(drafts)
        items = self.merge_tables(items)
        items.sort(key=lambda it: (it.source_lines[0] if it.source_lines else 0))
        return ImportResult(items=items, metadata_lines=sorted(self.metadata_lines),
                            unplaced=sorted(self.unplaced), metadata=self.detect_metadata(),
                            notices=self.notices)

    def add_fields(self, d: _Draft, ln: Line, start_copy: int, in_body: bool = False) -> str:
        """Put the labelled fields of `ln` (from `start_copy` on) into `d`; return the text
        before the first field (from `start_copy`)."""
        mc = match_copy(ln.text)
        found = self.fields_in(ln, start_copy)
        if not found:
            return ln.text[mc.to_orig(start_copy):]
        head_end = mc.to_orig(found[0][1])
        head = ln.text[mc.to_orig(start_copy):head_end]
        for k, (role, at, vstart) in enumerate(found):
            vend = found[k + 1][1] if k + 1 < len(found) else len(ln.copy)
            value = ln.text[mc.to_orig(vstart):mc.to_orig(vend)]
            bracketed = at > 0 and ln.copy[at - 1] == "("
            if bracketed:
                value = value.rstrip(_WS)
                if value.endswith((")", "）")):
                    value = value[:-1]
            if k + 1 < len(found) and ln.copy[found[k + 1][1] - 1] == "(":
                value = value.rstrip(_WS)[:-1]       # the "(" of the next bracketed label
            label = ln.text[mc.to_orig(at):mc.to_orig(vstart)].rstrip(_WS)
            self.put_field(d, role, value, ln.no, label)
        head = head.rstrip(_WS)
        if head.endswith(("(", "（")) and ln.copy[found[0][1] - 1] == "(":
            head = head[:-1]
        return head

    def put_field(self, d: _Draft, role: str, value: str, no: int, label: str = ""):
        d.lines.append(no)
        if role == "body":
            if d.had_field and not d.after_fields:
                d.had_field = False          # an explicit body label after the fields: body again
            v = value.strip(_WS)
            if v:
                self.add_text(d, v, no)
            return
        d.had_field = True
        if role == "deadline":
            d.deadline.append(clean_value(value))
        elif role == "lead":
            d.lead += split_names(value, self.labels)
        elif role == "partners":
            d.partners += split_names(value, self.labels)
        elif role == "status":
            d.status.append((label, value.strip(_WS)))

    def add_text(self, d: _Draft, text: str, no: int):
        d.lines.append(no)
        mc = match_copy(text)
        h = match_heading(mc.text)
        if h and h[0] in ("paren_arabic", "circled", "paren_cn", "arabic"):
            d.segments.append(("m", h[1], text[mc.to_orig(h[2]):].strip(_WS), no))
            d.last_measure = h[1]
            return
        m = REDACTED_MEASURE.match(mc.text)
        if m and int(m.group("n")) == d.last_measure + 1:
            d.segments.append(("m", int(m.group("n")), text[mc.to_orig(m.end()):].strip(_WS), no))
            d.last_measure += 1
            d.notes.append(f"第{no}行的措施“({m.group('n')}”的右括号在隐去部分之中，按第{m.group('n')}条措施处理。")
            return
        d.segments.append(("p", text, no))

    def walk(self, item_style: str) -> list[_Draft]:
        rank = RANK[item_style]
        higher = sorted({ln.style for ln in self.lines if ln.kind == "heading" and RANK[ln.style] < rank},
                        key=RANK.get)
        cat_style = higher[-1] if higher else None
        drafts: list[_Draft] = []
        cur: _Draft | None = None
        category, group_lead = "", []
        started = False
        pending_pre: list[Line] = []      # text before the first item (preamble or fragment body)
        for ln in self.lines:
            if ln.no in self.table_lines or ln.kind in ("table", "cell"):
                if ln.no not in self.table_lines:
                    self.metadata_lines.append((ln.no, ln.text, "table"))
                continue
            if ln.kind == "heading" and ln.style == item_style:
                started = True
                cur = _Draft(number=ln.number, category=category, lines=[ln.no])
                head = self.add_fields(cur, ln, self._copy_rest(ln))
                cur.had_field = False        # fields on the title line do not end the body
                cur.title = head.strip(_WS).rstrip(",，;；、").strip(_WS)
                if group_lead and not cur.lead:
                    cur.lead = list(group_lead)
                drafts.append(cur)
                continue
            if ln.kind == "heading" and RANK[ln.style] < rank:
                text = ln.text[ln.rest_at:].strip(_WS)
                if ln.style == cat_style:
                    category = _COUNT.sub("", text)
                    self.metadata_lines.append((ln.no, ln.text, "category"))
                else:
                    category = ""
                    self.metadata_lines.append((ln.no, ln.text, "heading"))
                cur, group_lead = None, []
                continue
            group = self.group_header(ln)
            if group is not None:
                kind, name = group
                if kind == "lead":
                    group_lead = [name]
                    self.metadata_lines.append((ln.no, ln.text, "group lead"))
                else:
                    category = name
                    self.metadata_lines.append((ln.no, ln.text, "category"))
                cur = None
                continue
            if cur is None:
                if not started and ln.kind == "field":
                    cur = self.start_fragment(pending_pre, drafts)
                    pending_pre = []
                elif not started:
                    pending_pre.append(ln)
                    continue
                else:
                    self.metadata_lines.append((ln.no, ln.text, "outside any item"))
                    continue
            if ln.kind == "field":
                if cur.after_fields and not cur.segments:
                    pass
                self.add_fields(cur, ln, 0)
                continue
            if cur.had_field:
                cur.after_fields.append((ln.no, ln.text))
                cur.lines.append(ln.no)
            else:
                self.add_text(cur, ln.text, ln.no)
        for ln in pending_pre:
            self.metadata_lines.append((ln.no, ln.text, "preamble"))
        self.resolve_fragment_numbers(drafts)
        return drafts

    def group_header(self, ln: Line):
        """An unnumbered "区委办公室(8项)" line: ("lead", name) or ("category", name)."""
        if ln.kind != "text" or not _COUNT.search(ln.text):
            return None
        name = _COUNT.sub("", ln.text).strip(_WS)
        if not name or len(name) > 30 or ends_terminal(name):
            return None
        return ("lead" if _DEPT_SUFFIX.search(name) else "category", name)

    def start_fragment(self, pre: list[Line], drafts: list[_Draft]) -> _Draft:
        """Fields before the first numbered item: the tail of an item from an earlier page."""
        d = _Draft(number=None, fragment=True)
        body: list[Line] = []
        for ln in reversed(pre):
            if self.looks_like_page_text(ln, pre):
                break
            body.insert(0, ln)
        for ln in pre[:len(pre) - len(body)]:
            self.metadata_lines.append((ln.no, ln.text, "preamble"))
        for ln in body:
            self.add_text(d, ln.text, ln.no)
        drafts.append(d)
        return d

    def looks_like_page_text(self, ln: Line, pre: list[Line]) -> bool:
        if ln is pre[0]:
            return True          # the first line of a page is its title
        if re.match(r"^[(（]?\s*(上接|接上|续|转)", ln.text):
            return True
        return len(ln.text) < 20 and not ends_terminal(ln.text)

    def resolve_fragment_numbers(self, drafts: list[_Draft]):
        numbered = [d.number for d in drafts if d.number is not None]
        for d in drafts:
            if d.fragment and d.number is None:
                first = numbered[0] if numbered else None
                if first and first > 1 and first - 1 not in numbered:
                    d.number = first - 1
                    d.notes.append(f"第{first - 1}项的后半部分，接续自前一版面：只收录此处印出的内容，没有标题。")

    def walk_unnumbered(self) -> list[_Draft]:
        """No numbering: an item is a title line (and text) followed by labelled lines."""
        drafts: list[_Draft] = []
        cur: _Draft | None = None
        texts: list[Line] = []
        for ln in self.lines:
            if ln.no in self.table_lines or ln.kind in ("table", "cell"):
                if ln.no not in self.table_lines:
                    self.metadata_lines.append((ln.no, ln.text, "table"))
                continue
            if ln.kind == "field":
                if texts or cur is None:
                    if cur is None and texts:
                        for t in texts[:-1]:
                            self.metadata_lines.append((t.no, t.text, "preamble"))
                        texts = texts[-1:]
                    cur = _Draft(number=len(drafts) + 1)
                    if texts:
                        cur.title = texts[0].text
                        cur.lines.append(texts[0].no)
                        for t in texts[1:]:
                            self.add_text(cur, t.text, t.no)
                    drafts.append(cur)
                    texts = []
                self.add_fields(cur, ln, 0)
            else:
                texts.append(ln)
        for t in texts:
            self.unplaced.append((t.no, t.text, "text after the last item's fields (page text after the list?)"))
        for d in drafts:
            d.notes.append("原文事项没有编号，序号按出现顺序。")
        return drafts

    def walk_paragraph_list(self) -> list[_Draft]:
        """No numbering and no labels: items in one paragraph separated by ；."""
        best = None
        for ln in self.lines:
            if ln.no in self.table_lines:
                continue
            parts = [p for p in re.split(r"[;；]", ln.text) if p.strip(_WS + "。")]
            if len(parts) >= 3 and (best is None or len(parts) > len(best[1])):
                best = (ln, parts)
        drafts = []
        for ln in self.lines:
            if ln.no in self.table_lines:
                continue
            if best and ln is best[0]:
                parts = list(best[1])
                intro = re.match(r"^[^;；]*?[:：]", parts[0])
                if intro:
                    self.metadata_lines.append((ln.no, intro.group(0), "intro"))
                    parts[0] = parts[0][intro.end():]
                for k, p in enumerate(parts, 1):
                    d = _Draft(number=k, title=p.strip(_WS).rstrip("。").strip(_WS), lines=[ln.no])
                    d.notes.append("原文各事项印在同一段中、以“；”分隔，序号按出现顺序。")
                    drafts.append(d)
            else:
                self.metadata_lines.append((ln.no, ln.text, "preamble" if not drafts else "after the list"))
        return drafts

    # ---------------------------------------------------------------- finish
    def finish(self, drafts: list[_Draft]) -> list[ParsedItem]:
        items = []
        last = max(drafts, key=lambda d: max(d.lines) if d.lines else 0) if drafts else None
        for d in drafts:
            if d.after_fields:
                if d is last:
                    placed = set()
                    for no, text in d.after_fields:
                        self.unplaced.append((no, text, "text after the last item's fields "
                                                        "(page text after the list?)"))
                        placed.add(no)
                    d.lines = [n for n in d.lines if n not in placed]
                else:
                    d.segments.append(("break",))
                    for no, text in d.after_fields:
                        self.add_text(d, text, no)
                    first, lastno = d.after_fields[0][0], d.after_fields[-1][0]
                    where = f"第{first}行" if first == lastno else f"第{first}–{lastno}行"
                    d.flags.add("uncertain")
                    d.notes.append(f"正文：{where}的文字印在本事项的完成时限或部门之后，按原样保留在正文末尾。")
            if d.number is None:
                for no in sorted(set(d.lines)):
                    self.unplaced.append((no, self.raw_lines[no - 1].strip(_WS),
                                          "fields before the first item, and no number to give them"))
                continue
            item = ParsedItem(number=d.number, title=d.title, category=d.category)
            item.body = markdown_body.render(d.segments)
            item.deadline_text = "；".join(x for x in d.deadline if x)
            item.lead, item.partners = d.lead, d.partners
            if len(d.status) == 1:
                item.status = d.status[0][1]
            else:
                item.status = "\n".join(f"{label}{value}" for label, value in d.status if value)
            item.source_lines = [min(d.lines), max(d.lines)] if d.lines else []
            flags = set(d.flags)
            if d is last and self.truncated(d, drafts):
                d.fragment = True
                d.notes.append("本页在此项中途结束：只收录此处印出的内容。")
            if d.fragment:
                flags.add("fragment")
            texts = [item.title, item.category, item.body, item.deadline_text, *item.lead, *item.partners]
            if any("**" in t for t in texts):
                flags.add("redacted")
            item.flags = sorted(flags)
            item.note = "".join(d.notes)
            items.append(item)
        return items

    @staticmethod
    def truncated(d: _Draft, drafts: list[_Draft]) -> bool:
        """The last item stops mid-sentence without the fields the other items have."""
        others = [x for x in drafts if x is not d and x.number is not None]
        if not others or d.had_field or d.after_fields:
            return False
        if not all(x.had_field or x.after_fields for x in others):
            return False
        texts = [seg[1] if seg[0] == "p" else seg[2] for seg in d.segments if seg[0] in ("p", "m")]
        return not texts or not ends_terminal(texts[-1])

    def merge_tables(self, items: list[ParsedItem]) -> list[ParsedItem]:
        if not self.tables:
            return items
        by_number = {it.number: it for it in items}
        table_items: list[ParsedItem] = []
        for table in self.tables:
            for ln in table.lines:
                self.metadata_lines.append((ln, self.raw_lines[ln - 1].strip(_WS), "table"))
            last: ParsedItem | None = None
            for row in table.rows:
                c = row.cells
                num = c.get("number")
                num = int(re.sub(r"\D", "", match_copy(num).text)) if num and re.search(r"\d", num) else None
                category = _COUNT.sub("", re.sub(r"^[零〇一二两三四五六七八九十百]+[、.．]", "", c.get("category", "")))
                if items:
                    it = by_number.get(num)
                    if it is None:
                        if num is not None:
                            self.notices.append(f"table row at line {row.lines[0]}: no item {num} in the text; "
                                                f"the row is kept only as list metadata")
                        continue
                    if category:
                        if it.category and it.category != category:
                            self.notices.append(f"item {num}: category {it.category!r} under its heading, "
                                                f"{category!r} in the table: the table's is used")
                        it.category = category
                    title = c.get("title") or c.get("body", "")
                    if title and despace(it.title) != title:
                        self.notices.append(f"item {num}: the table's text differs from the item's title")
                    continue
                if not row.numbered and last is not None:
                    self._extend(last, row)
                    continue
                if num is None:
                    continue
                it = ParsedItem(number=num, category=category, source_lines=[min(row.lines), max(row.lines)])
                if "title" in c:
                    it.title = c["title"]
                    it.body = markdown_body.render([("p", c["body"], 0)]) if c.get("body") else ""
                else:
                    it.title = c.get("body", "")
                it.deadline_text = c.get("deadline", "")
                it.lead = split_names(c.get("lead", ""), self.labels)
                it.partners = split_names(c.get("partners", ""), self.labels)
                it.status = "\n".join(f"{k[7:]}:{v}" if len([x for x in c if x.startswith("status:")]) > 1 else v
                                      for k, v in c.items() if k.startswith("status:"))
                flags = set()
                if row.notes:
                    flags.add("uncertain")
                    it.note = "".join(row.notes)
                if any("**" in t for t in [it.title, it.body, it.category, *it.lead, *it.partners]):
                    flags.add("redacted")
                it.flags = sorted(flags)
                table_items.append(it)
                last = it
        return items or table_items

    def _extend(self, it: ParsedItem, row):
        c = row.cells
        extra = c.get("title") or c.get("body")
        if extra:
            it.body = (it.body + "\n\n" if it.body else "") + markdown_body.render([("p", extra, 0)])
        it.lead += [n for n in split_names(c.get("lead", ""), self.labels) if n not in it.lead]
        it.partners += [n for n in split_names(c.get("partners", ""), self.labels) if n not in it.partners]
        it.source_lines = [min(it.source_lines[0], *row.lines), max(it.source_lines[1], *row.lines)]
        it.flags = sorted(set(it.flags) | {"uncertain"})
        it.note = (it.note or "") + (
            f"正文：表格第{row.lines[0]}行没有自己的序号，作为第{it.number}项的续行保留。")

    # ---------------------------------------------------------------- metadata
    def detect_metadata(self) -> dict:
        pre = [(no, text) for no, text, role in self.metadata_lines if role == "preamble"]
        title = ""
        for _, text in pre:
            if re.search(r"清单|方案|实事|项目", text) and len(text) <= 80 and not ends_terminal(text):
                title = text
                break
        if not title and pre:
            title = pre[0][1]
        published = ""
        for _, text in pre:
            m = _DATE.search(text)
            if m:
                published = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
                break
        year = None
        m = _YEAR.search(title)
        if m:
            year = int(m.group(1))
        else:
            years = Counter(_YEAR.findall("\n".join(self.raw_lines)))
            if years:
                year = int(years.most_common(1)[0][0])
            elif published:
                year = int(published[:4])
        batch = None
        m = re.search(r"第\s*([一二三四五六七八九十\d]+)\s*批", title)
        if m:
            from .numbering import cn_to_int
            batch = int(m.group(1)) if m.group(1).isdigit() else cn_to_int(m.group(1))
        return {"title": title, "year": year, "batch": batch, "published": published}


def parse(text: str, labels: Labels | None = None) -> ImportResult:
    """Parse the text of a published list (already decoded, '\\n' line endings)."""
    return _Parser(text, labels or load_labels()).parse()
