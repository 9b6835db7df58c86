"""Write the site: into a folder next to the target, swapped into place only when the build succeeded.

The writer refuses to write one path twice (two pages claiming one URL is a bug in the plan, never something
to resolve by "last one wins"). Paths are claimed up front in the parent process, so render workers that write
in parallel never race for a path.

Without a build cache the folder is new and the previous site is deleted after the swap. With one
(`archive/cache/`) the folder is the spare, the site before the current one, whose files the cache lists:
a file whose bytes it already holds is not written again, a file the new site lacks is deleted, and the
previous site becomes the next spare. Either way the output folder is swapped whole.
"""
from __future__ import annotations

import ctypes
import fcntl
import hashlib
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
    if _plainly_safe(path):        # every path a build claims (246,323 at 100,000 items): a third of the time
        return
    parts = path.split("/")
    if not path or "\\" in path or "\x00" in path or any(part in ("", ".", "..") for part in parts):
        raise UnsafePath(f"refusing to write {path!r}: it would leave the output folder or is not a file path")


def _plainly_safe(path: str) -> bool:
    """A sufficient condition, in substring tests: no segment is empty or starts with "." (stricter than
    `check_path`, which lets ".well-known" through; tests/test_writer.py checks it never passes more)."""
    return (path != "" and path[0] not in "/." and path[-1] != "/" and "//" not in path and "/." not in path
            and "\\" not in path and "\x00" not in path)


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


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class Writer:
    def __init__(self, out: Path, cache=None):
        """`cache`: the build cache (archive/cache/), or None to write a new folder."""
        self.out = out.resolve()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self._lock = _lock(self.out.parent / f".{self.out.name}.lock")
        self._clean_up_after_killed_builds()
        # read only under the lock: another build may be changing these folders until it releases it
        self.spare = spare = cache.spare_for(self.out) if cache is not None else None
        self.had: dict[str, list] = {}           # path → [digest, size, mtime] of what the folder already holds
        self.files: dict[str, list] = {}         # path → [digest, size, mtime] of what this build wrote or kept
        self.keys: dict[str, str] = {}           # path → the cache's key of a page's inputs
        if spare is not None and spare.usable:
            self.tmp = spare.folder
            self.had, self._held_keys = spare.held["files"], spare.held["keys"]
        else:
            if spare is not None and spare.folder.exists():    # unknown or half-updated: not worth reading
                aside = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
                spare.folder.rename(aside)
                remove_in_background(aside)
            # A sibling, not /tmp: the final swap is a rename, which only works within one filesystem.
            self.tmp = self.out.parent / f".{self.out.name}.building-{os.getpid()}"
            if self.tmp.exists():
                shutil.rmtree(self.tmp)
            self.tmp.mkdir(parents=True)
            self._held_keys = {}
        self._live = spare.live if spare is not None else {"files": {}, "keys": {}}
        self._claimed: set[str] = set()

    def _clean_up_after_killed_builds(self) -> None:
        """Under the lock no other build is running: what a killed build left beside the output is garbage.
        Deleted in the background: an `.old-` folder may be the last build's previous site, which its own
        background deletion has not finished removing (a minute for 100,000 pages on a busy machine)."""
        old = sorted(self.out.parent.glob(f".{self.out.name}.old-*"))
        if old and not self.out.exists():          # killed between the two renames of a fallback swap
            old[-1].rename(self.out)
        mine = {f".{self.out.name}.building-{os.getpid()}", f".{self.out.name}.old-{os.getpid()}"}
        for leftover in (*self.out.parent.glob(f".{self.out.name}.building-*"),
                         *self.out.parent.glob(f".{self.out.name}.old-*")):
            if leftover.name in mine:               # (a reused pid) this build is about to use the name
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                remove_in_background(leftover)

    def claim(self, path: str) -> None:
        check_path(path)
        if path in self._claimed:
            raise DuplicatePath(f"two outputs claim {path}")
        self._claimed.add(path)

    def top_level(self) -> dict[str, bool]:
        """Top-level names of what this build wrote so far (name → is a folder)."""
        names: dict[str, bool] = {}
        for path in self._claimed:
            name, slash, _ = path.partition("/")
            names[name] = names.get(name, False) or bool(slash)
        return names

    def put(self, path: str, data: bytes, key: str | None = None) -> int:
        """Write a claimed path (unless the folder already holds these bytes); returns its size.
        `key`: what the page was rendered from, for the next build's `reuse`."""
        if path not in self._claimed:
            raise KeyError(f"{path} was never claimed")
        found = digest(data)
        if not self._holds(path, found):
            self._write_file(path, data, found)
        if key is not None:
            self.keys[path] = key
        return len(data)

    def _write_file(self, path: str, data: bytes, found: str) -> None:
        """Write and record one file with the fewest system calls: its folder made first (a page is the only
        file in its folder, which a clean build has not made yet), no buffered file object, the size and
        time from the open file. Once a page, 116,619 times at 100,000 items."""
        target = os.path.join(self.tmp, path)
        folder = os.path.dirname(target)
        try:
            os.mkdir(folder)
        except FileExistsError:
            pass
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            st = os.fstat(fd)
        finally:
            os.close(fd)
        self.files[path] = [found, st.st_size, st.st_mtime_ns]

    def _holds(self, path: str, found: str) -> bool:
        """The folder holds these bytes at `path`, as the cache listed them and untouched since (a file
        changed by hand has another size or time); if so, it is recorded as written."""
        had = self.had.get(path)
        if had is None or had[0] != found:
            return False
        try:
            st = os.stat(os.path.join(self.tmp, path))     # not Path's `/`: once per page, 100,000 times
        except OSError:
            return False
        if [st.st_size, st.st_mtime_ns] != had[1:]:
            return False
        self.files[path] = had
        return True

    def _record(self, path: str, found: str) -> None:
        st = os.stat(self.tmp / path)
        self.files[path] = [found, st.st_size, st.st_mtime_ns]

    def reuse(self, path: str, key: str) -> int | None:
        """If a page with these inputs was written by one of the last two builds, put it again without
        rendering it and return its size; None when it must be rendered."""
        if path not in self._claimed:
            raise KeyError(f"{path} was never claimed")
        if self._held_keys.get(path) == key and path in self.had and self._holds(path, self.had[path][0]):
            self.keys[path] = key
            return self.had[path][1]
        known = self._live["files"].get(path)
        if self._live["keys"].get(path) != key or known is None:
            return None
        data = self.live_file(path, known[0])   # None: someone changed the site by hand: render it
        return None if data is None else self.put(path, data, key)

    def live_file(self, path: str, found: str) -> bytes | None:
        """The bytes of the live site's file at `path` if they have the digest `found`."""
        try:
            data = (self.out / path).read_bytes()
        except OSError:
            return None
        return data if digest(data) == found else None

    def stream(self, path: str, chunks) -> int:
        """Claim and write a file from an iterable of bytes, never holding all of it in memory (a list of one
        piece is in memory already: nothing is written when the folder holds those bytes)."""
        if isinstance(chunks, list) and len(chunks) == 1:
            return self.write(path, chunks[0])
        self.claim(path)
        target = self.tmp / path
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        written, h = 0, hashlib.blake2b(digest_size=16)
        with open(partial, "wb") as out:
            for chunk in chunks:
                h.update(chunk)
                written += out.write(chunk)
        if self._holds(path, h.hexdigest()):
            partial.unlink()
        else:
            os.replace(partial, target)
            self._record(path, h.hexdigest())
        return written

    def _remove_what_is_gone(self) -> None:
        """Files the folder held that this build did not write, and the folders that leaves empty."""
        folders = set()
        for path in self.had.keys() - self.files.keys():
            (self.tmp / path).unlink(missing_ok=True)
            folders.update(Path(path).parents)
        for folder in sorted(folders, key=lambda f: -len(f.parts)):
            if folder.parts:
                try:
                    (self.tmp / folder).rmdir()
                except OSError:
                    pass                            # not empty: other files remain

    def write(self, path: str, data: bytes) -> int:
        self.claim(path)
        return self.put(path, data)

    def keep(self, path: str, found: str) -> bool:
        """If the folder holds `path` with digest `found` (the caller knows the bytes it would write have it,
        without making them), claim it and keep the file as written; False: nothing claimed, `write` the bytes."""
        if not self._holds(path, found):
            return False
        self.claim(path)
        return True

    def commit(self) -> None:
        """Swap the finished build into place; the previous site is removed (or kept as the spare) only after
        the new one is there.

        The swap is one atomic exchange where the OS has it, so a build killed at any moment leaves either
        the old site or the new one at `out`, never neither."""
        old = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
        try:
            self._remove_what_is_gone()
            if self.spare is not None:
                self.spare.complete(self.tmp, self.files, self.keys)
            previous = None                        # where the previous site is once the new one is in place
            if self.out.exists() and _exchange(self.tmp, self.out):
                previous = self.tmp
            else:
                if self.out.exists():
                    self.out.rename(old)
                    previous = old
                self.tmp.rename(self.out)
            if previous is not None and self.spare is not None:
                if previous != self.spare.folder:
                    previous.rename(self.spare.folder)     # the next build brings it up to date
            elif previous is not None and previous != old:
                previous.rename(old)
        finally:
            self._unlock()
        if old.exists():
            remove_in_background(old)

    def abort(self) -> None:
        if self.spare is not None and self.tmp == self.spare.folder:
            aside = self.out.parent / f".{self.out.name}.old-{os.getpid()}"   # half updated, and unlisted
            self.tmp.rename(aside)
            remove_in_background(aside)
        else:
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
