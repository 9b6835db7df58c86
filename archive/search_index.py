"""Index stage: exact Chinese full-text search over the written item pages.

    build_index(archive, site_dir, writer, cache, texts) -> stats   called by the build after every page is written
    python -m archive.search_index SITE_DIR        index any folder of pages with data-pagefind-body

What an item page shows inside `data-pagefind-body` is what is searchable (read from the rendered
HTML, so the index cannot disagree with the page: by the render workers as they write each page, or
back from the disk for a page they did not render). The index is a character-bigram
index with positions (archive/search/writer.py), read by static/search/engine.js; see
docs/search.md for why this and not Pagefind's word index.
"""
from __future__ import annotations

import multiprocessing
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .model import Item
from .search.handover import INDEX as INDEX_DIR, normed_text, ranked_lists
from .search.text import norm, page_blocks
from .search.writer import Doc, Tables, folder_writer, write_index
from .collector import paused

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static" / "search"
PARALLEL_FROM = 500              # pages to parse; below this, starting two workers costs more than it saves


@dataclass(frozen=True)
class Facet:
    key: str                                          # in the search page's URL: ?j=…
    label: str                                        # above its menu
    values: Callable[[Item], list[tuple[str, str]]]   # an item's values: (in the URL, as the reader sees it)
    dated: bool = False                               # the values hold as of the build's date: say which
    of_list: bool = False                             # the values are the item's list's: found once a list


# The search page's filters, in this order. Adding one is one line here: the page reads the list, the
# values and every item's values from the index, with live counts over the results.
FACETS = [
    Facet("j", "地区", lambda item: [(item.list.jurisdiction.path, item.list.jurisdiction.display_name)], of_list=True),
    Facet("y", "年份", lambda item: [(str(item.list.year), f"{item.list.year}年")], of_list=True),
    Facet("c", "分类", lambda item: [(item.category, item.category)] if item.category else []),
    Facet("d", "牵头部门", lambda item: [(ref.canonical, ref.canonical) for ref in item.lead]),
    Facet("st", "状态", lambda item: [(item.status, item.status)], dated=True),
]
LIST_FACETS = [f for f in FACETS if f.of_list]
ITEM_FACETS = [f for f in FACETS if not f.of_list]


def _suffixes(name: str) -> list[str]:
    out = [name]
    for suf in ("市", "区", "县", "省", "新区", "高新区"):
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            out.append(name[: -len(suf)])
    return out


def build_index(archive, site_dir: Path, writer=None, cache=None, texts=None, jobs: int = 1) -> dict:
    """Index every item of `archive` from its page under `site_dir`; returns stats. With the build's
    `writer`, the index is written through it (and only files that changed reach the disk); with its
    `cache`, an item page whose digest an earlier build saw is not parsed again, and the postings are
    patched where only a few items changed. `texts` (search.handover.ItemTexts): the normalised text of
    the pages this build rendered and the fragments the render workers wrote; it is emptied. `jobs`: processes
    that may compute the postings."""
    # The model is millions of objects: every collection of the oldest generation walks them all, and the
    # stage's own objects (a Doc per item, its blocks) set collections off (~2 s of a rebuild's stage at
    # 100,000 items). The stage makes no cycles worth collecting.
    with paused():
        return _build_index(archive, Path(site_dir), writer, cache, texts, jobs)


def _build_index(archive, site_dir: Path, writer, cache, texts, jobs: int) -> dict:
    lists = ranked_lists(archive)
    urls = [item.url for lst in lists for item in lst.items]        # a property: made once an item
    paths = [url.lstrip("/") + "index.html" for url in urls]
    found, shown, digests, handed = read_pages(site_dir, paths, writer, cache, texts)
    stored = _stored_text(site_dir, cache)
    pages, page_digests, item_urls = iter(found), iter(digests), iter(urls)
    item_shown, item_handed, item_paths = iter(shown), iter(handed), iter(paths)
    juris_index: dict[str, int] = {}
    juris_rows: list[dict] = []
    facet_values: dict[str, dict[str, tuple[int, str]]] = {f.key: {} for f in FACETS}   # key → value → (index, label)
    list_rows: list[dict] = []
    docs: list[Doc] = []
    missing_pages = 0
    lead_count: Counter = Counter()
    coop_count: Counter = Counter()
    juris_items: Counter = Counter()

    for li, lst in enumerate(lists):
        j = lst.jurisdiction
        if j.path not in juris_index:
            juris_index[j.path] = len(juris_rows)
            juris_rows.append({"n": j.display_name, "u": j.url})
        list_url = lst.url
        list_rows.append({"u": list_url, "t": lst.title, "j": juris_index[j.path], "y": lst.year})
        juris_items[j.path] += len(lst.items)
        list_facets = None
        for item in lst.items:
            normed, page, url = next(pages), next(page_digests), next(item_urls)
            blocks, given, path = next(item_shown), next(item_handed), next(item_paths)
            if normed is None:
                missing_pages += 1
                continue          # not on the site: not searchable
            if list_facets is None:   # at the list's first searchable item, as each value was numbered before
                list_facets = {f.key: _indexes(facet_values[f.key], f.values(item)) for f in LIST_FACETS}
            facets = {**list_facets, **{f.key: _indexes(facet_values[f.key], f.values(item)) for f in ITEM_FACETS}}
            for ref in item.lead:
                if ref.department:
                    lead_count[ref.department.key] += 1
            for ref in item.partners:
                if ref.department:
                    coop_count[ref.department.key] += 1
            names = []
            for ref in item.lead:
                names += [ref.printed, ref.canonical]
            # a worker's fragment is this item's only if the worker numbered the item as this stage does
            fragment = given[1] if given is not None and given[0] == len(docs) else None
            docs.append(Doc(list_index=li, url_suffix=url[len(list_url):], blocks=blocks,
                            normed=stored if normed is STORED else normed,
                            title=item.title, lead_names=names, facets=facets, page=page, fragment=fragment,
                            source=path))

    del urls, found, digests, shown, handed     # 100,000 URLs: not held through the postings, the stage's peak

    names: dict[str, list[dict]] = {}
    offered: set = set()                 # (name, entity as a tuple): a list's `in` compared dicts one by one,
                                         # quadratic in a common name's entities (every place has a 教育局)

    def offer(key: str, ent: dict) -> None:
        k = norm(key)
        if k:
            seen = (k, tuple((f, tuple(v) if isinstance(v, list) else v) for f, v in sorted(ent.items())))
            if seen not in offered:
                offered.add(seen)
                names.setdefault(k, []).append(ent)

    for dept in archive.departments.values():
        j = archive.jurisdictions.get(dept.jurisdiction)
        ent = {"k": "d", "n": dept.name, "j": j.display_name if j else dept.jurisdiction,
               "u": dept.url, "l": lead_count[dept.key], "c": coop_count[dept.key],
               "a": list(dept.aliases)}
        for nm in (dept.name, *dept.aliases):
            offer(nm, ent)
    for j in archive.jurisdictions.values():
        ent = {"k": "j", "n": j.display_name, "u": j.url, "i": juris_items[j.path]}
        if "*" in j.name:
            continue
        for nm in _suffixes(j.name):
            offer(nm, ent)

    as_of = f"（截至 {archive.as_of.isoformat()}）" if getattr(archive, "as_of", None) else ""
    facets = [{"k": f.key, "n": f.label + (as_of if f.dated else ""),
               "v": [[value, label] for value, (_, label) in facet_values[f.key].items()]} for f in FACETS]
    tables = Tables(lists=list_rows, jurisdictions=juris_rows, facets=facets, names=names)
    keep = None
    written = texts.written if texts is not None else set()     # fragments the render workers wrote (and claimed)
    if writer is None:
        put = folder_writer(site_dir / INDEX_DIR)
    else:
        def put(path: str, data: bytes) -> str:
            path = f"{INDEX_DIR}/{path}"
            if path in written:         # a worker wrote it for an item this stage numbered otherwise
                writer.put(path, data)
            else:
                writer.write(path, data)
            return writer.files[path][0]

        def keep(path: str, found: str) -> bool:
            return f"{INDEX_DIR}/{path}" not in written and writer.keep(f"{INDEX_DIR}/{path}", found)
    stats = write_index(put, docs, tables, memo=cache.search if cache is not None else None, keep=keep,
                        shown=lambda sources: read_shown(site_dir, sources),
                        moved=(lambda path, found: writer.live_file(f"{INDEX_DIR}/{path}", found)) if writer is not None else None,
                        jobs=jobs)
    if writer is not None:
        _drop_strays(writer, written, len(docs))
    stats["items_without_page"] = missing_pages
    put("t2s.json", (STATIC / "t2s.json").read_bytes())
    if writer is None:
        install_assets(site_dir)
    return stats


def _indexes(seen: dict, pairs: list) -> list[int]:
    """Indexes of an item's facet values in `seen` (value → (index, label)), each once; a value not seen
    before gets the next index. Most items have one value per facet: that case is taken without a loop."""
    if len(pairs) == 1:
        value, label = pairs[0]
        known = seen.get(value)
        if known is None:
            known = seen[value] = (len(seen), label)
        return [known[0]]
    return list(dict.fromkeys(seen.setdefault(value, (len(seen), label))[0] for value, label in pairs))


STORED = object()       # read_pages: the build cache holds the page's normalised text (read if it is needed)


def read_pages(site_dir: Path, paths: list[str], writer=None, cache=None, texts=None) -> tuple:
    """Per page: its normalised text (`handover.normed_text`; STORED: the build cache holds it; None: no
    page, or not an item page), its blocks as shown where it was parsed here (else None), its digest where
    the build cache lists it (None elsewhere: the search memo then keys the item by its text) and what the
    render workers handed back of it ((id, fragment digest), or None). A page the render workers read
    (`texts`, emptied as it is used) or whose digest the build cache knows is not read; the others are
    parsed on both cores (parsing HTML back was most of the index stage)."""
    found: list = [None] * len(paths)
    shown: list = [None] * len(paths)
    digests: list = [None] * len(paths)
    handed: list = [None] * len(paths)
    todo = []
    for n, path in enumerate(paths):
        known = writer.files.get(path) if writer is not None and cache is not None else None
        entry = texts.take(path) if texts is not None else None
        if entry is not None:
            found[n], handed[n] = entry[0], entry[1:]
        if known is not None:
            digests[n] = known[0]
            if found[n] is None:
                found[n] = STORED if cache.holds_blocks(known[0]) else None
            else:
                cache.remember_blocks(known[0], found[n])
        if found[n] is None:
            todo.append(n)
    for n, got in zip(todo, _parsed([site_dir / paths[n] for n in todo])):
        if got is not None:
            shown[n], found[n] = got, normed_text(got)
            if digests[n] is not None:
                cache.remember_blocks(digests[n], found[n])
    return found, shown, digests, handed


class _stored_text:
    """A Doc's `normed` where the build cache holds its page's text: called (search/writer.py `doc_text`)
    only for the few items whose text the index needs (changed ones, or all when the postings are computed
    afresh); a text the cache has lost since (a damaged shard) is read back from the page."""

    def __init__(self, site_dir: Path, cache):
        self.site_dir, self.cache = site_dir, cache

    def __call__(self, doc) -> str:
        found = self.cache.block_text(doc.page)
        if found is None:
            found = normed_text(_page_blocks(self.site_dir / doc.source) or [])
            self.cache.remember_blocks(doc.page, found)
        return found


def read_shown(site_dir: Path, paths: list[str]) -> list:
    """The blocks as shown of the pages at `paths` (for the fragments of items whose text came normalised
    from the build cache, where the fragment cannot be kept)."""
    return list(_parsed([site_dir / path for path in paths]))


def _parsed(files: list[Path]):
    if len(files) < PARALLEL_FROM:
        return list(map(_page_blocks, files))
    with multiprocessing.get_context("fork").Pool(2) as pool:
        return pool.map(_page_blocks, files, chunksize=256)


def _page_blocks(page: Path):
    try:
        return page_blocks(page.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def _drop_strays(writer, written: set, n_docs: int) -> None:
    """A fragment a worker wrote at an id past the last item (its page was planned but not indexed): not
    part of the index."""
    for path in written:
        if int(path.rsplit("/", 1)[1].split(".")[0]) >= n_docs:
            writer.files.pop(path, None)
            (writer.tmp / path).unlink(missing_ok=True)


def build_index_from_html(site_dir: Path) -> dict:
    """Index a site the model does not describe (the evaluator's naive site, generated corpora):
    every page with `data-pagefind-body` is one result, titled by its first block."""
    site_dir = Path(site_dir)
    docs = []
    for page in sorted(site_dir.rglob("*.html")):
        rel = page.relative_to(site_dir).as_posix()
        if rel.startswith(("search/", "static/")):
            continue
        blocks = page_blocks(page.read_text(encoding="utf-8", errors="replace"))
        if not blocks:
            continue
        url = "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
        docs.append(Doc(list_index=0, url_suffix=url[1:], blocks=blocks, title=blocks[0]))
    tables = Tables(lists=[{"u": "/", "t": "", "j": 0, "y": 0}],
                    jurisdictions=[{"n": "", "u": "/"}], facets=[], names={})
    put = folder_writer(site_dir / INDEX_DIR)
    stats = write_index(put, docs, tables)
    put("t2s.json", (STATIC / "t2s.json").read_bytes())
    install_assets(site_dir)
    return stats


def install_assets(site_dir: Path) -> None:
    """A site without a rendered search page (no templates, e.g. the evaluator's naive site) gets a
    standalone one with unhashed assets."""
    page = site_dir / "search" / "index.html"
    if page.exists():
        return
    dest = site_dir / "static" / "search"
    dest.mkdir(parents=True, exist_ok=True)
    for f in STATIC.iterdir():
        if f.is_file():
            shutil.copyfile(f, dest / f.name)
    page.write_text(standalone_page(), encoding="utf-8")


_MINIMAL_BASE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %} · 民生实事档案</title>
{% block head %}{% endblock %}
{% block scripts %}{% endblock %}
</head>
<body>
<main id="main">
{% block main %}{% endblock %}
</main>
</body>
</html>
"""


def standalone_page() -> str:
    """templates/search.html on a minimal base, for sites built without the site's templates."""
    import jinja2
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.DictLoader({"base.html": _MINIMAL_BASE}),
                                    jinja2.FileSystemLoader(ROOT / "templates")]),
        autoescape=True)
    env.globals["asset"] = lambda name: "/static/" + name
    return env.get_template("search.html").render()


if __name__ == "__main__":
    print(build_index_from_html(Path(sys.argv[1])))
