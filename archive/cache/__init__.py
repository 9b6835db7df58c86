"""The build cache: `.cache/` beside the output folder, so that a rebuild after a few edits does little work.

What it keeps, and what each entry is keyed by (a key that changes means the entry is not used):

* the parsed front matter, body and reading problems of every content file, keyed by its path and bytes
  (a folder whose files' stat is what it was when they were read is not read again: content.py), the
  loaded registries keyed by their files' bytes, and the sources' line counts keyed by their stat;
* for every file of the last two sites written (the output folder and the spare beside it, see below),
  its digest, and for every page the key of what it was rendered from: its template and every template
  that one includes or extends, the fingerprinted static files, `site.yaml`, and the page's signature
  (pages/signature.py: a digest of everything its context reads, computed without the context) or, for
  a page without one, its computed context as JSON. A page is rendered again iff that key changed, so a
  new kind of page needs nothing from this module to stay correct; a context that is not plain JSON
  data (an object the encoder does not know) has no key, and its page is rendered on every build;
* the normalised visible text of every item page, keyed by the page's digest (the search stage's input);
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

import hashlib
import json
import marshal
import os
import pickle
import re
import sys
from pathlib import Path

from ..search.cache import IndexMemo
from ..similar_memo import SimilarMemo
from .blocks import BlockStore
from .content import ContentMemo, rules_stamp
from .made import MadeFile
from .pages import ItemDigests, PageKeys
from .stamp import FORMAT, code_version, digest, replace_file

__all__ = ["BuildCache", "ContentMemo", "ItemDigests", "PageKeys", "Spare", "code_version", "digest", "rules_stamp"]

MAIN = "build.pickle"


class BuildCache:
    """Open with `BuildCache.open(folder)`; `documents`, `pages`, `blocks` and `spare_for(out)` are what the
    build's stages use; `save()` writes the parts the build used, nothing it did not."""

    def __init__(self, folder: Path | None, data: dict | None = None, warn=None):
        self.folder = folder
        trusted = data is not None          # a valid key: the parts in files of their own may be read too
        data = data or {}
        self.warn = warn or (lambda text: print(text, file=sys.stderr))
        self._warned = False
        self.documents = ContentMemo(folder, data.get("lists", {}), self._damaged, data.get("sources"),
                                     data.get("rules"))
        self.blocks = BlockStore(folder / "blocks" if folder is not None and trusted else None, self._damaged,
                                 data.get("blocks"))
        self.item_digests = ItemDigests(data.get("item digests", {}), self.documents)
        self.item_topics = ItemDigests(data.get("item topics", {}), self.documents)    # (pages/site.py), keyed alike
        self.feed_entries = ItemDigests(data.get("feed entries", {}), self.documents)  # (feeds.py), keyed alike
        # the index stage's postings and item texts: files of their own under search/, keyed inside
        self.search = IndexMemo(folder / "search" if folder is not None else None, code_version, self._damaged)
        # similar items (archive/similar_memo.py): the last computation's arrays, under similar/
        self.similar = SimilarMemo(folder / "similar" if folder is not None else None, code_version, self._damaged)
        # /admin/config.yml, made again only when the schema, the registries or the list folders change
        self.admin_config = MadeFile(folder / "admin-config.yml" if folder is not None else None, self._damaged)

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
        return self.blocks.get(page_digest)

    def remember_blocks(self, page_digest: str, blocks: list[str]) -> None:
        self.blocks.put(page_digest, blocks)

    def holds_blocks(self, page_digest: str) -> bool:
        """Whether an earlier build kept the text of a page with this digest (`block_text` reads it, if it
        is needed); if so it is kept for the next build too."""
        return self.blocks.keep(page_digest)

    def spare_for(self, out: Path) -> "Spare":
        return Spare(self, out)

    def save(self) -> None:
        """The content folders' files and the page text's shards that changed, then the rest as one pickle,
        then the key naming the code and the pickle's digest."""
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        # the key names the payload's digest: a payload without its key, or another one's, is not used
        (self.folder / "build.key").unlink(missing_ok=True)
        (self.folder / "build.json").unlink(missing_ok=True)        # the first format's payload
        self.documents.save()
        self.blocks.save(self.folder / "blocks")
        self.admin_config.save()
        tmp = self.folder / f".{MAIN}.{os.getpid()}"
        with open(tmp, "wb") as raw:
            out = _Hashing(raw)
            pickle.dump({"lists": self.documents.used, "item digests": self.item_digests.used,
                         "item topics": self.item_topics.used, "feed entries": self.feed_entries.used,
                         "sources": self.documents.sources_used, "blocks": self.blocks.index,
                         "rules": self.documents.rules}, out,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.folder / MAIN)
        replace_file(self.folder / "build.key",
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
        return self._read_tree(path) if path is not None and path.exists() else None

    def _read_tree(self, path: Path) -> dict | None:
        try:
            header, _, payload = path.read_bytes().partition(b"\n")
            head = json.loads(header)
            if head.get("code") != code_version() or head.get("digest") != digest(payload):
                return None
            return marshal.loads(payload)
        except (ValueError, OSError, EOFError, TypeError):
            return None

    def latest_tree(self, name: str) -> dict | None:
        """The list this cache wrote last of one of the output's folders, whatever its inode now: a site
        restored from elsewhere (Netlify's build cache) is that folder under another inode. Only for
        reading pages back by digest (`Writer.live_file`), never for trusting a folder's files unread."""
        found = sorted(self._listings(name), key=_modified) if self.folder else []
        return self._read_tree(found[-1]) if found else None

    def _listings(self, name: str) -> list[Path]:
        folder = self.folder / "trees"
        if not folder.is_dir():
            return []
        return [p for p in folder.glob(f"{name}-*")       # (.json: the first format's)
                if re.fullmatch(rf"{re.escape(name)}-\d+-\d+\.(json|marshal)", p.name)]

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
        replace_file(path, header + b"\n" + payload)
        alive = {path, self._tree_file(keep, name)}
        for other in self._listings(name):
            if other not in alive:
                other.unlink(missing_ok=True)


def _modified(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


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
        # A site restored under another inode: its pages are read back by digest instead of rendered
        self.live = cache.tree(out, out.name) or cache.latest_tree(out.name) or {"files": {}, "keys": {}}
        held = cache.tree(self.folder, out.name) if self.folder.is_dir() else None
        self.usable = held is not None
        self.held = held or {"files": {}, "keys": {}}
        if self.usable:
            cache.forget_tree(self.folder, out.name)     # from now on it is being changed: trust it no more

    def complete(self, folder: Path, files: dict, keys: dict) -> None:
        """`folder` now holds exactly `files`; it is about to replace the output folder."""
        self.cache.save_tree(folder, self.out.name, files, keys, keep=self.out)


# --- pages -------------------------------------------------------------------------------------
