"""One generated file kept between builds with the key of its inputs, for output that is slow to make and
changes far less often than the content: /admin/config.yml (8.5 MB of YAML at 2,000 list folders, 0.7 s of
every build to make) depends on the schema, the registries and the folders' names, never on an item.

    memo = MadeFile(path, damaged)
    data = memo.made(key, make)    make() only when the kept file's key is not `key`; saved by `save()`

The key is the caller's digest of every input; the code's version is added here, so a change to the code
that makes the file makes it again. A damaged file is reported once (the build cache's warning) and made.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from .stamp import code_version, digest, replace_file


class MadeFile:
    def __init__(self, path: Path | None, damaged: Callable[[], None]):
        self.path, self.damaged = path, damaged
        self._new: tuple[str, bytes] | None = None       # (key, bytes) made by this build, for `save`

    def made(self, key: str, make: Callable[[], bytes]) -> bytes:
        key = digest(f"{code_version()}\0{key}".encode())
        found = self._read(key)
        if found is None:
            found = make()
            self._new = (key, found)
        return found

    def _read(self, key: str) -> bytes | None:
        if self.path is None:
            return None
        try:
            raw = self.path.read_bytes()
        except OSError:
            return None
        line, _, data = raw.partition(b"\n")
        try:
            head = json.loads(line)
            if head["key"] != key:
                return None
            if head["digest"] != digest(data):
                raise ValueError("digest")
        except (ValueError, KeyError, TypeError):
            self.damaged()
            return None
        return data

    def save(self) -> None:
        if self.path is None or self._new is None:
            return
        key, data = self._new
        self.path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(self.path, json.dumps({"key": key, "digest": digest(data)}).encode() + b"\n" + data)
        self._new = None
