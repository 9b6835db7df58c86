"""Statistics over a set of items (a list, a jurisdiction, a department, a topic, a year) as bar charts,
and the whole archive's statistics for /tongji/. Counting only: the geometry is in `charts.py`."""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable

from archive.model import DeptRef, Item

from .charts import Bar, bar_chart, top_bars
from .signature import archive_inputs, signed
from .site import Site

TOP_DEPARTMENTS = 15     # per-page lead department chart: the 15 that lead most, then 其他
TOP_CATEGORIES = 15
TOP_ARCHIVE_DEPARTMENTS = 20

NO_CATEGORY = "原文未分类"
NO_LEAD = "原文未写牵头部门"
NO_DATE = "时限无具体日期"
NO_DEADLINE = "原文未写时限"


def item_charts(site: Site, items: Iterable[Item]) -> list[dict]:
    """The charts shown above a page's items. A chart with a single bar says no more than the page's own
    count (a list without categories, a department's own items), so it is left out."""
    items = list(items)
    qualify = len({i.list.jurisdiction.path for i in items}) > 1
    charts = [status_chart(site, items), category_chart(items), lead_chart(items, qualify), quarter_chart(items)]
    return [c for c in charts if len(c["rows"]) > 1]


def status_chart(site: Site, items: list[Item]) -> dict:
    """Items by their latest reported status (registry/status.yaml order); 未见通报 last and grey: it says
    the archive holds no report, not that nothing was done."""
    counts = Counter(i.status for i in items)
    bars = [Bar(s.code, counts[s.code]) for s in site.statuses.codes.values() if counts[s.code]]
    none = site.statuses.none.code
    if counts[none]:
        bars.append(Bar(none, counts[none], other=True))
    # Every status shown is dated (issue 11): the /tongji/ page has no status section saying so.
    return bar_chart("zhuangtai", f"各完成状态的项目数（状态截至 {site.archive.as_of.isoformat()}）",
                     f"按本档案收录的最近一次进展通报统计；“{none}”指没有收录通报，不表示没有办理。", bars)


def category_chart(items: list[Item]) -> dict:
    counts = Counter(i.category or NO_CATEGORY for i in items)
    return bar_chart("fenlei", "各分类的项目数", "清单原有分类下的项目数；分类多于15个时其余合为“其他”。",
                     top_bars(counts, TOP_CATEGORIES, buckets=(NO_CATEGORY,)))


def dept_key(item: Item, ref: DeptRef) -> str:
    return ref.department.key if ref.department else f"{item.list.jurisdiction.path}/{ref.printed}"


def lead_chart(items: list[Item], qualify: bool) -> dict:
    """Each lead department of an item counts once for it. Across jurisdictions the same name means
    different departments, so there the label says whose department it is."""
    counts: Counter[str] = Counter()
    labels: dict[str, str] = {}
    urls: dict[str, str] = {}
    for item in items:
        if not item.lead:
            counts[NO_LEAD] += 1
        for ref in item.lead:
            key = dept_key(item, ref)
            if key not in labels:
                where = item.list.jurisdiction.display_name + "·" if qualify else ""
                labels[key] = where + ref.canonical
                if ref.department:
                    urls[key] = ref.department.url
            counts[key] += 1
    bars = top_bars(counts, TOP_DEPARTMENTS, labels=labels, urls=urls, buckets=(NO_LEAD,))
    return bar_chart("qiantou", "各牵头部门的项目数",
                     "每个牵头部门牵头的项目数，前15个部门以外合为“其他”；一个项目有几个牵头部门时各计一次。", bars)


def quarter_chart(items: list[Item]) -> dict:
    """Deadlines per calendar quarter, in time order; deadlines without a date (长期坚持) or not written
    go last, never placed in a quarter."""
    counts: Counter[tuple[int, int]] = Counter()
    undated = unwritten = 0
    for item in items:
        if item.deadline:
            counts[(item.deadline.year, (item.deadline.month - 1) // 3 + 1)] += 1
        elif item.deadline_text:
            undated += 1
        else:
            unwritten += 1
    bars = [Bar(f"{y}年第{q}季度", counts[(y, q)]) for y, q in sorted(counts)]
    bars += [Bar(label, n, other=True) for label, n in ((NO_DATE, undated), (NO_DEADLINE, unwritten)) if n]
    return bar_chart("shixian", "各季度到期的项目数",
                     "按完成时限所在季度统计；“长期坚持”等没有具体日期的时限和原文未写时限的单独列出。", bars)


@signed(archive_inputs)
def archive_stats(site: Site) -> dict:
    """The context of /tongji/: items per province, per year, per jurisdiction and year, the departments
    leading most items, and topics by year."""
    years = sorted(site.by_year)
    per_year = {y: sum(len(l.items) for l in site.by_year[y]) for y in years}
    provinces = [j for j in site.children.get(None, []) if site.has_lists(j)]
    return {
        "title": "统计：各地民生实事清单的数量、部门和主题",
        "description": f"全部{len(site.archive.lists)}份清单、{len(site.items)}个项目的统计：各省、各市、各年份的项目数，"
                       f"牵头项目最多的部门，各主题逐年的项目数。",
        "counts": {"lists": len(site.archive.lists), "item_total": len(site.items),
                   "jurisdictions": len(site.jurisdictions)},
        "years": years,
        "year_chart": bar_chart("nianfen", "各年份的项目数", "各年份公布的清单中的项目数。",
                                [Bar(f"{y}年", per_year[y], f"/nian/{y}/") for y in years]),
        "province_chart": bar_chart("shengfen", "各省份的项目数", "各省份（含下辖市、区、县）清单中的项目数。",
                                    [Bar(j.display_name, site.item_count[j.path], j.url) for j in provinces]),
        "places": place_rows(site, years),
        "lead_chart": archive_lead_chart(site),
        "status_chart": status_chart(site, site.items),
        "topics": topic_year_rows(site, years),
    }


def place_rows(site: Site, years: list[int]) -> list[dict]:
    """One row per jurisdiction with lists (in registry order, indented by level): items per year,
    its descendants included."""
    per_year: dict[str, Counter[int]] = defaultdict(Counter)
    for lst in site.archive.lists:
        for j in site.ancestry(lst.jurisdiction):
            per_year[j.path][lst.year] += len(lst.items)
    depth = {"province": 0, "city": 1, "district": 2}
    return [{"name": j.display_name, "url": j.url, "depth": depth.get(j.level, 0),
             "total": site.item_count[j.path], "cells": [per_year[j.path][y] for y in years]}
            for j in site.jurisdictions]


def archive_lead_chart(site: Site) -> dict:
    counts = {d.key: len(site.leads.get(d.key, ())) for d in site.departments}
    ranked = sorted((k for k in counts if counts[k]), key=lambda k: (-counts[k], k))[:TOP_ARCHIVE_DEPARTMENTS]
    depts = site.archive.departments
    bars = [Bar(site.archive.jurisdictions[depts[k].jurisdiction].display_name + "·" + depts[k].name,
                counts[k], depts[k].url) for k in ranked]
    return bar_chart("bumen", f"牵头项目最多的{TOP_ARCHIVE_DEPARTMENTS}个部门",
                     "按牵头的项目数排列；不同地区的同名部门分别计算。", bars)


def topic_year_rows(site: Site, years: list[int]) -> list[dict]:
    rows = []
    for t in site.topics:
        items = site.topic_items.get(t.slug, [])
        if items:
            per_year = Counter(i.list.year for i in items)
            rows.append({"name": t.name, "url": t.url, "total": len(items), "cells": [per_year[y] for y in years]})
    return rows
