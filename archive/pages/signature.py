"""Page signatures: for the page kinds there are many of, a digest of everything a page's context reads,
computed without computing the context. The build cache (archive/cache/) keys such a page by its
signature, so a rebuild computes the context and renders the page only when the signature is new.

A wrong signature leaves a stale page, so each context function in `contexts.py` (and `overdue.py`) has
its signature function right above it, `@signed` links the two, and tests/test_signature.py checks, for
every page of a generated corpus and of the real content across the edits of tests/test_cache.py, that
an unchanged signature always comes with an unchanged context.

A signature is made of:

* model digests, which cover everything a page can reach from an object by following the model upwards:
  `item_digest` (every field of an item, its list's digest), `list_digest` (every field of a list but
  its items, how many items it has, its jurisdiction's digest), `place_digest` (every field of a
  jurisdiction and of each of its ancestors) and `site_digest` (the as-of date, the status registry);
* and the computed values of whatever else the context reads from the site's cross-references (an
  item's topics and similar items, a department's items, the page an overdue item is listed on): the
  model digests know nothing of those, so every signature names them itself.

Digests are the repr() of tuples of str, int, float, bool, None, dates and the model's frozen dataclasses
(whose repr shows every field: tests check that, and that the fields spelt out are all there are), never of sets or anything keyed by `id()` or `hash()`,
so equal values give equal digests in every process of every later build. Each model digest is computed
once per render process (`site.memo`): an item's is read by its own page, its list's page, its
departments' pages, its year's and its topic's.
"""
from __future__ import annotations

import hashlib
from operator import attrgetter

from archive.model import Item, ItemList, Jurisdiction

from .site import Site

# Every field of Item but `list` (its list's digest stands for it), and of ItemList but `items`. An
# item's departments are spelt out field by field: repr() of the dataclasses costs twice as much.
ITEM_FIELDS = ("number", "title", "category", "body", "deadline_text", "deadline", "lead", "partners",
               "source_lines", "flags", "note", "status_text", "path", "progress", "overdue")
LIST_FIELDS = ("id", "year", "batch", "title", "publisher", "published", "source", "source_url", "note")
REF_FIELDS = ("printed", "department", "generic")
DEPARTMENT_FIELDS = ("jurisdiction", "slug", "name", "aliases")
_item_fields = attrgetter(*(f for f in ITEM_FIELDS if f not in ("lead", "partners")))
_list_fields = attrgetter(*LIST_FIELDS)
department_fields = attrgetter(*DEPARTMENT_FIELDS)    # cheaper than the dataclass's repr()


def digest(*parts) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def signed(inputs):
    """Decorate a context function with the function that computes its signature from the same arguments."""
    def link(context):
        context.inputs = inputs
        return context
    return link


def _memo(site: Site, kind: str) -> dict:
    found = site.memo.get(kind)
    if found is None:
        found = site.memo[kind] = {}
    return found


def site_digest(site: Site) -> str:
    memo = _memo(site, "signature")
    if "site" not in memo:
        memo["site"] = digest(site.archive.as_of, site.statuses)
    return memo["site"]


def place_digest(site: Site, j: Jurisdiction) -> str:
    memo = _memo(site, "place digests")
    found = memo.get(j.path)
    if found is None:
        found = memo[j.path] = digest(*site.ancestry(j))
    return found


def list_digest(site: Site, lst: ItemList) -> str:
    memo = _memo(site, "list digests")
    found = memo.get(id(lst))
    if found is None:
        found = memo[id(lst)] = digest(place_digest(site, lst.jurisdiction), len(lst.items), _list_fields(lst))
    return found


def item_digest(site: Site, item: Item) -> str:
    memo = _memo(site, "item digests")
    found = memo.get(id(item))
    if found is None:
        found = memo[id(item)] = digest(list_digest(site, item.list), _item_fields(item), _refs(item.lead),
                                        _refs(item.partners))
    return found


def _refs(refs) -> list:
    return [(r.printed, r.generic, r.department and department_fields(r.department)) for r in refs]


def archive_inputs(site: Site) -> str:
    """The signature of a page about the whole archive (`/`, `/tongji/`): the topics, every jurisdiction
    of the registry in its order, every list and every item. Their counts, trees and charts are made of
    nothing else."""
    return digest(site_digest(site), site.topics, [place_digest(site, j) for j in site.archive.jurisdictions.values()],
                  [list_digest(site, lst) for lst in site.archive.lists], lists_items_digest(site, site.archive.lists))


def prime(site: Site, known=None) -> None:
    """Every item's digest, now: called in the build's parent before the render workers fork, so that
    they inherit them instead of each computing the many its pages read (the topic and year pages read
    them all). `known` (the build cache's `ItemDigests`) gives an unchanged list's digests, and learns
    the others'."""
    memo = _memo(site, "item digests")
    for lst in site.archive.lists:
        found = known.get(lst.id) if known is not None else None
        if found is not None and len(found) == len(lst.items):
            memo.update(zip(map(id, lst.items), found))
            continue
        digests = [item_digest(site, item) for item in lst.items]
        if known is not None:
            known.put(lst.id, digests)


def items_digest(site: Site, items) -> str:
    """The digests of several items, in their order (one per item page on a listing of thousands)."""
    memo = _memo(site, "item digests")
    items = items if isinstance(items, (list, tuple)) else list(items)
    try:        # every item's digest was made before the workers forked (`prime`): one lookup each
        joined = "".join(map(memo.__getitem__, map(id, items)))
    except KeyError:
        joined = "".join([memo.get(id(i)) or item_digest(site, i) for i in items])
    return _hashed(joined.encode())


def lists_items_digest(site: Site, lists) -> str:
    """`items_digest` of every item of these lists, in order, made of one digest per list: a list's is made
    once per process, and the pages over many lists (years, jurisdictions, `/`) read thousands of them."""
    memo = _memo(site, "list items digests")
    parts = []
    for lst in lists:
        found = memo.get(id(lst))
        if found is None:
            found = memo[id(lst)] = items_digest(site, lst.items)
        parts.append(found)
    return _hashed("".join(parts).encode())


def pager_digest(site: Site, pager: dict) -> str:
    """A pager dict (views.paginate, compare.paginate_rows) whose list of page links every page of a listing
    shares: its repr is digested once per listing, not once per page (quadratic in a listing's pages)."""
    memo = _memo(site, "pager links")
    links = pager["pages"]
    found = memo.get(id(links))
    if found is None or found[0] is not links:
        found = memo[id(links)] = (links, digest(links))      # holding `links` keeps its id from being reused
    return digest({k: v for k, v in pager.items() if k != "pages"}, found[1])


def file_digest(data: bytes) -> str:
    """The digest of a file's bytes, hashed as they are (repr() of bytes writes \\xNN for every byte of
    Chinese text: four times the bytes to hash)."""
    return _hashed(data)


def _hashed(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()
