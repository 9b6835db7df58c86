"""The build cache: `.cache/` beside the output folder, so that a rebuild after a few edits does little work.

What it keeps, and what each entry is keyed by (a key that changes means the entry is not used):

* the parsed front matter, body and reading problems of every content file, keyed by its path and bytes;
* for every file of the last two sites written (the output folder and the spare beside it, see below),
  its digest, and for every page the key of what it was rendered from: its template and every template
  that one includes or extends, the fingerprinted static files, `site.yaml`, and the page's signature
  (pages/signature.py: a digest of everything its context reads, computed without the context) or, for
  a page without one, its computed context as JSON. A page is rendered again iff that key changed, so a
  new kind of page needs nothing from this module to stay correct; a context that is not plain JSON
  data (an object the encoder does not know) has no key, and its page is rendered on every build;
* the visible text blocks of every item page, keyed by the page's digest (the search stage's input);
* what the last build computed of similar items (`similar.SimilarMemo`: each text's bigrams by its digest,
  the bigrams' frequencies, each topic's scored pairs by its members' texts and lists), so that a rebuild
  scores again only the topics an edit can change;
* the search index's postings and the normalised text of every item they were made from (search/cache.py:
  keyed per item by what its text is made from), so a few edited items patch the postings.

Everything else (listings, sitemaps, items.json, the rest of the search index) is recomputed on every build from the
model and written only where its bytes changed.

The build does not write a fresh folder when the cache knows one: it brings the *spare*, the site before
the current one, up to date (writing only files whose digest differs from what the spare holds, deleting
what is gone) and swaps it with the output folder in one step. A folder's file list is stored under its
inode number, deleted before the folder is touched and written again only when it is complete, so a build
killed at any moment leaves a spare the next build no longer trusts (and replaces), never one it
misreads. The whole cache is also keyed by the code that made it: another version of `archive/` or of
the libraries that render starts afresh, and a damaged file is reported once and ignored.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
import marshal
import os
import pickle
import re
import sys
from importlib import metadata
from pathlib import Path

import jinja2
from jinja2 import meta

from .model import Department, Jurisdiction
from .similar import SimilarMemo
from .search.cache import IndexMemo

FORMAT = 2
MAIN = "build.pickle"
HERE = Path(__file__).resolve().parent


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@functools.cache
def code_version() -> str:
    """Every module of the build and the versions of what it renders with: a cache made by other code is
    someone else's cache."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{FORMAT} {sys.version}".encode())
    for name in ("Jinja2", "Markdown", "MarkupSafe", "PyYAML"):
        h.update(f"{name}={metadata.version(name)}".encode())
    for path in sorted(HERE.rglob("*")):
        if path.suffix in (".py", ".yaml", ".txt") and "__pycache__" not in path.parts:
            h.update(path.relative_to(HERE).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


class BuildCache:
    """Open with `BuildCache.open(folder)`; `documents`, `pages`, `blocks` and `spare_for(out)` are what the
    build's stages use; `save()` writes the parts the build used, nothing it did not."""

    def __init__(self, folder: Path | None, data: dict | None = None, warn=None):
        self.folder = folder
        data = data or {}
        self.warn = warn or (lambda text: print(text, file=sys.stderr))
        self._warned = False
        self.documents = ContentMemo(folder, data.get("lists", {}), self._damaged)
        self.blocks: dict[str, list[str]] = data.get("blocks", {})
        self.blocks_used: dict[str, list[str]] = {}
        # what the last build computed of similar items (archive/similar.py): the next starts from it
        self.similar = SimilarMemo(data.get("similar"))
        self.item_digests = ItemDigests(data.get("item digests", {}), self.documents)
        # the index stage's postings and item texts: files of their own under search/, keyed inside
        self.search = IndexMemo(folder / "search" if folder is not None else None, code_version, self._damaged)

    def _damaged(self) -> None:
        if not self._warned:
            self._warned = True
            self.warn(f"警告：构建缓存 {self.folder} 已损坏，已忽略损坏的部分。可以删除这个文件夹。")

    @classmethod
    def open(cls, folder: Path, warn=None) -> "BuildCache":
        """The cache in `folder`; an empty one, after one warning, if it is damaged or not ours."""
        warn = warn or (lambda text: print(text, file=sys.stderr))
        main, key = folder / MAIN, folder / "build.key"
        if not main.exists() and not key.exists():
            return cls(folder, warn=warn)
        try:
            head = json.loads(key.read_bytes())
            if head.get("format") != FORMAT or head.get("code") != code_version():
                warn(f"警告：构建缓存 {folder} 由另一版本的程序生成，已忽略，本次完整生成。")
                return cls(folder, warn=warn)
            payload = main.read_bytes()
            if head.get("digest") != digest(payload):
                raise ValueError("digest")
            return cls(folder, pickle.loads(payload), warn=warn)
        except (ValueError, KeyError, TypeError, OSError, pickle.UnpicklingError, EOFError):
            warn(f"警告：构建缓存 {folder} 已损坏，已忽略，本次完整生成。可以删除这个文件夹。")
            return cls(folder, warn=warn)

    def block_text(self, page_digest: str):
        """Visible text blocks of an item page with this digest, if an earlier build read them."""
        found = self.blocks.get(page_digest)
        if found is not None:
            self.blocks_used[page_digest] = found
        return found

    def remember_blocks(self, page_digest: str, blocks: list[str]) -> None:
        self.blocks_used[page_digest] = blocks

    def spare_for(self, out: Path) -> "Spare":
        return Spare(self, out)

    def save(self) -> None:
        """The content folders' files that changed, then the rest as one pickle, streamed to disk (at 100,000
        items the page text is hundreds of MB, which as one bytes object would raise the build's peak at its
        very end), then the key naming the code and the pickle's digest."""
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        # the key names the payload's digest: a payload without its key, or another one's, is not used
        (self.folder / "build.key").unlink(missing_ok=True)
        (self.folder / "build.json").unlink(missing_ok=True)        # the first format's payload
        self.documents.save()
        tmp = self.folder / f".{MAIN}.{os.getpid()}"
        with open(tmp, "wb") as raw:
            out = _Hashing(raw)
            pickle.dump({"lists": self.documents.used, "blocks": self.blocks_used, "similar": self.similar.state(),
                         "item digests": self.item_digests.used}, out,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.folder / MAIN)
        _replace(self.folder / "build.key",
                 json.dumps({"format": FORMAT, "code": code_version(), "digest": out.h.hexdigest()}).encode())

    # --- file lists of output folders, by inode ---------------------------------------------------

    def _tree_file(self, folder: Path, name: str) -> Path | None:
        """Named by the output folder's name and the inode, which moves with the folder when it is swapped."""
        try:
            st = folder.stat()
        except OSError:
            return None
        return self.folder / "trees" / f"{name}-{st.st_dev}-{st.st_ino}.marshal"

    def tree(self, folder: Path, name: str) -> dict | None:
        """{"files": {path: [digest, size, mtime_ns]}, "keys": {path: page key}} of a folder this cache wrote, or None."""
        path = self._tree_file(folder, name) if self.folder else None
        if path is None or not path.exists():
            return None
        try:
            header, _, payload = path.read_bytes().partition(b"\n")
            head = json.loads(header)
            if head.get("code") != code_version() or head.get("digest") != digest(payload):
                return None
            return marshal.loads(payload)
        except (ValueError, OSError, EOFError, TypeError):
            return None

    def forget_tree(self, folder: Path, name: str) -> None:
        path = self._tree_file(folder, name) if self.folder else None
        if path is not None:
            path.unlink(missing_ok=True)

    def save_tree(self, folder: Path, name: str, files: dict, keys: dict, keep: Path) -> None:
        """Describe `folder`, complete now; lists of this output's other folders except `keep` are garbage."""
        path = self._tree_file(folder, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = marshal.dumps({"files": files, "keys": keys})     # plain data: marshal is the fastest
        header = json.dumps({"code": code_version(), "digest": digest(payload)}).encode()
        _replace(path, header + b"\n" + payload)
        alive = {path, self._tree_file(keep, name)}
        for other in path.parent.glob(f"{name}-*"):     # (.json: the first format's)
            if other not in alive and re.fullmatch(rf"{re.escape(name)}-\d+-\d+\.(json|marshal)", other.name):
                other.unlink(missing_ok=True)


class _Hashing:
    """A file that hashes what is written to it."""

    def __init__(self, raw):
        self.raw, self.h = raw, hashlib.blake2b(digest_size=16)

    def write(self, data) -> int:
        self.h.update(data)
        return self.raw.write(data)


class Spare:
    """What the writer needs from the cache: the folder to bring up to date and what it holds, and for pages
    the current site's keys and digests (an unchanged page is copied, not rendered)."""

    def __init__(self, cache: BuildCache, out: Path):
        self.cache = cache
        self.out = out
        self.folder = out.parent / f".{out.name}.spare"
        self.live = cache.tree(out, out.name) or {"files": {}, "keys": {}}
        held = cache.tree(self.folder, out.name) if self.folder.is_dir() else None
        self.usable = held is not None
        self.held = held or {"files": {}, "keys": {}}
        if self.usable:
            cache.forget_tree(self.folder, out.name)     # from now on it is being changed: trust it no more

    def complete(self, folder: Path, files: dict, keys: dict) -> None:
        """`folder` now holds exactly `files`; it is about to replace the output folder."""
        self.cache.save_tree(folder, self.out.name, files, keys, keep=self.out)


# --- pages -------------------------------------------------------------------------------------

class PageKeys:
    """`of(page)`: the key of everything a page is rendered from, or None when it cannot be known (then the
    page is rendered on every build). A page's own part of the key is its signature where its context
    function has one (pages/signature.py: computed without the context), else its computed context as JSON
    (None when the context is not plain data: sets, objects)."""

    def __init__(self, env, assets: dict, config: dict):
        common = json.dumps([sorted((a.name, a.path) for a in assets.values()), config],
                            ensure_ascii=False, sort_keys=True, default=str)
        sources, refs = {}, {}
        for name in env.list_templates():
            if name.endswith((".yaml", ".yml")):
                continue                       # data read by the build, not a template (site.yaml: in `config`)
            sources[name] = env.loader.get_source(env, name)[0]
            try:
                refs[name] = set(meta.find_referenced_templates(env.parse(sources[name])))
            except jinja2.TemplateSyntaxError:
                refs[name] = {None}
        # a digest per template of everything it is rendered with: hashed once here, not once per page
        self.templates = {}
        for name in sources:
            seen = _closure(name, refs)
            text = "".join(f"{n}\0{sources[n]}\0" for n in sorted(sources if None in seen else seen))
            self.templates[name] = digest((common + "\0" + text).encode())

    def of(self, page) -> tuple[str | None, dict | None]:
        """(the page's key, its context if computing the key needed it: then it is not computed twice). The
        page's URL is in the key: templates receive it (`page_url`)."""
        signature = page.signature()
        if signature is not None:
            return self._key(page, "signature", signature), None
        context = page.context()
        try:
            text = json.dumps(context, ensure_ascii=False, separators=(",", ":"), default=_plain)
        except (TypeError, ValueError):
            return None, context
        return self._key(page, "context", text), context

    def _key(self, page, kind: str, text: str) -> str:
        return digest(f"{self.templates[page.template]}\0{page.url}\0{kind}\0{text}".encode())


class ItemDigests:
    """Each list's item digests (pages/signature.py: what the page signatures are made of), keyed as the
    list's validated model is (`ContentMemo.list_key`): a digest is made of nothing but that model and the
    registries. An unchanged list's digests are not computed again."""

    def __init__(self, known: dict, documents: "ContentMemo"):
        self.known, self.documents = known, documents
        self.used: dict[str, tuple] = {}        # list id → (list key, digests), this build's

    def get(self, list_id: str) -> list[str] | None:
        key = self.documents.list_key(list_id)
        found = self.known.get(list_id)
        if key is None or found is None or found[0] != key:
            return None
        self.used[list_id] = found
        return found[1]

    def put(self, list_id: str, digests: list[str]) -> None:
        key = self.documents.list_key(list_id)
        if key is not None:
            self.used[list_id] = (key, digests)


def _closure(name: str, refs: dict) -> set:
    """A template and every template it extends, includes or imports, transitively; None stands for a
    name computed at render time (then every template counts)."""
    seen, todo = set(), [name]
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        if n is not None:
            todo += [r if r in refs else None for r in refs.get(n, {None})]
    return seen


def _plain(value):
    if type(value) in (dt.date, dt.datetime):
        return {"$" + type(value).__name__: value.isoformat()}
    raise TypeError(type(value).__name__)


# --- content ------------------------------------------------------------------------------------

class ContentMemo:
    """What an earlier build made of each content folder, in two files per folder under `lists/`:

    * `.docs`: each file's parse (Document or None, and its reading problems) by its path and bytes;
    * `.list`: the validated list and its problems, keyed by every file's path and bytes (`folder_key`),
      the registries' bytes and the as-of date (`stamp`), and the line counts of the sources it consulted;
    * `.json`, `.csv`: that list's part of items.json and its CSV rows (archive/downloads.py), keyed as the list.

    A folder whose files are all unchanged is not parsed at all and its list comes back validated; one
    edited file costs one parse and one folder's validation. Reading happens in forked readers: they ask
    `knows()` and `documents()`, and return what they parsed, which the parent `keep_documents()`."""

    def __init__(self, folder: Path | None, index: dict, warn):
        self.folder = folder
        self.index: dict[str, dict] = index      # folder rel → {"key", "stamp", "sources", "problems"}
        self.warn = warn
        self.damaged = False                     # a folder's file was damaged (a forked reader's: returned)
        self.stamp = ""
        self.registry = None
        self.used: dict[str, dict] = {}          # what this build's lists were made from
        self._rels: dict[str, str] = {}          # list id (its folder's name) → folder rel, for lists used

    @staticmethod
    def key(rel: str, raw: bytes) -> str:
        return digest(rel.encode() + b"\0" + raw)

    def begin(self, stamp: str, registry) -> None:
        """Before reading: what validates (registries, as-of date) and the objects lists refer to."""
        self.stamp, self.registry = stamp, registry

    def knows(self, rel: str, folder_key: str) -> dict | None:
        """The entry of a folder validated from exactly these files under the same rules, or None."""
        entry = self.index.get(rel)
        if entry is not None and entry["key"] == folder_key and entry["stamp"] == self.stamp:
            return entry
        return None

    def documents(self, rel: str) -> dict:
        """Parses of this folder's files by `key()`, as the last build that read it left them ({} if none)."""
        found = self._read(rel, "docs")
        return found if isinstance(found, dict) else {}

    def keep_documents(self, rel: str, docs: dict) -> None:
        """Written at once, as the lists are: at 100,000 items a clean build's would be 200 MB held to the end."""
        if self.folder is not None:
            self._write(rel, "docs", docs)

    def cached_list(self, rel: str, folder_key: str, line_count):
        """(ItemList | None, problems) as validated before, or None when it must be validated again (a
        source it consulted has another number of lines now, or the file is missing or damaged)."""
        entry = self.knows(rel, folder_key)
        if entry is None or any(line_count(s) != n for s, n in entry["sources"].items()):
            return None
        payload = self._read(rel, "list", raw=True)
        if payload is None:
            return None
        try:
            stored_key, model = _load_model(payload, self.registry)
        except Exception:             # a registry object it names is gone: validate again
            return None
        if stored_key != (folder_key, self.stamp):
            return None
        self.used[rel] = entry
        self._rels[rel.rsplit("/", 1)[-1]] = rel
        return model

    def remember_list(self, rel: str, folder_key: str, model: tuple, sources: dict, problems: list) -> None:
        """`model`: (ItemList | None, its problems); `sources`: line counts it consulted; `problems`: the
        files' reading problems (reported again when the folder is not read next time)."""
        if self.folder is not None:
            self._write_bytes(rel, "list", _dump_model(((folder_key, self.stamp), model)))
        self.used[rel] = {"key": folder_key, "stamp": self.stamp, "sources": sources, "problems": problems}
        self._rels[rel.rsplit("/", 1)[-1]] = rel

    def list_key(self, list_id: str) -> tuple | None:
        """What a list's validated model was made from: its files, the rules, the sources' line counts."""
        rel = self._rels.get(list_id)
        if rel is None:
            return None
        entry = self.used[rel]
        return entry["key"], entry["stamp"], sorted(entry["sources"].items())

    # Each list's part of items.json and of the CSVs, in two more files per folder, written as soon as they
    # are made (at 100,000 items they are 260 MB) and read only by the open data stage: made from the
    # validated list alone, and keyed as it is (and by the fields declared, `declared`).

    def list_part(self, list_id: str, kind: str, declared: str) -> bytes | None:
        """`kind` "json" or "csv": a list's part of items.json or its CSV rows, if made from this list before."""
        rel = self._rels.get(list_id)
        found = self._read(rel, kind) if rel is not None else None
        self.settle()
        if isinstance(found, tuple) and found[0] == (self.used[rel]["key"], self.stamp, declared):
            return found[1]
        return None

    def keep_list_part(self, list_id: str, kind: str, declared: str, data: bytes) -> None:
        rel = self._rels.get(list_id)
        if rel is not None and self.folder is not None:
            self._write(rel, kind, ((self.used[rel]["key"], self.stamp, declared), data))

    def _write(self, rel: str, kind: str, value) -> None:
        self._write_bytes(rel, kind, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def _write_bytes(self, rel: str, kind: str, payload: bytes) -> None:
        """A folder's file is valid on its own (keyed inside), so it is written when made, not at the end."""
        path = self._path(rel, kind)
        path.parent.mkdir(parents=True, exist_ok=True)
        _replace(path, code_version().encode() + digest(payload).encode() + payload)

    def _path(self, rel: str, kind: str) -> Path:
        return self.folder / "lists" / f"{digest(rel.encode())}.{kind}"

    def _read(self, rel: str, kind: str, raw: bool = False):
        """The folder's file of this kind, unpickled (`raw`: its payload), or None."""
        if self.folder is None:
            return None
        try:
            data = self._path(rel, kind).read_bytes()
        except OSError:
            return None
        code, check, payload = data[:32], data[32:64], data[64:]
        if code != code_version().encode():
            return None
        if check != digest(payload).encode():
            self.damaged = True
            return None
        return payload if raw else pickle.loads(payload)

    def settle(self) -> None:
        """After reading: one warning if any folder's file was damaged (it was read again instead)."""
        if self.damaged:
            self.warn()

    def save(self) -> None:
        """Deletes the files of folders no longer read (the others' were written as they were made)."""
        alive = {self._path(rel, kind).name for rel in self.used for kind in ("docs", "list", "json", "csv")}
        (self.folder / "lists").mkdir(parents=True, exist_ok=True)
        for path in (self.folder / "lists").iterdir():
            if path.name not in alive:
                path.unlink(missing_ok=True)


# Jurisdictions and departments are the registry's objects: stored by name, found again in the registry
# being loaded with. (A dispatch table, not persistent_id: that is called for every one of the millions of
# objects pickled, which doubled the time of pickling the lists.)
_DISPATCH = {Jurisdiction: lambda j: (_registry_object, ("j", j.path)),
             Department: lambda d: (_registry_object, ("d", d.key))}
_LOADING = None      # the registry cached lists are being loaded with


def _registry_object(kind: str, name: str):
    return (_LOADING.jurisdictions if kind == "j" else _LOADING.departments)[name]


def _dump_model(value) -> bytes:
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(value)
    return out.getvalue()


def _load_model(payload: bytes, registry):
    global _LOADING
    _LOADING = registry
    try:
        return pickle.loads(payload)
    finally:
        _LOADING = None


def rules_stamp(registry_dir: Path, as_of) -> str:
    """Everything under registry/ and the as-of date: what a list's validation depends on besides its files
    (and the sources' line counts, checked one by one)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(str(as_of).encode())
    for path in sorted(registry_dir.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(registry_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _replace(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
