"""Similar items across builds: what the last computation of `archive/similar.py` made on its way, kept in
the build cache's `similar/` folder, so that a rebuild after a few edits scores again only the pairs an
edit can change.

    memo = SimilarMemo(folder, version, damaged)
    best_table(texts, groups, topics, memo=memo)      (archive/similar.py)

A clean build pays nothing but writing: the arrays are those the full computation makes anyway, streamed
to disk as they are made (numpy, no Python objects), and read back only by the next build:
    state.bin   per item a key (its text, list and topics), each item's places in the bigram table and
                how many it has; the bigram table (codes, how many items have each); each topic's items;
                the best-matches table; and a head: the code, the parameters, the item count, the other
                files' sizes and digests
    places.bin  every item's bigrams as places in the table, int32, one item after the other; a rebuild
                appends the edited items' and points their offsets there

The pairs themselves are not kept (at 100,000 items they are millions): a row that needs them is scored
again. What an edit can change, and what is then done (anything else: the whole computation, which also
writes the memo afresh):
* the items whose key changed (text, list or topics), at most SHARE of them, none added or removed (that
  renumbers the items after it and may move the common cut);
* the corpus-wide counts of their old and new bigrams: a bigram crossing the common cut changes every
  item that has it, in every topic: computed whole;
* in a topic one of them is or was in: its kept bigrams (a bigram is kept in a topic when 2 to CAP of
  its items have it); a bigram crossing either bound changes |A| of every member having it. Those
  members and the edited ones are scored again against every member: pairs only they are in change;
* the best-LIMIT table: those items' rows, and the rows holding one of them (its match may have gone: the
  row needs its next best), are scored again in every topic they are in; every other row is offered the
  pairs just scored, which are all of its pairs that can have changed.
The result is the full computation's (tests/test_similar.py: random edit sequences against the all-pairs
reference; tests/test_cache.py: incremental builds byte-identical to clean ones).
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from . import similar
from .similar import _Best, _code_batch, _distinct, _postings, _ragged, common_cut, group_numbers, topic_members

STATE = "state.bin"
SHARE = 0.02            # beyond this share of items edited, the whole computation is about as quick
_CHUNK = 1 << 24        # bytes hashed at a time when checking a file


def item_key(text: str, group: str, slugs: Sequence[str]) -> bytes:
    """What an item's matches are computed from (its position aside)."""
    h = hashlib.blake2b(repr((group, tuple(slugs))).encode(), digest_size=16)
    h.update(text.encode("utf-8", "surrogatepass"))
    return h.digest()


class SimilarMemo:
    def __init__(self, folder: Path | None, version: Callable[[], str], damaged: Callable[[], None]):
        self.folder = folder
        self.version = version          # the code's version (cache/stamp.py): another code, another memo
        self.damaged = damaged          # called when a file is damaged: the cache warns once

    def sink(self, groups, topics, threshold, limit, cap) -> "_Sink | None":
        """Where the whole computation leaves what the next build needs."""
        if self.folder is None:
            return None
        return _Sink(self, groups, topics, _params(threshold, limit, cap))

    def update(self, texts: Iterable[str], groups: Sequence[str], topics: Sequence[Sequence[str]],
               threshold: float, limit: int, cap: int) -> _Best | None:
        """The last table, updated for what changed since; None when it cannot be (then compute whole)."""
        state = self._load(_params(threshold, limit, cap), len(groups))
        if state is None:
            return None
        old, keys, changed, held = state["keys"].tobytes(), bytearray(16 * len(groups)), [], []
        most = int(SHARE * len(groups))
        for k, text in enumerate(texts):
            key = keys[16 * k:16 * k + 16] = item_key(text, groups[k], topics[k])
            if key != old[16 * k:16 * k + 16]:
                if len(changed) == most:
                    return None
                changed.append(k)
                held.append(text)
        best = _Best(len(groups), limit)
        best.other, best.score = state["other"], state["score"]
        if not changed:
            return best
        update = _Update(self, state, groups, topics, threshold, cap)
        if not update.apply(np.array(changed, dtype=np.int64), held, best):
            return None
        update.save(bytes(keys), best)
        return best

    # --- files ---------------------------------------------------------------------------------------

    def _load(self, params: list, count: int) -> dict | None:
        path = self.folder / STATE if self.folder is not None else None
        if path is None or not path.exists():
            return None
        try:
            raw = path.read_bytes()
            line, _, _ = raw.partition(b"\n")
            head = json.loads(line)
            if head["code"] != self.version() or head["params"] != params or head["count"] != count:
                return None
            body = memoryview(raw)[len(line) + 1:]
            if hashlib.blake2b(body, digest_size=16).hexdigest() != head["digest"]:
                raise ValueError("digest")
            state, at = {"head": head}, 0
            for name, dtype, shape in head["arrays"]:
                dtype = np.dtype(dtype)
                size = int(np.prod(shape)) * dtype.itemsize
                state[name] = np.frombuffer(body[at:at + size], dtype=dtype).reshape(shape).copy()
                at += size
            if at != len(body):
                raise ValueError("length")
            state["hash"] = _check(self.folder / "places.bin", *head["places"])
            return state
        except (ValueError, KeyError, TypeError, OSError, EOFError):
            self.damaged()
            return None

    def places(self) -> np.ndarray:
        path = self.folder / "places.bin"
        if not path.stat().st_size:
            return np.zeros(0, np.int32)
        return np.memmap(path, dtype=np.int32, mode="r")

    def write_state(self, head: dict, arrays: dict) -> None:
        """A line of JSON (the head, the arrays' layout and digest), then the arrays' bytes one after the
        other: written array by array, never copied into one bytes object (np.savez copies in 16 MB
        chunks, which raised a clean build's peak)."""
        h = hashlib.blake2b(digest_size=16)
        layout = []
        for name, a in arrays.items():
            a = arrays[name] = np.ascontiguousarray(a)
            h.update(_raw(a))
            layout.append([name, a.dtype.str, list(a.shape)])
        head = dict(head, code=self.version(), digest=h.hexdigest(), arrays=layout)
        tmp = self.folder / f".{STATE}.{os.getpid()}"
        with open(tmp, "wb") as out:
            out.write(json.dumps(head).encode() + b"\n")
            for a in arrays.values():
                out.write(_raw(a))
        os.replace(tmp, self.folder / STATE)


def _raw(a: np.ndarray):
    """The bytes of a contiguous array, not copied."""
    return memoryview(a).cast("B") if a.size else b""


def _params(threshold: float, limit: int, cap: int) -> list:
    return [threshold, limit, cap, similar.COMMON, similar.MIN_COMMON]


def _check(path: Path, size: int, digest: str):
    """The file's hasher, having read it all, if it has this size and digest."""
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    if path.stat().st_size != size or h.hexdigest() != digest:
        raise ValueError(path.name)
    return h


class _Sink:
    """The whole computation's by-products, written as they come: the memo is valid again only once
    `done` has written the state naming the other files."""

    def __init__(self, memo: SimilarMemo, groups, topics, params: list):
        self.memo, self.groups, self.topic_lists, self.params = memo, groups, topics, params
        memo.folder.mkdir(parents=True, exist_ok=True)
        (memo.folder / STATE).unlink(missing_ok=True)
        self.keys = bytearray(16 * len(groups))      # (not a list of bytes objects: 3 times the memory)
        self.count = 0
        self.lengths: list[np.ndarray] = []
        self.files = {"places.bin": _HashedFile(memo.folder / "places.bin")}

    def text(self, text: str) -> None:
        k = self.count
        self.keys[16 * k:16 * k + 16] = item_key(text, self.groups[k], self.topic_lists[k])
        self.count += 1

    def vocab(self, vocab: np.ndarray, df: np.ndarray) -> None:
        self.table = vocab, df

    def places(self, at: np.ndarray, per_text: np.ndarray) -> None:
        self.files["places.bin"].write(at.astype(np.int32))
        self.lengths.append(per_text)

    def topics(self, slugs: list[str], members: list[np.ndarray]) -> None:
        self.slugs, self.members = slugs, members

    def done(self, best: _Best) -> None:
        length = np.concatenate(self.lengths).astype(np.int64) if self.lengths else np.zeros(0, np.int64)
        offset = np.cumsum(length) - length
        vocab, df = self.table
        head = {"params": self.params, "count": self.count, "slugs": self.slugs}
        for name, f in self.files.items():
            head[name.split(".")[0]] = f.close()
        arrays = {"keys": np.frombuffer(self.keys, np.uint8), "vocab": vocab.astype(np.int32),
                  "df": df.astype(np.int64), "offset": offset, "length": length,
                  "members": np.concatenate(self.members) if self.members else np.zeros(0, np.int64),
                  "member_counts": np.array([len(m) for m in self.members], np.int64),
                  "other": best.other, "score": best.score}
        self.memo.write_state(head, arrays)


class _HashedFile:
    """Written under a temporary name, hashed on the way, put in place by `close()` -> [size, digest]."""

    def __init__(self, path: Path, h=None, append: bool = False):
        self.path, self.h = path, h or hashlib.blake2b(digest_size=16)
        self.tmp = path if append else path.with_name(f".{path.name}.{os.getpid()}")
        self.out = open(self.tmp, "ab" if append else "wb")

    def write(self, array: np.ndarray) -> None:
        data = _raw(np.ascontiguousarray(array))
        self.h.update(data)
        self.out.write(data)

    def close(self) -> list:
        self.out.close()
        if self.tmp != self.path:
            os.replace(self.tmp, self.path)
        return [self.path.stat().st_size, self.h.hexdigest()]


class _Update:
    """One rebuild's update of the memo's state (see the module's docstring for what an edit can change)."""

    def __init__(self, memo: SimilarMemo, state: dict, groups, topics, threshold: float, cap: int):
        self.memo, self.state, self.threshold, self.cap = memo, state, threshold, cap
        self.count = len(groups)
        self.group = group_numbers(groups)
        self.slugs, self.members = topic_members(topics)

    def apply(self, changed: np.ndarray, texts: list[str], best: _Best) -> bool:
        """Update `best` for the `changed` items (now `texts`); False when it cannot be done exactly."""
        state = self.state
        if self.slugs != state["head"]["slugs"]:
            return False
        (self.memo.folder / STATE).unlink()      # valid again once saved
        offset, length = state["offset"], state["length"]
        stored = self.memo.places()
        if len(stored) > 2 * int(length.sum()) + 1024:      # mostly replaced places: write them afresh
            return False
        old = stored[_ragged(offset[changed], length[changed])].astype(np.int64)
        new, per_text = self._code(texts)                  # (the table takes in new codes first)
        before = state["df"]
        df = before - np.bincount(old, minlength=len(before)) + np.bincount(new, minlength=len(before))
        touched = np.union1d(old, new)
        cut = common_cut(self.count)
        if ((before[touched] <= cut) != (df[touched] <= cut)).any():
            return False                # a bigram became common, or stopped being: that changes every item having it
        state["df"], self.keep = df, df <= cut
        self.is_changed = np.zeros(self.count, bool)
        self.is_changed[changed] = True
        # The edited items' places go at the end of places.bin; their old ones stay there, unused, until
        # a whole computation writes the file afresh.
        self.was = offset, length
        offset, length = offset.copy(), length.copy()
        offset[changed] = len(stored) + np.cumsum(per_text) - per_text
        length[changed] = per_text
        places = _HashedFile(self.memo.folder / "places.bin", state["hash"], append=True)
        places.write(new.astype(np.int32))
        state["head"]["places"] = places.close()
        state["offset"], state["length"] = offset, length
        self.stored = self.memo.places()
        self._pairs_again(best)
        return True

    def _code(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The texts' bigrams as places in the table, which takes in the codes it did not have."""
        place, per_text, vocab, _ = _code_batch(texts)
        codes = vocab[place]
        table = self.state["vocab"]
        added = np.setdiff1d(codes, table)
        if len(added):
            table = self.state["vocab"] = np.concatenate((table, added.astype(np.int32)))
            self.state["df"] = np.concatenate((self.state["df"], np.zeros(len(added), np.int64)))
        order = np.argsort(table, kind="stable")
        found = order[np.searchsorted(table, codes, sorter=order)] if len(codes) else np.zeros(0, np.int64)
        return found.astype(np.int64), per_text.astype(np.int64)

    def _pairs_again(self, best: _Best) -> None:
        """The rows an edit can change, scored again where they need it, offered the new pairs elsewhere."""
        counts = self.state["member_counts"]
        was = np.split(self.state["members"], np.cumsum(counts)[:-1]) if len(counts) else []
        moved = self.is_changed.copy()             # items with pairs that may have changed
        postings = {}
        for t, (before, now) in enumerate(zip(was, self.members)):
            left, joined = before[self.is_changed[before]], now[self.is_changed[now]]
            if len(left) or len(joined):
                postings[t] = self._ids(now, *self.state_places())
                moved[self._flipped(now, left, joined, *postings[t])] = True
        whole = moved.copy()                       # rows scored again in every topic
        held = best.other >= 0
        whole[(held & moved[np.where(held, best.other, 0)]).any(axis=1)] = True
        found = [(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))]
        for t, now in enumerate(self.members):
            rows = np.flatnonzero(whole[now])
            if len(rows):
                ids, starts = postings.get(t) or self._ids(now, *self.state_places())
                found.append(self._score_rows(now, ids, starts, rows))
        later, earlier, score = (np.concatenate(part) for part in zip(*found))
        best.clear(np.flatnonzero(whole))
        best.add(later, earlier, score)

    def _flipped(self, now: np.ndarray, left: np.ndarray, joined: np.ndarray, ids: np.ndarray,
                 starts: np.ndarray) -> np.ndarray:
        """The members of a topic whose kept bigrams (or pairs) an edit changed: those that joined, and those
        having a bigram whose kept status changed (the edited items' old and new bigrams moved its count)."""
        df = np.bincount(ids, minlength=len(self.keep))
        df_before = df - np.bincount(self._ids(joined, *self.state_places())[0], minlength=len(df))
        df_before += np.bincount(self._ids(left, *self.was)[0], minlength=len(df))
        kept = lambda d: (d > 1) & (d <= self.cap)          # noqa: E731 (as similar._postings keeps them)
        flipped = kept(df) != kept(df_before)
        row = np.repeat(np.arange(len(now)), np.diff(starts))
        return now[np.union1d(row[flipped[ids]], np.searchsorted(now, joined))]

    def state_places(self) -> tuple[np.ndarray, np.ndarray]:
        return self.state["offset"], self.state["length"]

    def _ids(self, items: np.ndarray, offset: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The items' bigrams that are not common, one item after the other, and where each item's start."""
        found = self.stored[_ragged(offset[items], length[items])] if len(items) else np.zeros(0, np.int32)
        kept = self.keep[found]
        counts = np.bincount(np.repeat(np.arange(len(items)), length[items])[kept], minlength=len(items))
        return found[kept].astype(np.int64), np.concatenate(([0], np.cumsum(counts)))

    def _score_rows(self, now: np.ndarray, ids: np.ndarray, starts: np.ndarray,
                    rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The pairs of a topic (members `now`) that one of `rows` is in, scored as similar._match_within
        scores them: (later item, earlier item, score)."""
        m = len(now)
        row, size, posted, opens, _, held = _postings(np.arange(m), ids, starts, self.cap)
        opening = np.concatenate(([0], np.cumsum(size)))
        entry = _ragged(opening[rows], size[rows])
        count = held[entry]
        mine = np.repeat(row[entry].astype(np.int64), count)
        other = posted[_ragged(opens[entry].astype(np.int64), count)]
        code = np.sort((mine * m + other)[mine != other])
        total = len(code)
        code, at = _distinct(code)
        shared = np.diff(np.append(at, total))
        a, b = code // m, code % m
        again = np.zeros(m, bool)
        again[rows] = True
        once = ~again[b] | (a > b)                   # a pair of two rows scored again: made by both
        a, b, shared = a[once], b[once], shared[once]
        later, earlier = np.maximum(a, b), np.minimum(a, b)
        need = self.threshold * self.threshold * size
        score = shared / np.sqrt((size[later] * size[earlier]).astype(np.float64))
        ok = (shared >= need[later]) & (score >= self.threshold) & (self.group[now[later]] != self.group[now[earlier]])
        return now[later[ok]], now[earlier[ok]], score[ok]

    def save(self, keys: bytes, best: _Best) -> None:
        state = self.state
        head = {"params": state["head"]["params"], "count": self.count, "slugs": self.slugs,
                "places": state["head"]["places"]}
        arrays = {"keys": np.frombuffer(keys, np.uint8), "vocab": state["vocab"], "df": state["df"],
                  "offset": state["offset"], "length": state["length"],
                  "members": np.concatenate(self.members) if self.members else np.zeros(0, np.int64),
                  "member_counts": np.array([len(m) for m in self.members], np.int64),
                  "other": best.other, "score": best.score}
        self.memo.write_state(head, arrays)
