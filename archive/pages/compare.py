"""Topic pages as comparisons: rows are jurisdictions, columns are years, each cell lists the items that
jurisdiction's lists of that year have on the topic ("what did each city promise on 养老, year by year").

At 100,000 items a topic holds thousands of items, so the rows are paginated: whole jurisdiction rows, as
many as fit about ITEMS_PER_PAGE items (a row is never split, so a reader sees a city's years together).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from archive.model import Item, Jurisdiction

from .site import Site, Topic
from .views import item_label, list_label

ITEMS_PER_PAGE = 150


@dataclass(frozen=True)
class Row:
    jurisdiction: Jurisdiction
    items: tuple[Item, ...]


def rows_of(site: Site, t: Topic) -> list[Row]:
    """The jurisdictions whose own lists have items on `t`, in registry order."""
    by_j: dict[str, list[Item]] = defaultdict(list)
    for item in site.topic_items.get(t.slug, []):
        by_j[item.list.jurisdiction.path].append(item)
    return [Row(j, tuple(by_j[j.path])) for j in site.jurisdictions if j.path in by_j]


def anchor(j: Jurisdiction) -> str:
    return "d-" + j.path.replace("/", "-")


def paginate_rows(base_url: str, rows: list[Row], budget: int = ITEMS_PER_PAGE) -> list[tuple[str, list[Row], dict]]:
    """Whole rows per page, up to `budget` items (a larger row gets a page of its own); each page with the
    pager dict `pager_nav` shows, and page 1 with an index saying on which page each jurisdiction is."""
    chunks: list[list[Row]] = [[]]
    filled = 0
    for row in rows:
        if chunks[-1] and filled + len(row.items) > budget:
            chunks.append([])
            filled = 0
        chunks[-1].append(row)
        filled += len(row.items)
    urls = [base_url if n == 1 else f"{base_url}{n}/" for n in range(1, len(chunks) + 1)]
    links = [{"number": n + 1, "url": u} for n, u in enumerate(urls)]
    total = sum(len(r.items) for r in rows)
    pages = []
    for n, chunk in enumerate(chunks):
        pager = {"number": n + 1, "count": len(chunks), "total": total,
                 "prev": urls[n - 1] if n else None, "next": urls[n + 1] if n + 1 < len(urls) else None,
                 "pages": links}
        pages.append((urls[n], chunk, pager))
    return pages


def where_index(site: Site, pages: list[tuple[str, list[Row], dict]]) -> list[dict]:
    """Every jurisdiction of the comparison with the page its row is on: shown on page 1."""
    return [{"name": site.full_name(r.jurisdiction), "url": f"{url}#{anchor(r.jurisdiction)}", "count": len(r.items),
             "page": pager["number"]} for url, chunk, pager in pages for r in chunk]


def comparison(site: Site, rows: list[Row], years: list[int]) -> list[dict]:
    """The table's rows: one cell per year saying whether the jurisdiction published no list that year,
    a list with nothing on the topic, or which items (grouped by list when a year has several batches)."""
    out = []
    for row in rows:
        j = row.jurisdiction
        list_years = {lst.year for lst in site.lists_of.get(j.path, [])}
        by_year: dict[int, dict[str, dict]] = defaultdict(dict)
        for item in row.items:
            lst = item.list
            group = by_year[lst.year].setdefault(lst.id, {"label": list_label(lst) + "清单", "url": lst.url,
                                                          "items": []})
            group["items"].append({"url": item.url, "number": item.number, "title": item_label(item)})
        cells = []
        for y in years:
            state = "items" if y in by_year else ("empty" if y in list_years else "none")
            cells.append({"year": y, "state": state, "lists": list(by_year.get(y, {}).values())})
        out.append({"name": site.full_name(j), "url": j.url, "anchor": anchor(j), "count": len(row.items),
                    "cells": cells})
    return out
