"""Each item's similar items in other lists (`archive/similar.py`), computed once for the whole site in the
build's parent process, before the render workers fork and inherit the result."""
from __future__ import annotations

from archive.model import Item
from archive.similar import similar_items

from .site import Site
from .views import item_label, list_label


def similar_by_item(site: Site) -> dict[str, tuple[Item, ...]]:
    """Item id → its similar items, best first; items without any are left out (most of them)."""
    items = site.items
    matches = similar_items(_Texts(items), [i.list.id for i in items],
                            [[t.slug for t in site.item_topics[i.id]] for i in items])
    return {item.id: tuple(items[m.index] for m in found) for item, found in zip(items, matches) if found}


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
