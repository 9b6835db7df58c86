"""The memo's large byte arrays (search/cache.py: the items' normalised text, the postings' item lists and
positions) in files of their own, which a rebuild after a few edits appends to instead of writing again,
and maps instead of reading: a one-edit rebuild at 100,000 items rewrote and digested 190 MB of them and
held every byte in memory, though it reads only the few keys and texts the edit touched.

    desc = write(folder, stem, pieces)      a new file `stem.<random>` holding the arrays `pieces` end to end
    desc = append(folder, desc, pieces)     that file with `pieces` after the bytes `desc` covers
    data = mapped(folder, desc, damaged)    its bytes as a read-only np.memmap (None: missing or damaged)
    data = view(folder, desc)               the same without the check, for a file this build wrote
    tidy(folder, stem, descs)               the files of `stem` no descriptor names, deleted

A descriptor is plain JSON, kept in the table file (search/cache.py) that names it: the file's name, the
bytes in use, and a CRC-32 per run of at most CHUNK bytes. The file is checked whole when it is mapped,
streamed (never held in memory); CRC-32 and not a digest because it only guards against damage, at a
fifth of blake2b's cost. Bytes past the size in use (appended by a build killed before its table was
written) are cut off before the next append; a table never names a file another table is writing afresh
(new files get new names), so a table and its files always agree, whatever moment a build was killed.
"""
from __future__ import annotations

import os
import zlib
from pathlib import Path

import numpy as np

CHUNK = 4 << 20               # bytes per CRC: a damaged file is found when mapped, its check never held whole


def write(folder: Path, stem: str, pieces: list) -> dict:
    name = f"{stem}.{os.urandom(6).hex()}"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / name, "wb") as out:
        chunks, size = _write(out, pieces, 0)
    return {"name": name, "size": size, "chunks": chunks}


def append(folder: Path, desc: dict, pieces: list) -> dict:
    with open(folder / desc["name"], "r+b") as out:
        out.truncate(desc["size"])
        out.seek(desc["size"])
        chunks, size = _write(out, pieces, desc["size"])
    return {"name": desc["name"], "size": size, "chunks": desc["chunks"] + chunks}


def mapped(folder: Path, desc: dict, damaged) -> np.ndarray | None:
    """The file's first desc["size"] bytes, mapped, once every chunk's CRC-32 is checked; None (and
    `damaged()`) if one differs or the file is shorter, None alone if it is missing."""
    path = folder / desc["name"]
    try:
        with open(path, "rb") as raw:
            buffer, at = bytearray(CHUNK), 0
            for end, crc in desc["chunks"]:
                view = memoryview(buffer)[:end - at]
                if raw.readinto(view) != end - at or zlib.crc32(view) != crc:
                    damaged()
                    return None
                at = end
    except FileNotFoundError:
        return None
    except (OSError, TypeError, ValueError):
        damaged()
        return None
    if at != desc["size"]:
        damaged()
        return None
    if not at:
        return np.empty(0, np.uint8)
    return np.memmap(path, dtype=np.uint8, mode="r", shape=(at,))


def view(folder: Path, desc: dict) -> np.ndarray:
    """The bytes `desc` covers, mapped without a check: for a file this build just wrote."""
    if not desc["size"]:
        return np.empty(0, np.uint8)
    return np.memmap(folder / desc["name"], dtype=np.uint8, mode="r", shape=(desc["size"],))


def tidy(folder: Path, stem: str, descs: list) -> None:
    """Files of `stem` that no descriptor in `descs` names: left by a build that wrote afresh or compacted."""
    names = {d["name"] for d in descs}
    for path in folder.glob(f"{stem}.*"):
        if path.name not in names and len(path.suffix) == 13:
            path.unlink(missing_ok=True)


def _write(out, pieces: list, at: int) -> tuple[list, int]:
    """The pieces' bytes written at `at`, with a CRC-32 for every CHUNK bytes from there."""
    chunks, crc, filled = [], 0, 0
    for piece in pieces:
        if not piece.size:
            continue                        # (an empty array cannot be cast to bytes)
        view = memoryview(np.ascontiguousarray(piece)).cast("B")
        while len(view):
            part = view[:CHUNK - filled]
            out.write(part)
            crc = zlib.crc32(part, crc)
            filled += len(part)
            at += len(part)
            view = view[len(part):]
            if filled == CHUNK:
                chunks.append([at, crc])
                crc = filled = 0
    if filled:
        chunks.append([at, crc])
    return chunks, at
