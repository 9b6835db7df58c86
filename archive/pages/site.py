"""The site model: the archive plus every cross-reference the pages need (by jurisdiction, department,
topic, year, source), each built in one pass over the items; and the topics registry."""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from archive.model import Archive, Department, Item, ItemList, Jurisdiction, Progress
from archive.progress import load_statuses


STATUS_FILE = Path(__file__).resolve().parents[2] / "registry" / "status.yaml"


@dataclass(frozen=True)
class Topic:
    slug: str
    name: str
    description: str
    keywords: tuple[str, ...]

    @property
    def url(self) -> str:
        return f"/fenlei/{self.slug}/"


def load_topics(path: Path) -> list[Topic]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return [Topic(t["slug"], t["name"], t.get("description", ""), tuple(t["keywords"])) for t in data["topics"]]


def source_url(lst: ItemList) -> str:
    return f"/yuanwen/{Path(lst.source).stem}/"


def source_lines_url(item: Item) -> str:
    first, last = item.source_lines
    return f"{source_url(item.list)}#L{first}-L{last}"


class TopicMatcher:
    """Which topics' keywords occur in a text, in one regex scan instead of a test per keyword.

    The lookahead finds, at each position, the longest keyword starting there; every other keyword
    starting there is a prefix of it, so each keyword also stands for the topics of its keyword prefixes."""

    def __init__(self, topics: list[Topic]):
        owners: dict[str, set[int]] = defaultdict(set)
        for n, t in enumerate(topics):
            for k in t.keywords:
                owners[k].add(n)
        self.topics = topics
        self.owners = {k: frozenset().union(*(owners[p] for p in owners if k.startswith(p))) for k in owners}
        keywords = sorted(owners, key=lambda k: (-len(k), k))
        # The class of first characters up front lets the engine skip the positions no keyword starts at
        # instead of trying every keyword there (40 % less time on item titles).
        firsts = re.escape("".join(sorted({k[0] for k in keywords})))
        self.pattern = re.compile(f"(?=[{firsts}])(?=(" + "|".join(map(re.escape, keywords)) + "))") if keywords else None

    def __call__(self, text: str) -> list[Topic]:
        return [self.topics[n] for n in self.indexes(text)]

    def indexes(self, text: str) -> tuple[int, ...]:
        """The topics found, as their places in the registry, in its order."""
        if self.pattern is None:
            return ()
        return tuple(sorted(set().union(*(self.owners[k] for k in self.pattern.findall(text)))))


def topics_of_items(lists: list[ItemList], topics: list[Topic], memo=None) -> dict[str, list[Topic]]:
    """Each item's topics, by item id. `memo` (the build cache's per-list memo, `cache.ItemDigests`, keyed as
    a list's validated model is): the topics of an unchanged list's items under unchanged topics are not
    matched again (one regex scan per item, 0.65 s at 100,000 items)."""
    registry = hashlib.blake2b(repr(topics).encode(), digest_size=16).hexdigest()
    matcher, shared, found = None, {}, {}
    for lst in lists:
        known = memo.get(lst.id) if memo is not None else None
        if known is None or known[0] != registry or len(known[1]) != len(lst.items):
            matcher = matcher or TopicMatcher(topics)
            known = (registry, [matcher.indexes(f"{i.category} {i.title}") for i in lst.items])
            if memo is not None:
                memo.put(lst.id, known)
        for item, places in zip(lst.items, known[1]):
            of = shared.get(places)         # one list per combination: pages only read them
            if of is None:
                of = shared[places] = [topics[n] for n in places]
            found[item.id] = of
    return found


class Site:
    """The archive plus every index the pages need, each computed in one pass over the items."""

    def __init__(self, archive: Archive, topics: list[Topic], root: Path, topic_memo=None):
        """`topic_memo`: see `topics_of_items`."""
        self.archive = archive
        self.topics = topics
        self.root = root
        self.items = archive.items
        self.children: dict[str | None, list[Jurisdiction]] = defaultdict(list)
        for j in archive.jurisdictions.values():
            self.children[j.parent].append(j)
        self.lists_of: dict[str, list[ItemList]] = defaultdict(list)
        self.by_year: dict[int, list[ItemList]] = defaultdict(list)
        self.by_source: dict[str, list[ItemList]] = defaultdict(list)
        for lst in archive.lists:
            self.lists_of[lst.jurisdiction.path].append(lst)
            self.by_year[lst.year].append(lst)
            self.by_source[lst.source].append(lst)
        self.leads: dict[str, list[Item]] = defaultdict(list)
        self.partners: dict[str, list[Item]] = defaultdict(list)
        self.topic_items: dict[str, list[Item]] = defaultdict(list)
        self.item_topics: dict[str, list[Topic]] = topics_of_items(archive.lists, topics, topic_memo)
        for item in self.items:
            for ref in item.lead:
                if ref.department:
                    self.leads[ref.department.key].append(item)
            for ref in item.partners:
                if ref.department:
                    self.partners[ref.department.key].append(item)
            for t in self.item_topics[item.id]:
                self.topic_items[t.slug].append(item)
        # Only departments that appear on an item get a page: a registry entry alone has nothing to show.
        self.departments = [d for d in archive.departments.values() if d.key in self.leads or d.key in self.partners]
        self.departments_of: dict[str, list[Department]] = defaultdict(list)
        for d in self.departments:
            self.departments_of[d.jurisdiction].append(d)
        self.item_count: dict[str, int] = defaultdict(int)   # per jurisdiction, including its descendants
        for lst in archive.lists:
            for path in self.ancestry(lst.jurisdiction):
                self.item_count[path.path] += len(lst.items)
        self.jurisdictions = [j for j in archive.jurisdictions.values() if self.has_lists(j)]
        own = root / "registry" / "status.yaml"     # the codes are a contract: the project's file is the default
        self.statuses = load_statuses(own if own.is_file() else STATUS_FILE)
        self.overdue = [item for item in self.items if item.overdue]          # in list order
        self.overdue_of: dict[str, list[Item]] = defaultdict(list)          # per jurisdiction, with descendants
        for item in self.overdue:
            for a in self.ancestry(item.list.jurisdiction):
                self.overdue_of[a.path].append(item)
        self.memo: dict = {}      # views several pages share, computed once per render process (status.py)
        self.reports: dict[str, list[tuple[Item, Progress]]] = defaultdict(list)   # report kept in sources/
        for item in self.items:
            for p in item.progress:
                if p.source:
                    self.reports[p.source].append((item, p))
        self.similar: dict[str, tuple[Item, ...]] = {}   # filled by plan(): pages/related.py

    def ancestry(self, j: Jurisdiction) -> list[Jurisdiction]:
        """Province first, `j` last."""
        chain = [j]
        while chain[0].parent:
            chain.insert(0, self.archive.jurisdictions[chain[0].parent])
        return chain

    def subtree_lists(self, j: Jurisdiction) -> list[ItemList]:
        lists = list(self.lists_of.get(j.path, []))
        for child in self.children.get(j.path, []):
            lists += self.subtree_lists(child)
        return lists

    def has_lists(self, j: Jurisdiction) -> bool:
        return bool(self.lists_of.get(j.path)) or any(self.has_lists(c) for c in self.children.get(j.path, []))

    def full_name(self, j: Jurisdiction) -> str:
        # A display name may already say its province ("安徽省某市（市名隐去）"): don't say it twice.
        name = ""
        for a in self.ancestry(j):
            name = a.display_name if a.display_name.startswith(name) else name + a.display_name
        return name

    def workload(self, d: Department) -> int:
        return len(self.leads.get(d.key, ())) + len(self.partners.get(d.key, ()))
