"""Plan the site: every URL, the template that renders it, and the context it needs.

`plan()` builds the cross-references once (dicts keyed by jurisdiction, department, topic, year) and
returns one `Page` per URL. A page's context is computed only when the page is rendered: planning stays
cheap, memory stays flat at 100,000 items, and the render workers compute contexts in parallel.

Everything a template shows is decided here, as plain dicts and lists; templates only loop and branch.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable

import yaml

from archive.model import Archive, Department, DeptRef, Item, ItemList, Jurisdiction

PER_PAGE = 100          # long listings are paginated: no page lists every item
RECENT = 8              # lists shown as recently published on the home page

FLAG_LABEL = {"redacted": "有隐去", "uncertain": "不确定", "fragment": "片段"}
FLAG_TEXT = {
    "redacted": "原文有文字被隐去，以“**”标出，本档案照原样保留，不作猜测。",
    "uncertain": "本条部分内容不确定",
    "fragment": "本条是残缺的片段：原文在此处不完整。",
}


@dataclass(frozen=True)
class Page:
    url: str
    template: str
    context: Callable[[], dict] = field(compare=False)


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


# ---------------------------------------------------------------- cross-references, built once


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
        self.pattern = re.compile("(?=(" + "|".join(map(re.escape, keywords)) + "))") if keywords else None

    def __call__(self, text: str) -> list[Topic]:
        if self.pattern is None:
            return []
        found = set().union(*(self.owners[k] for k in self.pattern.findall(text)))
        return [self.topics[n] for n in sorted(found)]


class Site:
    """The archive plus every index the pages need, each computed in one pass over the items."""

    def __init__(self, archive: Archive, topics: list[Topic], root: Path):
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
        self.item_topics: dict[str, list[Topic]] = {}
        topics_of = TopicMatcher(topics)
        for item in self.items:
            for ref in item.lead:
                if ref.department:
                    self.leads[ref.department.key].append(item)
            for ref in item.partners:
                if ref.department:
                    self.partners[ref.department.key].append(item)
            found = topics_of(f"{item.category} {item.title}")
            self.item_topics[item.id] = found
            for t in found:
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


# ---------------------------------------------------------------- small views shared by several pages


def crumbs(site: Site, j: Jurisdiction) -> list[dict]:
    return [{"name": a.display_name, "url": a.url} for a in site.ancestry(j)]


def list_label(lst: ItemList) -> str:
    return f"{lst.year}年" + (f"第{lst.batch}批" if lst.batch else "")


def item_label(item: Item) -> str:
    return item.title or "（片段，无标题）"


def dept_view(ref: DeptRef) -> dict:
    d = ref.department
    return {
        "printed": ref.printed,
        "name": d.name if d else ref.printed,
        "url": d.url if d else None,
        "generic": ref.generic,
        "as_printed": ref.printed if d and ref.printed != d.name else "",
    }


def item_row(site: Site, item: Item) -> dict:
    return {
        "url": item.url,
        "number": item.number,
        "title": item_label(item),
        "category": item.category,
        "deadline": item.deadline_text,
        "lead": [dept_view(r) for r in item.lead],
        "flags": [{"flag": f, "label": FLAG_LABEL.get(f, f)} for f in item.flags],
        "list_title": item.list.title,
        "list_url": item.list.url,
        "jurisdiction": site.full_name(item.list.jurisdiction),
        "year": item.list.year,
    }


def list_row(site: Site, lst: ItemList) -> dict:
    return {"url": lst.url, "title": lst.title, "label": list_label(lst), "year": lst.year,
            "count": len(lst.items), "jurisdiction": site.full_name(lst.jurisdiction),
            "published": lst.published.isoformat() if lst.published else ""}


def lists_by_year(site: Site, lists: list[ItemList]) -> list[dict]:
    years: dict[int, list[dict]] = defaultdict(list)
    for lst in lists:
        years[lst.year].append(list_row(site, lst))
    return [{"year": y, "url": f"/nian/{y}/", "lists": years[y]} for y in sorted(years, reverse=True)]


def tree_rows(site: Site, parent: str | None, depth: int = 0) -> list[dict]:
    """The jurisdictions under `parent`, flattened in registry order, each with its lists by year."""
    rows = []
    for j in site.children.get(parent, []):
        if not site.has_lists(j):
            continue
        rows.append({"depth": depth, "name": j.display_name, "url": j.url, "count": site.item_count[j.path],
                     "years": lists_by_year(site, site.lists_of.get(j.path, []))})
        rows.extend(tree_rows(site, j.path, depth + 1))
    return rows


def grouped_by_list(site: Site, items: list[Item]) -> list[dict]:
    """Items grouped by their list, lists newest year first, items in published order."""
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        groups[item.list.id].append(item)
    lists = sorted({i.list.id: i.list for i in items}.values(), key=lambda l: (-l.year, -(l.batch or 0), l.id))
    return [{"list": list_row(site, lst), "rows": [item_row(site, i) for i in groups[lst.id]]} for lst in lists]


def paginate(base_url: str, rows: list, per_page: int = PER_PAGE) -> list[tuple[str, list, dict]]:
    """Split `rows` into pages /base/, /base/2/, …; each with a pager dict the template can show."""
    count = max(1, -(-len(rows) // per_page))
    urls = [base_url if n == 1 else f"{base_url}{n}/" for n in range(1, count + 1)]
    links = [{"number": i + 1, "url": u} for i, u in enumerate(urls)]   # one list shared by every page
    pages = []
    for n in range(1, count + 1):
        pager = {"number": n, "count": count, "total": len(rows),
                 "prev": urls[n - 2] if n > 1 else None, "next": urls[n] if n < count else None,
                 "pages": links}
        pages.append((urls[n - 1], rows[(n - 1) * per_page: n * per_page], pager))
    return pages


def page_suffix(pager: dict) -> str:
    return f"（第{pager['number']}页）" if pager["number"] > 1 else ""


# ---------------------------------------------------------------- contexts, one function per page kind


def home(site: Site) -> dict:
    a = site.archive
    by_recency = sorted(a.lists, key=lambda l: (l.published or dt.date(l.year, 1, 1), l.id), reverse=True)
    return {
        "title": "地方政府民生实事清单",
        "description": f"收录{len(site.jurisdictions)}个地区的{len(a.lists)}份民生实事清单、{len(site.items)}个项目，"
                       "逐条链接原文，可按地区、年份、部门和主题查阅。",
        "counts": {"jurisdictions": len(site.jurisdictions), "lists": len(a.lists),
                   "item_total": len(site.items), "departments": len(site.departments)},
        "tree": tree_rows(site, None),
        "recent": [list_row(site, l) for l in by_recency[:RECENT]],
        "years": sorted(site.by_year, reverse=True),
        "topics": topic_rows(site),
    }


def jurisdiction(site: Site, j: Jurisdiction) -> dict:
    own = site.lists_of.get(j.path, [])
    depts = sorted(site.departments_of.get(j.path, []), key=lambda d: (-site.workload(d), d.slug))
    topic_counts: dict[str, int] = defaultdict(int)
    categories: list[str] = []
    for lst in site.subtree_lists(j):    # a province covers what its cities' lists cover
        for item in lst.items:
            for t in site.item_topics[item.id]:
                topic_counts[t.slug] += 1
            if item.category and item.category not in categories:
                categories.append(item.category)
    full = site.full_name(j)
    return {
        "title": f"{full}的民生实事清单",
        "description": f"{full}历年公布的民生实事清单：共{site.item_count[j.path]}个项目，按年份、部门和主题查阅。",
        "crumbs": crumbs(site, j)[:-1],
        "j": {"name": j.display_name, "printed": j.name if j.name != j.display_name else "", "note": j.note,
              "full": full, "count": site.item_count[j.path]},
        "years": lists_by_year(site, own),
        "children": tree_rows(site, j.path),
        "departments": [{"name": d.name, "url": d.url, "count": site.workload(d)} for d in depts[:20]],
        "department_count": len(depts),
        "departments_url": f"{j.url}bumen/",
        "topics": [{"name": t.name, "url": t.url, "count": topic_counts[t.slug]}
                   for t in site.topics if topic_counts[t.slug]],
        "categories": categories,
    }


def item_list(site: Site, lst: ItemList) -> dict:
    groups: list[dict] = []
    for item in lst.items:
        if not groups or groups[-1]["category"] != item.category:
            groups.append({"category": item.category, "rows": []})
        groups[-1]["rows"].append(item_row(site, item))
    full = site.full_name(lst.jurisdiction)
    return {
        "title": f"{lst.title}（{full}{list_label(lst)}）",
        "description": f"{full}{list_label(lst)}民生实事清单“{lst.title}”，{len(lst.items)}个项目，"
                       f"{lst.publisher}发布，逐条附原文出处。",
        "crumbs": crumbs(site, lst.jurisdiction),
        "list": list_row(site, lst) | {"publisher": lst.publisher, "note": lst.note, "source_url": lst.source_url,
                                       "source_page": source_url(lst)},
        "groups": groups,
    }


def item_page(site: Site, item: Item, prev: Item | None, next_: Item | None) -> dict:
    lst = item.list
    full = site.full_name(lst.jurisdiction)
    first, last = item.source_lines
    flags = [{"flag": f, "text": FLAG_TEXT.get(f, f)} for f in item.flags]
    return {
        "title": f"{item.number}. {item_label(item)}（{full}{list_label(lst)}清单）",
        "description": f"{full}{list_label(lst)}民生实事第{item.number}项：{item_label(item)}。"
                       + (f"完成时限：{item.deadline_text}。" if item.deadline_text else ""),
        "crumbs": crumbs(site, lst.jurisdiction) + [{"name": list_label(lst) + "清单", "url": lst.url}],
        "item": {
            "number": item.number,
            "title": item.title,
            "label": item_label(item),
            "category": item.category,
            "body": item.body,
            "deadline_text": item.deadline_text,
            "deadline": item.deadline.isoformat() if item.deadline else "",
            "lead": [dept_view(r) for r in item.lead],
            "partners": [dept_view(r) for r in item.partners],
            "flags": flags,
            "uncertain": "uncertain" in item.flags,
            "note": item.note,
            "status": item.status,
            "topics": [{"name": t.name, "url": t.url} for t in site.item_topics[item.id]],
            "source": {"first": first, "last": last, "url": source_lines_url(item)},
        },
        "list": list_row(site, lst) | {"source_url": lst.source_url},
        "prev": {"url": prev.url, "number": prev.number, "title": item_label(prev)} if prev else None,
        "next": {"url": next_.url, "number": next_.number, "title": item_label(next_)} if next_ else None,
    }


def department(site: Site, d: Department) -> dict:
    j = site.archive.jurisdictions[d.jurisdiction]
    full = site.full_name(j)
    leads, partners = site.leads.get(d.key, []), site.partners.get(d.key, [])
    return {
        "title": f"{d.name}（{full}）牵头和配合的民生实事",
        "description": f"{full}{d.name}：牵头{len(leads)}项、配合{len(partners)}项民生实事，按清单和年份列出。",
        "crumbs": crumbs(site, j) + [{"name": "部门", "url": f"{j.url}bumen/"}],
        "d": {"name": d.name, "aliases": list(d.aliases), "lead_count": len(leads), "partner_count": len(partners)},
        "leads": grouped_by_list(site, leads),
        "partners": grouped_by_list(site, partners),
    }


def department_index(site: Site, j: Jurisdiction) -> dict:
    full = site.full_name(j)
    depts = sorted(site.departments_of.get(j.path, []), key=lambda d: (-site.workload(d), d.slug))
    return {
        "title": f"{full}的部门及其承担的民生实事",
        "description": f"{full}{len(depts)}个部门，按承担的民生实事数量排列。",
        "crumbs": crumbs(site, j),
        "full": full,
        "departments": [{"name": d.name, "url": d.url, "aliases": list(d.aliases),
                         "leads": len(site.leads.get(d.key, [])), "partners": len(site.partners.get(d.key, []))}
                        for d in depts],
    }


def year(site: Site, y: int) -> dict:
    lists = site.by_year[y]
    return {
        "title": f"{y}年的民生实事清单",
        "description": f"{y}年各地公布的{len(lists)}份民生实事清单，共{sum(len(l.items) for l in lists)}个项目。",
        "year": y,
        "lists": [list_row(site, l) for l in lists],
        "years": [{"year": other, "url": f"/nian/{other}/", "current": other == y}
                  for other in sorted(site.by_year, reverse=True)],
    }


def year_index(site: Site) -> dict:
    return {
        "title": "按年份查阅民生实事清单",
        "description": "各年份公布的民生实事清单数量和项目数量。",
        "years": [{"year": y, "url": f"/nian/{y}/", "lists": len(ls), "item_total": sum(len(l.items) for l in ls)}
                  for y, ls in sorted(site.by_year.items(), reverse=True)],
    }


def topic_rows(site: Site) -> list[dict]:
    return [{"name": t.name, "url": t.url, "description": t.description,
             "count": len(site.topic_items.get(t.slug, []))}
            for t in site.topics if site.topic_items.get(t.slug)]


def topic(site: Site, t: Topic, rows: list[Item], pager: dict) -> dict:
    total = pager["total"]
    return {
        "title": f"{t.name}：各地民生实事对照{page_suffix(pager)}",
        "description": f"各地民生实事清单中与{t.name}有关的{total}个项目，按地区和年份并列。",
        "topic": {"name": t.name, "description": t.description, "keywords": list(t.keywords)},
        "items": [item_row(site, i) for i in rows],
        "pager": pager,
    }


def topic_index(site: Site) -> dict:
    return {
        "title": "按主题查阅各地民生实事",
        "description": "把各地清单里的项目按养老、教育、医疗等主题归类，跨地区对照。",
        "topics": topic_rows(site),
    }


def source(site: Site, path: str) -> dict:
    lists = site.by_source[path]
    text = (site.root / path).read_text(encoding="utf-8")
    starts: dict[int, list[dict]] = defaultdict(list)
    seen: set[str] = set()
    for lst in lists:
        for item in lst.items:
            first, last = item.source_lines
            anchor = f"L{first}-L{last}"
            starts[first].append({"anchor": "" if anchor in seen else anchor, "url": item.url,
                                  "number": item.number, "first": first, "last": last})
            seen.add(anchor)
    lines = [{"n": n, "text": line, "marks": starts.get(n, [])} for n, line in enumerate(text.split("\n"), 1)]
    if lines and lines[-1]["text"] == "" and not lines[-1]["marks"]:
        lines.pop()    # the file's final newline is not a line of its own
    name = Path(path).name
    return {
        "title": f"原文：{lists[0].title}（{name}）",
        "description": f"“{lists[0].title}”的原文，逐行编号，照原样保留。",
        "crumbs": crumbs(site, lists[0].jurisdiction),
        "lists": [list_row(site, l) | {"source_url": l.source_url} for l in lists],
        "file": name,
        "lines": lines,
    }


def not_found(site: Site) -> dict:
    return {"title": "找不到这个页面", "description": "这个地址没有页面。可以从首页或搜索查找清单和项目。"}


def search(site: Site) -> dict:
    return {"title": "搜索民生实事", "description": "在所有清单的项目、部门和原文中搜索。"}


# ---------------------------------------------------------------- the plan


def plan(archive: Archive, topics: list[Topic], root: Path, templates: set[str]) -> list[Page]:
    """Every page of the site, in a stable order: first the pages across jurisdictions, then each
    jurisdiction's own pages together (its departments, lists, items, sources). That order lets render
    workers take contiguous shares that touch mostly different items. `templates` names the templates
    that exist, so the search page is planned only once its template has been written."""
    site = Site(archive, topics, root)
    pages = [Page("/", "home.html", partial(home, site)),
             Page("/404.html", "404.html", partial(not_found, site))]
    if "search.html" in templates:
        pages.append(Page("/search/", "search.html", partial(search, site)))
    pages.append(Page("/nian/", "years.html", partial(year_index, site)))
    for y in sorted(site.by_year):
        pages.append(Page(f"/nian/{y}/", "year.html", partial(year, site, y)))
    pages.append(Page("/fenlei/", "topics.html", partial(topic_index, site)))
    for t in topics:
        rows = site.topic_items.get(t.slug, [])
        if rows:
            for url, chunk, pager in paginate(t.url, rows):
                pages.append(Page(url, "topic.html", partial(topic, site, t, chunk, pager)))
    sources: dict[str, list[str]] = defaultdict(list)
    for path, lists in site.by_source.items():
        sources[lists[0].jurisdiction.path].append(path)
    for j in site.jurisdictions:
        pages.append(Page(j.url, "jurisdiction.html", partial(jurisdiction, site, j)))
        if site.departments_of.get(j.path):
            pages.append(Page(f"{j.url}bumen/", "departments.html", partial(department_index, site, j)))
        for d in site.departments_of.get(j.path, []):
            pages.append(Page(d.url, "department.html", partial(department, site, d)))
        for lst in site.lists_of.get(j.path, []):
            pages.append(Page(lst.url, "list.html", partial(item_list, site, lst)))
            items = lst.items
            for n, item in enumerate(items):
                prev = items[n - 1] if n else None
                next_ = items[n + 1] if n + 1 < len(items) else None
                pages.append(Page(item.url, "item.html", partial(item_page, site, item, prev, next_)))
        for path in sources.get(j.path, []):
            pages.append(Page(source_url(site.by_source[path][0]), "source.html", partial(source, site, path)))
    return pages
