"""Each item's similar items in other lists (`archive/similar.py`), computed once for the whole site before
the render workers fork and inherit the result (the table in a forked child beside the plan, pages/plan.py)."""
from __future__ import annotations

import numpy as np

from archive.model import Item
from archive.similar import best_table

from .site import Site
from .views import item_label, list_label


def similar_by_item(site: Site, memo=None) -> dict[str, tuple[Item, ...]]:
    """Item id → its similar items, best first; items without any are left out (most of them). `memo`:
    the build cache's (archive/similar_memo.py)."""
    return similar_from_table(site, similar_table(site, memo))


def similar_from_table(site: Site, table: np.ndarray) -> dict[str, tuple[Item, ...]]:
    """`similar_by_item` from a `similar_table` (which a forked child can compute and send back: 40 bytes
    an item)."""
    items = site.items
    rows = np.flatnonzero(table[:, 0] >= 0) if table.shape[1] else np.zeros(0, np.int64)
    # from the table, not from similar_items' Match tuples: the pages need no scores
    return {items[k].id: tuple([items[j] for j in found if j >= 0]) for k, found in zip(rows.tolist(), table[rows].tolist())}


def similar_table(site: Site, memo=None) -> np.ndarray:
    """Row k: the places in `site.items` of item k's similar items, best first, -1 after the last. `memo`:
    the build cache's (archive/similar_memo.py)."""
    items = site.items
    return best_table(_Texts(items), [i.list.id for i in items],
                      [[t.slug for t in site.item_topics[i.id]] for i in items], memo=memo).other


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
