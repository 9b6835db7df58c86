"""What pages show of progress: an item's status badge and timeline, counts by status with a bar, the
overdue line, and the page of a progress report kept in sources/.

Bars are SVG rectangles whose sizes are attributes, coloured by class: the CSP forbids style attributes.
The wording states what the archive holds ("本档案未收录完成情况的通报"), never that nothing was done.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from archive.model import Item, Progress

from .site import Site, source_url
from .views import PER_PAGE, list_row, numbered_lines

BAR_UNITS = 1000        # the summary bar's viewBox width: shares to a tenth of a percent
NO_REPORT_TEXT = "本档案未收录完成情况的通报"


def as_of(site: Site) -> str:
    return site.archive.as_of.isoformat()


def badge(site: Site, code: str) -> dict:
    return {"code": code, "slug": site.statuses.slug(code)}


def summary(site: Site, items: list[Item], overdue_url: str) -> dict:
    """Counts by status in the registry's order (未见通报 last), a bar built from them, and the overdue count
    with the link to where those items are listed."""
    counts = Counter(item.status for item in items)
    total, x, rows = len(items), 0, []
    for status in site.statuses.all:
        count = counts[status.code]
        if not count:
            continue
        # Cumulative rounding: the segments always fill the bar exactly, whatever the counts.
        end = round(BAR_UNITS * (sum(r["count"] for r in rows) + count) / total)
        rows.append({"code": status.code, "slug": status.slug, "count": count, "x": x, "width": end - x})
        x = end
    overdue = sum(item.overdue for item in items)
    return {"as_of": as_of(site), "total": total, "rows": rows, "units": BAR_UNITS,
            "reported": total - counts[site.statuses.none.code], "overdue": overdue,
            "overdue_url": overdue_url if overdue else "",
            "label": "；".join(f"{r['code']} {r['count']} 项" for r in rows)}


def topic_summary(site: Site, t) -> dict:
    """A topic's counts, shown on each of its pages: computed once per render process, not once a page
    (at 100,000 items a topic has thousands of items and tens of pages)."""
    key = ("topic", t.slug)
    if key not in site.memo:
        site.memo[key] = summary(site, site.topic_items[t.slug], overdue_url(site, ""))
    return site.memo[key]


def overdue_url(site: Site, scope: str, first: Item | None = None) -> str:
    """The overdue listing of a jurisdiction (`scope` its path) or of the archive (`scope` ""), at the page
    and list group where `first` is listed."""
    base = f"/{scope}/yuqi/" if scope else "/yuqi/"
    if first is None:
        return base
    page = _overdue_places(site, scope)[id(first)] // PER_PAGE + 1
    return (base if page == 1 else f"{base}{page}/") + f"#{first.list.id}"


def _overdue_places(site: Site, scope: str) -> dict[int, int]:
    """Each overdue item's place in its scope's listing, made once per scope and process: a list's page
    asks for its first overdue item's, and `list.index` on every list page cost seconds at 100,000 items."""
    key = ("overdue places", scope)
    places = site.memo.get(key)
    if places is None:
        listed = site.overdue_of[scope] if scope else site.overdue
        places = site.memo[key] = {id(item): n for n, item in reversed(list(enumerate(listed)))}
    return places


def item_status(site: Site, item: Item) -> dict:
    """The badge, the overdue line and the timeline (newest first) of one item."""
    latest = item.progress[-1] if item.progress else None
    return {
        "as_of": as_of(site),
        "badge": badge(site, item.status),
        "overdue": overdue_line(item),
        "entries": [entry_view(site, p) for p in reversed(item.progress)],
        "latest": latest.date.isoformat() if latest else "",
    }


def overdue_line(item: Item) -> str:
    if not item.overdue:
        return ""
    if not item.progress:
        return f"期限已过，{NO_REPORT_TEXT}。"
    latest = item.progress[-1]
    return f"期限已过，最近通报：{latest.status}（{latest.date.isoformat()}）。"


def overdue_label(item: Item) -> str:
    """The short form for listings: 逾期，未见通报 / 逾期，最近通报：滞后（2022-10-31）."""
    if not item.progress:
        return "未见通报"
    latest = item.progress[-1]
    return f"最近通报：{latest.status}（{latest.date.isoformat()}）"


def entry_view(site: Site, p: Progress) -> dict:
    if p.source:
        first, last = p.lines
        source = {"url": f"/yuanwen/{Path(p.source).stem}/#L{first}-L{last}", "external": False,
                  "label": f"{Path(p.source).name} 第 {first}{'' if first == last else f'–{last}'} 行", "publisher": ""}
    else:
        source = {"url": p.url, "external": True, "label": p.title, "publisher": p.publisher}
    percent = None if p.percent is None else {"value": p.percent, "text": f"{p.percent:g}%"}
    return {"date": p.date.isoformat(), "badge": badge(site, p.status), "as_printed": p.as_printed,
            "percent": percent, "text": p.text, "source": source}


def report_source(site: Site, path: str) -> dict:
    """The page of a progress report kept in sources/: its lines, each entry's lines marked with its item."""
    entries = site.reports[path]
    text = (site.root / path).read_text(encoding="utf-8")
    lines = numbered_lines(text, [(*p.lines, item) for item, p in entries])
    lists = list({item.list.id: item.list for item, _ in entries}.values())
    name = Path(path).name
    return {
        "title": f"进展通报原文：{name}",
        "description": f"进展通报 {name} 的原文，逐行编号，照原样保留；标出其中说到的各个项目。",
        "crumbs": [],
        "lists": [list_row(site, lst) | {"source_url": lst.source_url} for lst in lists],
        "report": True,
        "file": name,
        "lines": lines,
    }


def report_pages(site: Site) -> list[tuple[str, str]]:
    """(URL, path) of each progress report kept in sources/ that is not already a list's source page."""
    list_sources = {source_url(lst) for lst in site.archive.lists}
    pages = {f"/yuanwen/{Path(path).stem}/": path for path in sorted(site.reports)}
    return [(url, path) for url, path in pages.items() if url not in list_sources]
