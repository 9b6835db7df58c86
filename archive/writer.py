"""Write the site: into a temporary folder next to the target, swapped into place only when the build succeeded.

The writer refuses to write one path twice (two pages claiming one URL is a bug in the plan, never something
to resolve by "last one wins"). Paths are claimed up front in the parent process, so render workers that write
in parallel never race for a path.
"""
from __future__ import annotations

import ctypes
import fcntl
import os
import shutil
import sys
from pathlib import Path


class DuplicatePath(Exception):
    pass


class UnsafePath(Exception):
    pass


def check_path(path: str) -> None:
    """A site-relative file path that stays inside the output folder: no /, .., empty segment, \\ or NUL."""
    parts = path.split("/")
    if not path or "\\" in path or "\x00" in path or any(part in ("", ".", "..") for part in parts):
        raise UnsafePath(f"refusing to write {path!r}: it would leave the output folder or is not a file path")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where that is not available."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def output_path(url: str) -> str:
    """Site-relative file for a URL: "/a/b/" → "a/b/index.html", "/sitemap.xml" → "sitemap.xml"."""
    path = url.lstrip("/")
    return path + "index.html" if url.endswith("/") else path


class Writer:
    def __init__(self, out: Path):
        self.out = out.resolve()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self._lock = _lock(self.out.parent / f".{self.out.name}.lock")
        self._clean_up_after_killed_builds()
        # A sibling, not /tmp: the final swap is a rename, which only works within one filesystem.
        self.tmp = self.out.parent / f".{self.out.name}.building-{os.getpid()}"
        if self.tmp.exists():
            shutil.rmtree(self.tmp)
        self.tmp.mkdir(parents=True)
        self._claimed: set[str] = set()

    def _clean_up_after_killed_builds(self) -> None:
        """Under the lock no other build is running: what a killed build left beside the output is garbage."""
        old = sorted(self.out.parent.glob(f".{self.out.name}.old-*"))
        if old and not self.out.exists():          # killed between the two renames of a fallback swap
            old[-1].rename(self.out)
        for leftover in (*self.out.parent.glob(f".{self.out.name}.building-*"),
                         *self.out.parent.glob(f".{self.out.name}.old-*")):
            shutil.rmtree(leftover, ignore_errors=True)

    def claim(self, path: str) -> None:
        check_path(path)
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

    def stream(self, path: str, chunks) -> int:
        """Claim and write a file from an iterable of bytes, never holding all of it in memory."""
        self.claim(path)
        target = self.tmp / path
        target.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        with open(target, "wb") as out:
            for chunk in chunks:
                written += out.write(chunk)
        return written

    def write(self, path: str, data: bytes) -> int:
        self.claim(path)
        return self.put(path, data)

    def commit(self) -> None:
        """Swap the finished build into place; the previous site is removed only after the new one is there.

        The swap is one atomic exchange where the OS has it, so a build killed at any moment leaves either
        the old site or the new one at `out`, never neither."""
        old = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
        try:
            if self.out.exists() and _exchange(self.tmp, self.out):
                self.tmp.rename(old)               # now holds the previous site
            else:
                if self.out.exists():
                    self.out.rename(old)
                self.tmp.rename(self.out)
        finally:
            self._unlock()
        if old.exists():
            remove_in_background(old)

    def abort(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)
        self._unlock()

    def _unlock(self) -> None:
        if self._lock is not None:
            self._lock.close()                     # closing the file releases the lock
            self._lock = None


def remove_in_background(path: Path) -> None:
    """Delete a folder from a detached process. Deleting the previous site costs seconds on some disks (5–10 s
    for 22,000 pages here) and the new site is already in place; if the deletion dies, the next build
    removes the leftover under its lock. Double fork: the build never leaves a zombie behind."""
    pid = os.fork()
    if pid == 0:
        try:
            if os.fork() == 0:
                shutil.rmtree(path, ignore_errors=True)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def _lock(path: Path):
    """Hold an exclusive lock on `path` for as long as the returned file is open; wait for another build.

    A POSIX record lock (lockf): owned by this process alone, so render workers forked from it do not keep
    it, and released by the kernel however the process ends, SIGKILL included."""
    handle = open(path, "a+b")
    try:
        fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        print(f"另一次生成正在写入 {path.parent}，等它结束后继续……", file=sys.stderr, flush=True)
        fcntl.lockf(handle, fcntl.LOCK_EX)
    return handle
