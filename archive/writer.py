"""Write the site: into a temporary folder next to the target, swapped into place only when the build succeeded.

The writer refuses to write one path twice (two pages claiming one URL is a bug in the plan, never something
to resolve by "last one wins"). Paths are claimed up front in the parent process, so render workers that write
in parallel never race for a path.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path


class DuplicatePath(Exception):
    pass


def output_path(url: str) -> str:
    """Site-relative file for a URL: "/a/b/" → "a/b/index.html", "/sitemap.xml" → "sitemap.xml"."""
    path = url.lstrip("/")
    return path + "index.html" if url.endswith("/") else path


class Writer:
    def __init__(self, out: Path):
        self.out = out.resolve()
        # A sibling, not /tmp: the final swap is a rename, which only works within one filesystem.
        self.tmp = self.out.parent / f".{self.out.name}.building-{os.getpid()}"
        if self.tmp.exists():
            shutil.rmtree(self.tmp)
        self.tmp.mkdir(parents=True)
        self._claimed: set[str] = set()

    def claim(self, path: str) -> None:
        if path in self._claimed:
            raise DuplicatePath(f"two outputs claim {path}")
        self._claimed.add(path)

    def put(self, path: str, data: bytes) -> int:
        """Write a claimed path; returns bytes written."""
        if path not in self._claimed:
            raise KeyError(f"{path} was never claimed")
        target = self.tmp / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return len(data)

    def write(self, path: str, data: bytes) -> int:
        self.claim(path)
        return self.put(path, data)

    def commit(self) -> None:
        """Swap the finished build into place; the previous site is removed only after the new one is there."""
        old = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
        if self.out.exists():
            self.out.rename(old)
        self.tmp.rename(self.out)
        if old.exists():
            shutil.rmtree(old)

    def abort(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)
