"""What a render worker hands the index stage for each item page it renders: the page's blocks normalised
(the search text, NFKC and all) and its display fragment `f/…`, written by the worker itself at the item's
id. The index stage then only joins the zones, ranks, computes the postings and writes the files that need
every item at once: normalising and the 100,000 fragments were half its time, in one process, while the
second core idled; in the workers they run on both cores during the pages stage.

    texts = ItemTexts.planned(archive, paths)   before the pages stage: each planned item page's id
    entry = texts.read(data, template, path, writer)   in a render worker, the page just rendered
    texts.learn(path, entry, writer)            in the build process, as the worker hands it back
    texts.take(path) -> (normed, id, digest)    in the index stage (None: no worker read that page)

An item's id is its rank (newest list first: `ranked_lists`); the index stage counts ids itself and takes a
worker's fragment only where the two agree (`search_index`); the others it writes as for a page no worker
rendered. `normed` is `normed_text(blocks)`: the normalised blocks joined by SEP (no normalised block holds
it, as normalising removes whitespace), a little smaller than the blocks themselves.
"""
from __future__ import annotations

import json

from .article import rendered_text
from .text import SEP, norm_blocks, split_blocks

INDEX = "search/i"                 # site-relative; the search page finds it at /search/i/


def ranked_lists(archive) -> list:
    """The lists in the index's order (newest first, then published order): their items' ids follow it."""
    return sorted(archive.lists, key=lambda lst: (
        -lst.year, -(lst.published.toordinal() if lst.published else 0), -(lst.batch or 0),
        lst.jurisdiction.path))


def fragment_path(d: int) -> str:
    """Index-relative path of item `d`'s display fragment."""
    return f"f/{d >> 8}/{d}.json"


def fragment(title: str, blocks: list[str]) -> bytes:
    """An item's display fragment: its title and visible blocks as shown."""
    return json.dumps({"t": title, "b": blocks}, ensure_ascii=False, separators=(",", ":")).encode()


def normed_text(blocks: list[str]) -> str:
    return SEP.join(norm_blocks(blocks))


class ItemTexts(dict):
    """Per item page path (the build process's side): (normed text in UTF-16, the id its fragment was
    written at or None, that fragment's digest or None)."""

    def __init__(self, slots: dict | None = None):
        super().__init__()
        self.slots = slots or {}          # item page path → (id, item): set before the workers fork
        self.written: set[str] = set()    # fragments' site paths the workers wrote

    @classmethod
    def planned(cls, archive, paths) -> "ItemTexts":
        """Ids for the items whose page is among `paths` (the planned pages' output paths), numbered as
        the index stage numbers the items that have a page."""
        paths = set(paths)
        slots, d = {}, 0
        for lst in ranked_lists(archive):
            for item in lst.items:
                path = item.url.lstrip("/") + "index.html"
                if path in paths:
                    slots[path] = (d, item)
                    d += 1
        return cls(slots)

    def read(self, data: bytes, template: str | None, path: str, writer) -> tuple | None:
        """In a render worker: the page's normalised text and, for a planned item page, its fragment written
        through `writer` (id, the writer's record of it). None for a page without searchable text."""
        joined = rendered_text(data, template)
        if joined is None:
            return None
        blocks = split_blocks(joined)
        # in UTF-16: two bytes a CJK character through the pipe, where a str pickles as UTF-8 (three)
        normed = normed_text(blocks).encode("utf-16-le")
        slot = self.slots.get(path)
        if slot is None:
            return normed, None, None
        d, item = slot
        target = f"{INDEX}/{fragment_path(d)}"
        writer.write(target, fragment(item.title, blocks))
        return normed, d, writer.files[target]

    def learn(self, path: str, entry: tuple, writer) -> None:
        """In the build process: what a worker handed back for the page at `path`; the fragment it wrote is
        claimed here as the build's (in a forked worker it was claimed in that worker only)."""
        normed, d, record = entry
        digest = None
        if d is not None:
            target = f"{INDEX}/{fragment_path(d)}"
            if target not in writer.files:
                writer.claim(target)
                writer.files[target] = record
            self.written.add(target)
            digest = record[0]
        self[path] = (normed, d, digest)

    def take(self, path: str) -> tuple | None:
        """(normed, id, fragment digest) of the page at `path`, forgotten here; None if no worker read it."""
        entry = self.pop(path, None)
        return None if entry is None else (entry[0].decode("utf-16-le"), *entry[1:])
