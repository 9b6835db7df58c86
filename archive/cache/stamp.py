"""What every part of the build cache is keyed or checked with: a digest, the code's version, and a
file replaced in one step."""
from __future__ import annotations

import functools
import hashlib
import os
import sys
from importlib import metadata
from pathlib import Path

FORMAT = 2
ARCHIVE = Path(__file__).resolve().parents[1]      # every module of the build


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
    for path in sorted(ARCHIVE.rglob("*")):
        if path.suffix in (".py", ".yaml", ".txt") and "__pycache__" not in path.parts:
            h.update(path.relative_to(ARCHIVE).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def replace_file(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
