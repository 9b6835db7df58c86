"""Each item's similar items in other lists (`archive/similar.py`), computed once for the whole site in the
build's parent process, before the render workers fork and inherit the result."""
from __future__ import annotations

import numpy as np

from archive.model import Item
from archive.similar import best_table

from .site import Site
from .views import item_label, list_label


def similar_by_item(site: Site, memo=None) -> dict[str, tuple[Item, ...]]:
    """Item id → its similar items, best first; items without any are left out (most of them). `memo`:
    the build cache's (archive/similar_memo.py)."""
    items = site.items
    ids = [i.id for i in items]          # a property that formats a string: made once, not twice
    other = best_table(_Texts(items), [i.list.id for i in items],
                       [[t.slug for t in site.item_topics[k]] for k in ids], memo=memo).other
    rows = np.flatnonzero(other[:, 0] >= 0) if other.shape[1] else np.zeros(0, np.int64)
    # from the table, not from similar_items' Match tuples: the pages need no scores
    return {ids[k]: tuple([items[j] for j in found if j >= 0]) for k, found in zip(rows.tolist(), other[rows].tolist())}


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
