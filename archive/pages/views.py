"""Small views shared by several page kinds: rows, labels, breadcrumbs, grouping and pagination."""
from __future__ import annotations

from collections import defaultdict

from archive.model import DeptRef, Item, ItemList, Jurisdiction

from .site import Site

PER_PAGE = 100          # long listings are paginated: no page lists every item

FLAG_LABEL = {"redacted": "有隐去", "uncertain": "不确定", "fragment": "片段"}
FLAG_TEXT = {
    "redacted": "原文有文字被隐去，以“**”标出，本档案照原样保留，不作猜测。",
    "uncertain": "本条部分内容不确定",
    "fragment": "本条是残缺的片段：原文在此处不完整。",
}


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
        "status": {"code": item.status, "slug": site.statuses.slug(item.status)} if item.progress else None,
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


def numbered_lines(text: str, ranges: list[tuple[int, int, Item]]) -> list[dict]:
    """A source document's lines, each range (first, last, item) marked where it starts, each anchor
    #L<first>-L<last> given once."""
    starts: dict[int, list[dict]] = defaultdict(list)
    seen: set[str] = set()
    for first, last, item in ranges:
        anchor = f"L{first}-L{last}"
        starts[first].append({"anchor": "" if anchor in seen else anchor, "url": item.url, "number": item.number,
                              "first": first, "last": last})
        seen.add(anchor)
    lines = [{"n": n, "text": line, "marks": starts.get(n, [])} for n, line in enumerate(text.split("\n"), 1)]
    if lines and lines[-1]["text"] == "" and not lines[-1]["marks"]:
        lines.pop()    # the file's final newline is not a line of its own
    return lines


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
