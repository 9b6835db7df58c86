"""Contexts, one function per page kind: everything a template shows, as plain dicts and lists.

The page kinds there are many of have a signature function right above the context function, linked to it
by `@signed`: a digest of everything the context reads, computed without it (signature.py). A change to
what a context reads must change its signature too; tests/test_signature.py checks it page by page."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from archive.csvdata import list_csv
from archive.feeds import feed_links
from archive.headers import META_POLICY
from archive.model import Department, Item, ItemList, Jurisdiction

from .compare import Row, comparison
from .related import similar_rows
from .signature import (archive_inputs, department_fields, digest, file_digest, item_digest, items_digest, list_digest,
                        lists_items_digest, pager_digest, place_digest, signed, site_digest)
from .site import Site, Topic, source_lines_url, source_url
from .stats import item_charts
from .status import item_status, overdue_url, summary, topic_summary
from .views import (FLAG_TEXT, crumbs, dept_view, grouped_by_list, item_label, item_row, list_label, list_row,
                    lists_by_year, numbered_lines, page_suffix, tree_rows)

RECENT = 8              # lists shown as recently published on the home page


@signed(archive_inputs)
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
        "status": summary(site, site.items, overdue_url(site, "")),
        "recent": [list_row(site, l) for l in by_recency[:RECENT]],
        "years": sorted(site.by_year, reverse=True),
        "topics": topic_rows(site),
        "feeds": feed_links(a.lists),
    }


def jurisdiction_inputs(site: Site, j: Jurisdiction) -> str:
    subtree = site.subtree_lists(j)
    return digest(site_digest(site), place_digest(site, j), site.item_count[j.path],
                  [list_digest(site, l) for l in site.lists_of.get(j.path, [])],
                  lists_items_digest(site, subtree), tree_rows(site, j.path),
                  ranked_departments(site, j), site.topics, feed_links(subtree, j))   # topics: the items' and these


@signed(jurisdiction_inputs)
def jurisdiction(site: Site, j: Jurisdiction) -> dict:
    subtree = site.subtree_lists(j)      # a province covers what its cities' lists cover
    depts = ranked_departments(site, j)
    topics, categories = topics_and_categories(site, subtree)
    full = site.full_name(j)
    return {
        "title": f"{full}的民生实事清单",
        "description": f"{full}历年公布的民生实事清单：共{site.item_count[j.path]}个项目，按年份、部门和主题查阅。",
        "crumbs": crumbs(site, j)[:-1],
        "status": summary(site, [i for lst in subtree for i in lst.items], overdue_url(site, j.path)),
        "j": {"name": j.display_name, "printed": j.name if j.name != j.display_name else "", "note": j.note,
              "full": full, "count": site.item_count[j.path]},
        "years": lists_by_year(site, site.lists_of.get(j.path, [])),
        "children": tree_rows(site, j.path),
        "departments": depts[:20],
        "department_count": len(depts),
        "departments_url": f"{j.url}bumen/",
        "topics": topics,
        "categories": categories,
        "charts": item_charts(site, (i for lst in subtree for i in lst.items)),
        "feeds": feed_links(subtree, j),
    }


def ranked_departments(site: Site, j: Jurisdiction) -> list[dict]:
    depts = sorted(site.departments_of.get(j.path, []), key=lambda d: (-site.workload(d), d.slug))
    return [{"name": d.name, "url": d.url, "count": site.workload(d)} for d in depts]


def topics_and_categories(site: Site, lists: list[ItemList]) -> tuple[list[dict], list[str]]:
    """The topics of the lists' items with their counts, and the categories in order of appearance."""
    topic_counts: dict[str, int] = defaultdict(int)
    categories: list[str] = []
    for lst in lists:
        for item in lst.items:
            for t in site.item_topics[item.id]:
                topic_counts[t.slug] += 1
            if item.category and item.category not in categories:
                categories.append(item.category)
    return [{"name": t.name, "url": t.url, "count": topic_counts[t.slug]}
            for t in site.topics if topic_counts[t.slug]], categories


def item_list_inputs(site: Site, lst: ItemList) -> str:
    j = lst.jurisdiction
    return digest(site_digest(site), list_digest(site, lst), lists_items_digest(site, [lst]),
                  first_overdue_url(site, lst), feed_links(site.subtree_lists(j), j))


@signed(item_list_inputs)
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
        "status": summary(site, lst.items, first_overdue_url(site, lst)),
        "list": list_row(site, lst) | {"publisher": lst.publisher, "note": lst.note, "source_url": lst.source_url,
                                       "source_page": source_url(lst)},
        "groups": groups,
        "charts": item_charts(site, lst.items),
        "feeds": feed_links(site.subtree_lists(lst.jurisdiction), lst.jurisdiction),
        "csv": "/" + list_csv(lst),
    }


def first_overdue_url(site: Site, lst: ItemList) -> str:
    """Where the overdue listing of the list's jurisdiction shows its first overdue item: the page depends on
    the other lists' overdue items too."""
    return overdue_url(site, lst.jurisdiction.path, next((i for i in lst.items if i.overdue), None))


def item_page_inputs(site: Site, item: Item, prev: Item | None, next_: Item | None) -> str:
    # A neighbour's digest stands for what `neighbour()` shows of it: made before the workers fork, it is
    # a lookup, where `neighbour()` formats a URL and a label (item pages are most of the site).
    return digest(site_digest(site), item_digest(site, item), [(t.name, t.url) for t in site.item_topics[item.id]],
                  items_digest(site, site.similar.get(item.id, ())),
                  prev and item_digest(site, prev), next_ and item_digest(site, next_))


@signed(item_page_inputs)
def item_page(site: Site, item: Item, prev: Item | None, next_: Item | None) -> dict:
    lst = item.list
    shared = list_part(site, lst)
    first, last = item.source_lines
    flags = [{"flag": f, "text": FLAG_TEXT.get(f, f)} for f in item.flags]
    return {
        "title": f"{item.number}. {item_label(item)}（{shared['where']}清单）",
        "description": f"{shared['where']}民生实事第{item.number}项：{item_label(item)}。"
                       + (f"完成时限：{item.deadline_text}。" if item.deadline_text else ""),
        "crumbs": shared["crumbs"],
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
            "status_text": item.status_text,
            "progress": item_status(site, item),
            "topics": [{"name": t.name, "url": t.url} for t in site.item_topics[item.id]],
            "similar": similar_rows(site, item),
            "source": {"first": first, "last": last, "url": source_lines_url(item)},
        },
        "list": shared["list"],
        "prev": neighbour(prev),
        "next": neighbour(next_),
    }


def list_part(site: Site, lst: ItemList) -> dict:
    """What every item page of a list shows of the list, computed once per list and render process."""
    memo = site.memo.setdefault("item page list parts", {})
    part = memo.get(id(lst))
    if part is None:
        part = memo[id(lst)] = {
            "where": site.full_name(lst.jurisdiction) + list_label(lst),
            "crumbs": crumbs(site, lst.jurisdiction) + [{"name": list_label(lst) + "清单", "url": lst.url}],
            "list": list_row(site, lst) | {"source_url": lst.source_url},
        }
    return part


def neighbour(item: Item | None) -> dict | None:
    return {"url": item.url, "number": item.number, "title": item_label(item)} if item else None


def department_inputs(site: Site, d: Department) -> str:
    return digest(site_digest(site), department_fields(d), place_digest(site, site.archive.jurisdictions[d.jurisdiction]),
                  items_digest(site, site.leads.get(d.key, [])), items_digest(site, site.partners.get(d.key, [])))


@signed(department_inputs)
def department(site: Site, d: Department) -> dict:
    j = site.archive.jurisdictions[d.jurisdiction]
    full = site.full_name(j)
    leads, partners = site.leads.get(d.key, []), site.partners.get(d.key, [])
    return {
        "title": f"{d.name}（{full}）牵头和配合的民生实事",
        "description": f"{full}{d.name}：牵头{len(leads)}项、配合{len(partners)}项民生实事，按清单和年份列出。",
        "crumbs": crumbs(site, j) + [{"name": "部门", "url": f"{j.url}bumen/"}],
        "status": summary(site, list({i.id: i for i in leads + partners}.values()), overdue_url(site, j.path)),
        "d": {"name": d.name, "aliases": list(d.aliases), "lead_count": len(leads), "partner_count": len(partners)},
        "leads": grouped_by_list(site, leads),
        "partners": grouped_by_list(site, partners),
        "charts": item_charts(site, list({i.id: i for i in leads + partners}.values())),
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


def year_inputs(site: Site, y: int) -> str:
    lists = site.by_year[y]
    return digest(site_digest(site), y, [list_digest(site, l) for l in lists],
                  lists_items_digest(site, lists), sorted(site.by_year))


@signed(year_inputs)
def year(site: Site, y: int) -> dict:
    lists = site.by_year[y]
    return {
        "title": f"{y}年的民生实事清单",
        "description": f"{y}年各地公布的{len(lists)}份民生实事清单，共{sum(len(l.items) for l in lists)}个项目。",
        "year": y,
        "status": summary(site, [i for l in lists for i in l.items], overdue_url(site, "")),
        "lists": [list_row(site, l) for l in lists],
        "charts": item_charts(site, (i for l in lists for i in l.items)),
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


def topic_inputs(site: Site, t: Topic, rows: list[Row], pager: dict, years: list[int], index: list[dict]) -> str:
    first = pager["number"] == 1
    return digest(site_digest(site), t, pager_digest(site, pager), years, index if first and pager["count"] > 1 else [],
                  [(place_digest(site, r.jurisdiction), sorted({l.year for l in site.lists_of.get(r.jurisdiction.path, [])}),
                    items_digest(site, r.items)) for r in rows],
                  items_digest(site, site.topic_items[t.slug]) if first else None)


@signed(topic_inputs)
def topic(site: Site, t: Topic, rows: list[Row], pager: dict, years: list[int], index: list[dict]) -> dict:
    """One page of the comparison (`compare.py`); the first page also has the charts and the index of
    jurisdictions with the page each is on."""
    total, first = pager["total"], pager["number"] == 1
    return {
        "title": f"{t.name}：各地民生实事对照{page_suffix(pager)}",
        "description": f"各地民生实事清单中与{t.name}有关的{total}个项目，按地区和年份并列对照。",
        "topic": {"name": t.name, "description": t.description, "keywords": list(t.keywords)},
        "status": topic_summary(site, t) if first else None,
        "years": years,
        "rows": comparison(site, rows, years),
        "pager": pager,
        "index": index if first and pager["count"] > 1 else [],
        "charts": item_charts(site, site.topic_items[t.slug]) if first else [],
    }


def topic_index(site: Site) -> dict:
    return {
        "title": "按主题查阅各地民生实事",
        "description": "把各地清单里的项目按养老、教育、医疗等主题归类，跨地区对照。",
        "topics": topic_rows(site),
    }


def source_inputs(site: Site, path: str) -> str:
    lists = site.by_source[path]
    return digest(path, file_digest((site.root / path).read_bytes()), [list_digest(site, l) for l in lists],
                  lists_items_digest(site, lists))   # lines, numbers, URLs


@signed(source_inputs)
def source(site: Site, path: str) -> dict:
    lists = site.by_source[path]
    text = (site.root / path).read_text(encoding="utf-8")
    lines = numbered_lines(text, [(*item.source_lines, item) for lst in lists for item in lst.items])
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
    return {"title": "找不到这个页面", "description": "这个地址没有页面。可以从首页或搜索查找清单和项目。",
            "policy": META_POLICY}


def search(site: Site) -> dict:
    return {"title": "搜索民生实事", "description": "在所有清单的项目、部门和原文中搜索。"}
