"""The item pages' normalised visible text (the search index's input), kept between builds in shards under
`blocks/`, by the first two hex digits of the page's digest.

A block list is keyed by the digest of its page's bytes, so an entry is right whichever build wrote it. One
`build.pickle` holding them all (about 200 MB at 100,000 items) was read whole and pickled again whole after
every build, although one edit changes two entries; a shard is read only when a page of it is asked for, and
written again only when the entries this build used from it are not exactly the ones it holds.

Which entries each shard holds is listed apart (`index`, kept in `build.pickle` with the rest of the cache's
key), so that an entry can be kept for the next build without reading its shard (`keep`): after one edit
the index stage needs the text of a few items, not of all 100,000 (reading and unpickling all 256 shards,
79 MB, was 0.4 s of every one-edit rebuild). The index also holds each shard file's size and modification
time: a file changed since it was written is reported as damaged without being read, and not used."""
from __future__ import annotations

import pickle
from pathlib import Path
from typing import Callable

from .stamp import code_version, digest, replace_file

SHARD = 2       # hex digits of a page digest naming its shard: 256 shards


class BlockStore:
    def __init__(self, folder: Path | None, damaged: Callable[[], None], index: dict | None = None):
        """`folder`: `blocks/` of a cache whose key was valid, or None (nothing read: a full build); `index`:
        the `index` the build that wrote it saved (shard → its file's size and mtime, its entries' page
        digests, sorted)."""
        self.folder, self.damaged = folder, damaged
        self.index: dict[str, tuple] = dict(index or {}) if folder is not None else {}   # shard → (size, mtime, digests)
        self._held: set[str] | None = None           # every page digest of a sound shard, made when first asked
        self.shards: dict[str, dict] = {}            # shard → what its file held (empty if none or unusable)
        self.used: dict[str, str | None] = {}        # page digest → text, this build's (None: kept unread)

    def get(self, page_digest: str):
        found = self._shard(page_digest[:SHARD]).get(page_digest)
        if found is not None:
            self.used[page_digest] = found
        return found

    def put(self, page_digest: str, blocks: str) -> None:
        self.used[page_digest] = blocks

    def keep(self, page_digest: str) -> bool:
        """If the store lists an entry for this digest, keep it for the next build, unread (`get` reads it
        when it is needed; a shard found damaged then has lost it: the caller reads the page)."""
        if self._held is None:
            self._held = {d for name in self._sound() for d in self.index[name][2]}
        if page_digest not in self._held:
            return False
        self.used.setdefault(page_digest, None)
        return True

    def _sound(self) -> list[str]:
        """The shards whose file is as the index describes it; the others are left out of it (a changed one
        reported as damaged; a missing one, as in `_read`, not)."""
        sound = []
        for name, (size, mtime, _) in list(self.index.items()):
            try:
                st = (self.folder / name).stat()
            except OSError:
                st = None
            if st is not None and (st.st_size, st.st_mtime_ns) == (size, mtime):
                sound.append(name)
                continue
            if st is not None:
                self.damaged()
            del self.index[name]
        return sound

    def _shard(self, name: str) -> dict:
        found = self.shards.get(name)
        if found is None:
            found = self.shards[name] = self._read(name)
        return found

    def _read(self, name: str) -> dict:
        if self.folder is None:
            return {}
        try:
            data = (self.folder / name).read_bytes()
        except OSError:
            return {}
        code, check, payload = data[:32], data[32:64], data[64:]
        if code != code_version().encode():
            return {}
        if check != digest(payload).encode():
            self.damaged()
            return {}
        return pickle.loads(payload)

    def save(self, folder: Path) -> None:
        """Keep exactly the entries this build used: a shard whose file holds them already is not touched, one
        with none is deleted; `index` lists them afterwards."""
        by_shard: dict[str, dict] = {}
        for page_digest, blocks in self.used.items():
            by_shard.setdefault(page_digest[:SHARD], {})[page_digest] = blocks
        folder.mkdir(parents=True, exist_ok=True)
        for path in folder.iterdir():
            if path.name not in by_shard and len(path.name) == SHARD:
                path.unlink(missing_ok=True)
        index = {}
        for name, entries in by_shard.items():
            if self.folder == folder and name in self.index and sorted(entries) == self.index[name][2]:
                index[name] = self.index[name]
                continue          # (an entry's blocks are those of its key: same keys, same file)
            unread = [d for d, text in entries.items() if text is None]
            if unread:            # kept entries of a shard that changes: read now (a lost one is dropped)
                held = self._shard(name)
                for d in unread:
                    if d in held:
                        entries[d] = held[d]
                    else:
                        del entries[d]
            payload = pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
            replace_file(folder / name, code_version().encode() + digest(payload).encode() + payload)
            st = (folder / name).stat()
            index[name] = (st.st_size, st.st_mtime_ns, sorted(entries))
        self.index = index
