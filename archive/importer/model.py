"""The importer's data: a classified source line, a draft item being read, the items read.

`Item` is what every reader produces and what `read_document` returns; `files.py` turns
it into an item file, `review.py` into the review page, the progress command (issue 11)
reads `status` from it.
"""
from __future__ import annotations

from dataclasses import dataclass, field


FIELD_NAMES = {"number": "序号", "title": "标题", "lead": "牵头单位", "partners": "配合单位",
               "deadline": "完成时限", "status": "进展", "category": "类别", "body": "正文"}


@dataclass
class Line:
    no: int            # 1-based line number in the source
    text: str          # the line as published, outer whitespace stripped
    copy: str          # matching copy of text (labels.match_copy)
    kind: str = "text"  # text | field | heading | table | cell
    style: str = ""
    number: int | None = None
    rest_at: int = 0   # index in text after the numbering


@dataclass
class Item:
    number: int | None
    title: str = ""
    category: str = ""
    body: str = ""
    deadline_text: str = ""
    lead: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    source_lines: list[int] = field(default_factory=list)    # [first, last], 1-based
    status: str = ""
    flags: list[str] = field(default_factory=list)            # redacted | uncertain | fragment
    note: str = ""                                            # why a flag was set, which field
    reader: str = ""                                          # the layout reader that read it
    uncertain_fields: list[str] = field(default_factory=list)  # the fields the note is about

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


ParsedItem = Item      # the name the first importer used


@dataclass
class ImportResult:
    items: list[Item]
    metadata_lines: list[tuple[int, str, str]]    # (line, text, role): preamble, heading, table …
    unplaced: list[tuple[int, str, str]]          # (line, text, why)
    metadata: dict                                # detected list metadata, for _list.yaml
    notices: list[str] = field(default_factory=list)
    diagnosis: list[str] = field(default_factory=list)   # what was seen, when no items were found
    readers: list[str] = field(default_factory=list)     # the readers that produced the items


@dataclass
class Draft:
    number: int | None
    title: str = ""
    category: str = ""
    lines: list[int] = field(default_factory=list)
    segments: list[tuple] = field(default_factory=list)   # ("p", text, no) | ("m", n, text, no) | ("break",)
    deadline: list[str] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    status: list[tuple[str, str]] = field(default_factory=list)   # (label, value)
    after_fields: list[tuple[int, str]] = field(default_factory=list)
    had_field: bool = False      # a non-body field has been seen
    fragment: bool = False
    notes: list[str] = field(default_factory=list)
    flags: set = field(default_factory=set)
    last_measure: int = 0
    uncertain_fields: list[str] = field(default_factory=list)
    separator: bool = False      # the title line ended in ; (items printed as one list)
    orphan: bool = False         # a fragment no number can be given to (reported, not an item)
    open_field: str = ""         # a unit list that ended in 、 and goes on on the next line
    status_plain: bool = False   # status is the item's own text (progress report), joined by spaces

    def uncertain(self, field_name: str, why: str):
        """A reader decided something the source leaves open: flag it, say which field and why."""
        self.flags.add("uncertain")
        self.notes.append(f"{FIELD_NAMES.get(field_name, field_name)}：{why}")
        self.uncertain_fields.append(field_name)
