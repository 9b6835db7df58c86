"""The plan: every URL of the site, the template that renders it, and the function that computes its context."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable

from archive.collector import paused
from archive.datapackage import Download
from archive.model import Archive

from .contexts import (department, department_index, home, item_list, item_page, jurisdiction, not_found, search,
                       source, topic, topic_index, year, year_index)
from .compare import paginate_rows, rows_of, where_index
from .data import data_page
from .overdue import overdue_pages
from .related import similar_by_item, similar_from_table, similar_table
from .signature import prime
from .site import Site, Topic, source_url
from .stats import archive_stats
from .status import report_pages, report_source


@dataclass(frozen=True)
class Page:
    url: str
    template: str
    context: Callable[[], dict] = field(compare=False)

    def signature(self) -> str | None:
        """The signature of the page's context (signature.py), or None when its context function has none."""
        inputs = getattr(getattr(self.context, "func", None), "inputs", None)
        return inputs(*self.context.args) if inputs else None


def plan(archive: Archive, topics: list[Topic], root: Path, templates: set[str],
         downloads: Callable[[], dict[str, Download]],
         digests=None, similar=None, topic_memo=None, fork: bool = False) -> list[Page]:
    """Every page of the site, in a stable order: first the pages across jurisdictions, then each
    jurisdiction's own pages together (its departments, lists, items, sources). That order lets render
    workers take contiguous shares that touch mostly different items. `templates` names the templates
    that exist, so the search page is planned only once its template has been written. `downloads()` tells
    the data page what the open-data stage wrote.
    `digests` (the build cache's `ItemDigests`, for a build whose pages are keyed by their signatures): the
    item digests are made here, before the render workers fork, from it where a list has not changed.
    `similar` (the build cache's `SimilarMemo`): similar items are updated from the last build's.
    `topic_memo` (the build cache's `item_topics`): an unchanged list's items' topics are not matched again.
    `fork`: the similar items are computed in a forked child meanwhile (when there is a second core)."""
    with paused():   # the plan's millions of objects live until the build ends
        site = Site(archive, topics, root, topic_memo)
        if not fork:
            site.similar = similar_by_item(site, similar)
            return _plan(site, topics, templates, downloads, digests)
        from archive.forked import Forked     # (here: it imports the render workers, which import this package)
        job = Forked(partial(_similar_beside, site, similar))
        try:
            pages = _plan(site, topics, templates, downloads, digests)
            table, damaged = job.result()
        finally:
            job.stop()
        if damaged:
            similar.damaged()
        # here, in the build process: the render workers inherit it when they fork
        site.similar = similar_from_table(site, table)
        return pages


def _similar_beside(site: Site, memo) -> tuple:
    """In the forked child: (`similar_table`, whether the memo found a file damaged: the build process warns,
    once)."""
    damaged = []
    if memo is not None:
        memo.damaged = lambda: damaged.append(True)
    return similar_table(site, memo), bool(damaged)


def _plan(site: Site, topics, templates, downloads, digests) -> list[Page]:
    if digests is not None:
        prime(site, digests)
    pages = [Page("/", "home.html", partial(home, site)),
             Page("/404.html", "404.html", partial(not_found, site))]
    if "search.html" in templates:
        pages.append(Page("/search/", "search.html", partial(search, site)))
    pages.append(Page("/tongji/", "tongji.html", partial(archive_stats, site)))
    pages.append(Page("/data/", "data.html", partial(data_page, site, downloads)))
    pages.append(Page("/nian/", "years.html", partial(year_index, site)))
    for y in sorted(site.by_year):
        pages.append(Page(f"/nian/{y}/", "year.html", partial(year, site, y)))
    pages.append(Page("/fenlei/", "topics.html", partial(topic_index, site)))
    pages += overdue_pages(site, Page)
    pages += [Page(url, "source.html", partial(report_source, site, path)) for url, path in report_pages(site)]
    for t in topics:
        rows = rows_of(site, t)
        if rows:
            compared = paginate_rows(t.url, rows)
            years = sorted({i.list.year for r in rows for i in r.items})
            index = where_index(site, compared)
            for url, chunk, pager in compared:
                pages.append(Page(url, "topic.html", partial(topic, site, t, chunk, pager, years, index)))
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
