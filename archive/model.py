"""The archive's model: plain dataclasses built once by `archive.load`, read by every later stage.

Nothing here reads files or renders pages. URLs are decided here so that every stage agrees on them.
A list's and an item's URL and an item's id are made once: the model is never changed once built, and a
one-edit rebuild at 100,000 items asked for them over a million times (the plan, the handover to the index
stage, the index stage, the pages' signatures). A list's on first use (`cached_property`); an item's when it
is made (`Item.__post_init__`), so that they are pickled with it by the reader that built it and every forked
process shares them: made on first use, the second name added to an item's `__dict__` turned CPython's
shared-key dict into a table of its own (~700 bytes an item, ~70 MB at 100,000 items in each process that
asked: the build process and the open data's child).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Jurisdiction:
    path: str                    # "shandong/jining/jining-gaoxinqu": registry key and URL prefix
    slug: str                    # last segment of path
    name: str                    # as the government writes it: "济宁高新区", "**市" when redacted
    level: str                   # "province" | "city" | "district"
    parent: str | None           # path of the parent jurisdiction
    display_name: str            # what pages show; differs from name only for redacted names
    note: str = ""               # e.g. why the name is unknown

    @property
    def url(self) -> str:
        return f"/{self.path}/"


@dataclass(frozen=True)
class Department:
    jurisdiction: str            # Jurisdiction.path
    slug: str                    # pinyin, unique within the jurisdiction
    name: str                    # canonical name
    aliases: tuple[str, ...]     # other printed names that mean this department

    @property
    def key(self) -> str:
        return f"{self.jurisdiction}/{self.slug}"

    @property
    def url(self) -> str:
        return f"/{self.jurisdiction}/bumen/{self.slug}/"


@dataclass(frozen=True)
class DeptRef:
    """One department name as printed on an item, and what the registry made of it."""
    printed: str
    department: Department | None    # None when generic or unresolved
    generic: bool = False            # "各街道", "各级各有关部门单位": a role, not a department

    @property
    def canonical(self) -> str:
        return self.department.name if self.department else self.printed


@dataclass
class ItemList:
    id: str                      # content folder name, e.g. "weifang-2021-2"
    jurisdiction: Jurisdiction
    year: int
    batch: int | None
    title: str                   # as published
    publisher: str
    published: dt.date | None
    source: str                  # repo-relative path of the verbatim source, "sources/000_….txt"
    source_url: str = ""
    note: str = ""
    items: list[Item] = field(default_factory=list, repr=False)

    @property
    def slug(self) -> str:
        return f"{self.year}-{self.batch}" if self.batch else str(self.year)

    @cached_property
    def url(self) -> str:
        return f"/{self.jurisdiction.path}/{self.slug}/"


NO_REPORT = "未见通报"         # the status of an item with no progress entry (registry/status.yaml `none`)


@dataclass(frozen=True)
class Progress:
    """One dated report on an item, as the item's front matter `progress` list holds it."""
    date: dt.date                # as of (截至) the report
    status: str                  # a code of registry/status.yaml
    as_printed: str = ""         # the report's own words for the status
    percent: int | float | None = None
    text: str = ""               # the report's words on this item, verbatim
    source: str = ""             # repo-relative path of a document kept in sources/, or ""
    lines: tuple[int, int] | None = None     # with `source`
    url: str = ""                # a page that is not kept, when there is no `source`
    title: str = ""
    publisher: str = ""


@dataclass
class Item:
    list: ItemList
    number: int                  # sequence number as published (一 → 1)
    title: str                   # "" for a fragment without a title
    category: str                # section heading the item sits under, "" if none
    body: str                    # Markdown, verbatim text of the source
    deadline_text: str           # exactly as written, "" if none
    deadline: dt.date | None     # derived only where honest
    lead: list[DeptRef]
    partners: list[DeptRef]
    source_lines: tuple[int, int]
    flags: tuple[str, ...] = ()  # "redacted", "uncertain", "fragment", …
    note: str = ""               # names the uncertain fields
    status_text: str = ""        # progress text the list itself printed (front matter `status`)
    path: str = ""               # repo-relative content file
    progress: tuple[Progress, ...] = ()      # oldest first
    overdue: bool = False        # derived for the archive's as-of date: deadline passed, no outcome reported

    @property
    def status(self) -> str:
        """The latest entry's code; an item nobody has reported on is 未见通报, never 未开始."""
        return self.progress[-1].status if self.progress else NO_REPORT

    @property
    def status_date(self) -> dt.date | None:
        return self.progress[-1].date if self.progress else None

    @property
    def slug(self) -> str:
        return f"{self.number:02d}"

    def __post_init__(self) -> None:
        # Plain attributes, not dataclass fields: equality, repr and the signatures' field list are unchanged.
        self.id = f"{self.list.id}-{self.slug}"
        self.url = f"{self.list.url}{self.slug}/"


@dataclass
class Archive:
    jurisdictions: dict[str, Jurisdiction]        # by path, registry order
    departments: dict[str, Department]            # by key, registry order
    lists: list[ItemList]                         # sorted: jurisdiction path, year, batch
    generic_names: frozenset[str] = frozenset()
    as_of: dt.date | None = None                  # statuses and overdue hold as of this date (--as-of)

    @property
    def items(self) -> list[Item]:
        return [item for lst in self.lists for item in lst.items]
