"""The item pages' normalised visible text (the search index's input), kept between builds in shards under
`blocks/`, by the first two hex digits of the page's digest.

A block list is keyed by the digest of its page's bytes, so an entry is right whichever build wrote it. One
`build.pickle` holding them all (about 200 MB at 100,000 items) was read whole and pickled again whole after
every build, although one edit changes two entries; a shard is read only when a page of it is asked for, and
written again only when the entries this build used from it are not exactly the ones it holds."""
from __future__ import annotations

import pickle
from pathlib import Path
from typing import Callable

from .stamp import code_version, digest, replace_file

SHARD = 2       # hex digits of a page digest naming its shard: 256 shards


class BlockStore:
    def __init__(self, folder: Path | None, damaged: Callable[[], None]):
        """`folder`: `blocks/` of a cache whose key was valid, or None (nothing read: a full build)."""
        self.folder, self.damaged = folder, damaged
        self.shards: dict[str, dict] = {}            # shard → what its file held (empty if none or unusable)
        self.used: dict[str, list[str]] = {}         # page digest → blocks, this build's

    def get(self, page_digest: str):
        found = self._shard(page_digest[:SHARD]).get(page_digest)
        if found is not None:
            self.used[page_digest] = found
        return found

    def put(self, page_digest: str, blocks: list[str]) -> None:
        self.used[page_digest] = blocks

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
        with none is deleted."""
        by_shard: dict[str, dict] = {}
        for page_digest, blocks in self.used.items():
            by_shard.setdefault(page_digest[:SHARD], {})[page_digest] = blocks
        folder.mkdir(parents=True, exist_ok=True)
        for path in folder.iterdir():
            if path.name not in by_shard and len(path.name) == SHARD:
                path.unlink(missing_ok=True)
        for name, entries in by_shard.items():
            if self.folder == folder and entries.keys() == self._shard(name).keys():
                continue          # (an entry's blocks are those of its key: same keys, same file)
            payload = pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
            replace_file(folder / name, code_version().encode() + digest(payload).encode() + payload)
