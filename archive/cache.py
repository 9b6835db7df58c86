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
* the visible text blocks of every item page, keyed by the page's digest (the search stage's input).

Everything else (listings, sitemaps, items.json, the search index) is recomputed on every build from the
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
import hashlib
import json
import os
import sys
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

import jinja2
from jinja2 import meta

from .content import Document
from .problems import Problem

FORMAT = 1
HERE = Path(__file__).resolve().parent


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


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

    def __init__(self, folder: Path | None, data: dict | None = None):
        self.folder = folder
        data = data or {}
        self.documents = DocumentMemo(data.get("documents", {}))
        self.blocks: dict[str, list[str]] = data.get("blocks", {})
        self.blocks_used: dict[str, list[str]] = {}

    @classmethod
    def open(cls, folder: Path, warn=None) -> "BuildCache":
        """The cache in `folder`; an empty one, after one warning, if it is damaged or not ours."""
        warn = warn or (lambda text: print(text, file=sys.stderr))
        main, key = folder / "build.json", folder / "build.key"
        if not main.exists() and not key.exists():
            return cls(folder)
        try:
            head = json.loads(key.read_bytes())
            if head.get("format") != FORMAT or head.get("code") != code_version():
                warn(f"警告：构建缓存 {folder} 由另一版本的程序生成，已忽略，本次完整生成。")
                return cls(folder)
            payload = main.read_bytes()
            if head.get("digest") != digest(payload):
                raise ValueError("digest")
            return cls(folder, json.loads(payload))
        except (ValueError, KeyError, TypeError, OSError):
            warn(f"警告：构建缓存 {folder} 已损坏，已忽略，本次完整生成。可以删除这个文件夹。")
            return cls(folder)

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
        """Streamed to disk: at 100,000 items the JSON is hundreds of MB, which as one string and its bytes
        would double the build's peak memory at its very end."""
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        h = hashlib.blake2b(digest_size=16)
        tmp = self.folder / f".build.json.{os.getpid()}"
        with open(tmp, "wb") as out:
            for chunk in json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).iterencode(
                    {"documents": self.documents.used, "blocks": self.blocks_used}):
                data = chunk.encode()
                h.update(data)
                out.write(data)
        # the key names the payload's digest: a payload without its key, or another one's, is not used
        (self.folder / "build.key").unlink(missing_ok=True)
        os.replace(tmp, self.folder / "build.json")
        _replace(self.folder / "build.key",
                 json.dumps({"format": FORMAT, "code": code_version(), "digest": h.hexdigest()}).encode())

    # --- file lists of output folders, by inode ---------------------------------------------------

    def _tree_file(self, folder: Path, name: str) -> Path | None:
        """Named by the output folder's name and the inode, which moves with the folder when it is swapped."""
        try:
            st = folder.stat()
        except OSError:
            return None
        return self.folder / "trees" / f"{name}-{st.st_dev}-{st.st_ino}.json"

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
            return json.loads(payload)
        except (ValueError, OSError):
            return None

    def forget_tree(self, folder: Path, name: str) -> None:
        path = self._tree_file(folder, name) if self.folder else None
        if path is not None:
            path.unlink(missing_ok=True)

    def save_tree(self, folder: Path, name: str, files: dict, keys: dict, keep: Path) -> None:
        """Describe `folder`, complete now; lists of this output's other folders except `keep` are garbage."""
        path = self._tree_file(folder, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"files": files, "keys": keys}, separators=(",", ":")).encode()
        header = json.dumps({"code": code_version(), "digest": digest(payload)}).encode()
        _replace(path, header + b"\n" + payload)
        alive = {path, self._tree_file(keep, name)}
        for other in path.parent.glob(f"{name}-*.json"):
            if other not in alive:
                other.unlink(missing_ok=True)


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


# --- documents -----------------------------------------------------------------------------------

class DocumentMemo:
    """Parsed content files by path and bytes. Lookups and new entries may happen in forked readers:
    each returns what it used (`take()`), and the parent `merge()`s it."""

    def __init__(self, entries: dict):
        self.entries = entries
        self.used: dict[str, list] = {}

    @staticmethod
    def key(rel: str, raw: bytes) -> str:
        return digest(rel.encode() + b"\0" + raw)

    def get(self, key: str):
        """(Document | None, [Problem]) as parsed before, or None when this file with these bytes is new."""
        entry = self.entries.get(key)
        if entry is None:
            return None
        self.used[key] = entry
        doc, problems = entry
        return (_document(doc) if doc is not None else None), [Problem(**p) for p in problems]

    def put(self, key: str, doc: Document | None, problems: list[Problem]) -> None:
        """Remember a parse, unless its data would not come back from JSON exactly (then it is parsed again
        next time)."""
        fields = None
        if doc is not None:
            if not _encodable(doc.data):
                return
            fields = asdict(doc) | {"data": _encode(doc.data)}
        self.used[key] = [fields, [asdict(p) for p in problems]]

    def take(self) -> dict:
        used, self.used = self.used, {}
        return used

    def merge(self, used: dict) -> None:
        self.used.update(used)


_SCALARS = (str, int, float, bool, type(None))


def _encodable(value) -> bool:
    """Only what YAML's safe loader gives for front matter that round-trips through JSON exactly."""
    if isinstance(value, _SCALARS):
        return True
    if type(value) in (dt.date, dt.datetime):
        return True
    if type(value) is list:
        return all(_encodable(v) for v in value)
    if type(value) is dict:
        return all(type(k) is str and not k.startswith("$") and _encodable(v) for k, v in value.items())
    return False


def _encode(value):
    if type(value) is dt.date:
        return {"$date": value.isoformat()}
    if type(value) is dt.datetime:
        return {"$datetime": value.isoformat()}
    if type(value) is list:
        return [_encode(v) for v in value]
    if type(value) is dict:
        return {k: _encode(v) for k, v in value.items()}
    return value


def _decode(value):
    if type(value) is dict:
        if "$date" in value:
            return dt.date.fromisoformat(value["$date"])
        if "$datetime" in value:
            return dt.datetime.fromisoformat(value["$datetime"])
        return {k: _decode(v) for k, v in value.items()}
    if type(value) is list:
        return [_decode(v) for v in value]
    return value


def _document(fields: dict) -> Document:
    return Document(fields["path"], _decode(fields["data"]), fields["lines"], fields["body"], fields["body_line"])


def _replace(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
