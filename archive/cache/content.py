"""The build cache's content part: what an earlier build made of each content folder (ContentMemo),
and the stamp of the rules a list is validated with."""
from __future__ import annotations

import hashlib
import io
import os
import pickle
import time
from pathlib import Path

from ..model import Department, Jurisdiction
from .stamp import code_version, digest, replace_file


class ContentMemo:
    """What an earlier build made of each content folder, in two files per folder under `lists/`:

    * `.docs`: each file's parse (Document or None, and its reading problems) by its path and bytes;
    * `.list`: the validated list and its problems, keyed by every file's path and bytes (`folder_key`),
      the registries' bytes and the as-of date (`stamp`), and the line counts of the sources it consulted;
    * `.json`, `.csv`: that list's part of items.json and its CSV rows (archive/downloads.py), keyed as the list.

    A folder whose files are all unchanged is not parsed at all and its list comes back validated; one
    edited file costs one parse and one folder's validation. Reading happens in forked readers: they ask
    `knows()` and `documents()`, and return what they parsed, which the parent `keep_documents()`.

    A folder is known unchanged without reading its files when each one's stat (size, mtime, inode, ctime)
    is the one recorded when a build read it, as git's index does. A stat taken within `RACY_NS` of the
    build's start (on the file system's clock) is not recorded: a file written again within the same tick
    of a coarse clock keeps its times, and such a folder is read and hashed by the next build too. Source
    files' line counts are kept the same way (`line_count`)."""

    RACY_NS = 2_000_000_000      # coarser than any file system's timestamps (FAT: 2 s)

    def __init__(self, folder: Path | None, index: dict, warn, sources: dict | None = None,
                 rules: tuple | None = None):
        self.folder = folder
        self.index: dict[str, dict] = index      # folder rel → {"key", "stamp", "sources", "problems", "stats"}
        self.warn = warn
        self.damaged = False                     # a folder's file was damaged (a forked reader's: returned)
        self.stamp = ""
        self.registry = None
        self.fence = 0                           # the build's start on the file system's clock (`stats`)
        self.used: dict[str, dict] = {}          # what this build's lists were made from
        self._rels: dict[str, str] = {}          # list id (its folder's name) → folder rel, for lists used
        self.sources: dict[str, tuple] = sources or {}     # source path → (its stat, its line count)
        self.sources_used: dict[str, tuple] = {}
        self.rules = rules                       # (registry digest, the loaded registries pickled), `registries`

    @staticmethod
    def key(rel: str, raw: bytes) -> str:
        return digest(rel.encode() + b"\0" + raw)

    def begin(self, stamp: str, registry) -> None:
        """Before reading: what validates (registries, as-of date) and the objects lists refer to."""
        self.stamp, self.registry = stamp, registry
        self.fence = _file_system_now(self.folder)

    def registries(self, registry_dir: Path, load) -> tuple[str, tuple]:
        """(the digest of every file under registry/, `load()`'s result): loaded again only when a file
        changed (parsing the departments' YAML is most of a second at scale; reading it is not)."""
        h = hashlib.blake2b(digest_size=16)
        for path in sorted(registry_dir.rglob("*")):
            if path.is_file():
                h.update(path.relative_to(registry_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        stamp = h.hexdigest()
        if self.rules is not None and self.rules[0] == stamp:
            try:
                return stamp, pickle.loads(self.rules[1])
            except Exception:
                self.damaged = True
        loaded = load()
        self.rules = (stamp, pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL))
        return stamp, loaded

    def stats(self, found: list[tuple[str, os.stat_result]]) -> str | None:
        """The digest of files' names and stat, or None if one was written too near the build's start (a
        digest, not the numbers: at 100,000 files the tuples held to the end were 30 MB)."""
        stats = tuple((name, st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns) for name, st in found)
        racy = self.fence - self.RACY_NS
        return None if any(s[2] >= racy or s[4] >= racy for s in stats) else digest(repr(stats).encode())

    def unchanged(self, rel: str, stats: str | None) -> str | None:
        """The key of a folder whose files have the stat recorded when they were read, under the same rules."""
        entry = self.index.get(rel)
        if stats is None or entry is None or entry.get("stats") != stats or entry["stamp"] != self.stamp:
            return None
        return entry["key"]

    def line_count(self, path: Path) -> int:
        """Lines of a source file, counted again only when its stat changed (or could not vouch for it)."""
        st = os.stat(path)
        stats = self.stats([("", st)])
        known = self.sources.get(str(path))
        if stats is not None and known is not None and known[0] == stats:
            self.sources_used[str(path)] = known
            return known[1]
        with open(path, "rb") as f:
            count = f.read().count(b"\n") + 1
        if stats is not None:
            self.sources_used[str(path)] = (stats, count)
        return count

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

    def cached_list(self, rel: str, folder_key: str, line_count, stats: str | None = "known"):
        """(ItemList | None, problems) as validated before, or None when it must be validated again (a
        source it consulted has another number of lines now, or the file is missing or damaged). `stats`:
        the folder's files' stat now (`stats`), or "known": the recorded ones."""
        payload = self.cached_payload(rel, folder_key, line_count, stats)
        return self.load_cached(payload, folder_key) if payload is not None else None

    def cached_payload(self, rel: str, folder_key: str, line_count, stats: str | None = "known") -> bytes | None:
        """`cached_list` up to its unpickling (`load_cached`): a forked reader reads the file, the build
        process unpickles it once."""
        entry = self.knows(rel, folder_key)
        if entry is None or any(line_count(s) != n for s, n in entry["sources"].items()):
            return None
        payload = self._read(rel, "list", raw=True)
        if payload is None:
            return None
        self.used[rel] = entry if stats == "known" else {**entry, "stats": stats}
        self._rels[rel.rsplit("/", 1)[-1]] = rel
        return payload

    def load_cached(self, payload: bytes, folder_key: str):
        """(ItemList | None, problems) of a `cached_payload`, or None (then validate again)."""
        try:
            stored_key, model = load_model(payload, self.registry)
        except Exception:             # a registry object it names is gone: validate again
            return None
        return model if stored_key == (folder_key, self.stamp) else None

    def learn(self, rel: str, entry: dict | None, sources: dict) -> None:
        """What a forked reader recorded of a folder (`used`) and of the sources' line counts it counted."""
        if entry is not None:
            self.used[rel] = entry
            self._rels[rel.rsplit("/", 1)[-1]] = rel
        self.sources_used.update(sources)

    def remember_list(self, rel: str, folder_key: str, model: tuple, sources: dict, problems: list,
                      stats: str | None = None) -> bytes:
        """`model`: (ItemList | None, its problems); `sources`: line counts it consulted; `problems`: the
        files' reading problems (reported again when the folder is not read next time); `stats`: its
        files' stat when they were read (`stats`). Returns the model as stored (`load_cached` reads it)."""
        payload = dump_model(((folder_key, self.stamp), model))
        if self.folder is not None:
            self._write_bytes(rel, "list", payload)
        self.used[rel] = {"key": folder_key, "stamp": self.stamp, "sources": sources, "problems": problems,
                          "stats": stats}
        self._rels[rel.rsplit("/", 1)[-1]] = rel
        return payload

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

    def keeps_list_parts(self, list_id: str) -> bool:
        """Whether `keep_list_part` keeps this list's parts (for `list_part` to find)."""
        return self.folder is not None and list_id in self._rels

    def _write(self, rel: str, kind: str, value) -> None:
        self._write_bytes(rel, kind, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def _write_bytes(self, rel: str, kind: str, payload: bytes) -> None:
        """A folder's file is valid on its own (keyed inside), so it is written when made, not at the end."""
        path = self._path(rel, kind)
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, code_version().encode() + digest(payload).encode() + payload)

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


def _file_system_now(folder: Path | None) -> int:
    """Now, on the clock that stamps the files' times (a file system on another machine has its own)."""
    if folder is None:
        return time.time_ns()
    folder.mkdir(parents=True, exist_ok=True)
    probe = folder / f".now.{os.getpid()}"
    with open(probe, "wb") as f:
        now = os.fstat(f.fileno()).st_mtime_ns
    probe.unlink()
    return now


# Jurisdictions and departments are the registry's objects: stored by name, found again in the registry
# being loaded with. (A dispatch table, not persistent_id: that is called for every one of the millions of
# objects pickled, which doubled the time of pickling the lists.)
_DISPATCH = {Jurisdiction: lambda j: (_registry_object, ("j", j.path)),
             Department: lambda d: (_registry_object, ("d", d.key))}
_LOADING = None      # the registry cached lists are being loaded with


def _registry_object(kind: str, name: str):
    return (_LOADING.jurisdictions if kind == "j" else _LOADING.departments)[name]


def dump_model(value) -> bytes:
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(value)
    return out.getvalue()


def load_model(payload: bytes, registry):
    global _LOADING
    _LOADING = registry
    try:
        return pickle.loads(payload)
    finally:
        _LOADING = None


def rules_stamp(registries: str, as_of) -> str:
    """Everything under registry/ (`registries`, the digest `ContentMemo.registries` made) and the as-of
    date: what a list's validation depends on besides its files (and the sources' line counts, checked one
    by one)."""
    return digest(f"{as_of}\0{registries}".encode())
