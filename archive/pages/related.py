"""Each item's similar items in other lists (`archive/similar.py`), computed once for the whole site in the
build's parent process, before the render workers fork and inherit the result."""
from __future__ import annotations

from archive.model import Item
from archive.similar import similar_items

from .site import Site
from .views import item_label, list_label


def similar_by_item(site: Site, memo=None) -> dict[str, tuple[Item, ...]]:
    """Item id → its similar items, best first; items without any are left out (most of them). `memo`:
    the build cache's (archive/similar_memo.py)."""
    items = site.items
    ids = [i.id for i in items]          # a property that formats a string: made once, not twice
    matches = similar_items(_Texts(items), [i.list.id for i in items],
                            [[t.slug for t in site.item_topics[k]] for k in ids], memo=memo)
    return {k: tuple([items[index] for index, _ in found]) for k, found in zip(ids, matches) if found}


class _Texts:
    """The items' texts, made anew on each pass rather than held (about 70 MB at 100,000 items)."""

    def __init__(self, items: list[Item]):
        self.items = items

    def __iter__(self):
        return (f"{i.title}\n{i.body}" for i in self.items)


def similar_rows(site: Site, item: Item) -> list[dict]:
    return [{"url": other.url, "title": item_label(other), "number": other.number,
             "jurisdiction": site.full_name(other.list.jurisdiction), "list": list_label(other.list) + "清单"}
            for other in site.similar.get(item.id, ())]
