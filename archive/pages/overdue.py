"""The overdue listings: /yuqi/ across the archive and /<jurisdiction>/yuqi/ for each jurisdiction with
overdue items (its descendants' included), paginated, each page grouped by list.

"Overdue" is a fact about dates and about what this archive holds: the deadline the list printed is
before the as-of date and no report in the archive says the item was done, changed or ended.
"""
from __future__ import annotations

from functools import partial

from archive.model import Item, Jurisdiction

from .signature import digest, items_digest, pager_digest, place_digest, signed, site_digest
from .site import Site
from .status import as_of, overdue_label
from .views import crumbs, item_row, list_row, page_suffix, paginate


def overdue_pages(site: Site, page) -> list:
    """Every overdue page, as `page(url, template, context)`: the archive's first, then each jurisdiction's."""
    pages = []
    scopes = [(None, site.overdue)] + [(j, site.overdue_of[j.path]) for j in site.jurisdictions
                                       if site.overdue_of.get(j.path)]
    for j, items in scopes:
        base = f"{j.url}yuqi/" if j else "/yuqi/"
        for url, chunk, pager in paginate(base, items):
            pages.append(page(url, "overdue.html", partial(overdue, site, j, chunk, pager)))
    return pages


def overdue_inputs(site: Site, j: Jurisdiction | None, rows: list[Item], pager: dict) -> str:
    return digest(site_digest(site), place_digest(site, j) if j else None, items_digest(site, rows), pager_digest(site, pager),
                  reported(site, j), scopes(site, j))


@signed(overdue_inputs)
def overdue(site: Site, j: Jurisdiction | None, rows: list[Item], pager: dict) -> dict:
    where = site.full_name(j) if j else "各地"
    return {
        "title": f"{where}期限已过、未见完成通报的民生实事{page_suffix(pager)}",
        "description": f"{where}民生实事清单中，完成时限早于{as_of(site)}、本档案又未收录完成、调整或终止通报的"
                       f"{pager['total']}个项目，按清单列出。",
        "crumbs": crumbs(site, j) if j else [],
        "where": where,
        "as_of": as_of(site),
        "counts": {"total": pager["total"], "reported": reported(site, j),
                   "unreported": pager["total"] - reported(site, j)},
        "groups": groups(site, rows),
        "pager": pager,
        "scopes": scopes(site, j),
    }


def reported(site: Site, j: Jurisdiction | None) -> int:
    """How many of the scope's overdue items have a report: every page of its listing shows it, so it is
    counted once per render process (a scope at 100,000 items has thousands of overdue items)."""
    memo = site.memo.setdefault("overdue reported", {})
    scope = j.path if j else ""
    if scope not in memo:
        memo[scope] = sum(bool(item.progress) for item in (site.overdue_of[scope] if j else site.overdue))
    return memo[scope]


def scopes(site: Site, j: Jurisdiction | None) -> list[dict]:
    """The overdue listings one level down."""
    return [{"name": site.full_name(other), "url": f"{other.url}yuqi/", "count": len(site.overdue_of[other.path])}
            for other in site.children.get(j.path if j else None, []) if site.overdue_of.get(other.path)]


def groups(site: Site, items: list[Item]) -> list[dict]:
    """Consecutive items of one list as one group; listings are in list order, so each list is one group."""
    out: list[dict] = []
    for item in items:
        if not out or out[-1]["id"] != item.list.id:
            out.append({"id": item.list.id, "list": list_row(site, item.list), "rows": []})
        out[-1]["rows"].append(item_row(site, item) | {"deadline_date": item.deadline.isoformat(),
                                                        "reported": overdue_label(item)})
    return out
