"""The index stage's part of the build cache (`.cache/search/`): the last index's postings and the text of
every item they were computed from, so that a rebuild after a few edits patches the postings
(search/patch.py) instead of normalising every item and computing every posting again; and the digests of
the files written from them, so that a rebuild encodes only the files an edit reached.

    memo = IndexMemo(folder, damaged)
    post, chars = memo.postings(docs, text_of, z)    text_of(doc) -> (normalised text, title zone length,
                                                     lead zone length), as archive/search/writer.py joins them
                                                     (= memo.patched(…), or else memo.ranked(…) and
                                                     memo.computed(postings of that), which may run elsewhere)
    memo.fragments(keys) / remember_fragments        each item's fragment's digest, if its key is the same
    memo.outputs() / remember_outputs                the shards' and larger keys' digests, and the keys
                                                     touched since they were written

What an item's text is made from (its title, lead names and visible blocks, or its page's digest for the
blocks) is digested per item (`doc_key`); the postings are patched when there are as many items as before,
at most PATCH_SHARE of them changed and they touch at most patch.MAX_TOUCHED keys (an added or removed item
renumbers the ones after it: then they are computed afresh). The
whole memo is also keyed by the code (cache/stamp.py: code_version), as the rest of the cache.

Four tables, each written as soon as it is made and each with the code's version, the generation it
belongs to and a digest of its arrays:
    texts.bin       per item its key, where its text's UTF-8 starts in the file texts.utf8.… and its size,
                    its length in code points and its zone lengths
    postings.bin    the Postings arrays but the payloads, which are in postings.items.… and postings.pos.…
                    (the generation of texts.bin: both must name the same one)
    fragments.bin   per item id its key and the digest of its fragment f/…
    outputs.bin     per shard its digest and size, per larger key its k/ and p/ digests (the generation of
                    the postings they were written from)
The three payload files (search/payloads.py) are named by the table that uses them, with a CRC-32 per
chunk; a patch appends the changed items' texts and the touched keys' payloads to them and writes the
tables only, and they are compacted when the bytes no entry uses outweigh the ones in use (a patched
posting leaves its old bytes behind). A rebuild maps them instead of reading them.
A damaged file is reported once (the build cache's warning) and the postings are computed afresh, or every
file of its kind encoded again.
"""
from __future__ import annotations

import hashlib
import json
import marshal
import os
from pathlib import Path

import numpy as np

from . import payloads
from .patch import joined, patch_tails
from .postings import Postings, gather, ranked, ranked_postings

PATCH_SHARE = 0.02            # beyond this share of items changed, decoding the keys they touch costs more than it saves
GATHER_STEP = 8 << 20         # bytes of a payload file compacted at a time
POSTINGS = ("keys", "ndocs", "starts", "lengths", "data", "pos_starts", "pos_lengths", "pos_data")


def doc_key(doc) -> bytes:
    """A digest of what an item's normalised text is made from (marshal: exact, and the fastest). Where the
    build's Writer knows the digest of the item's page, it stands for the blocks, which are read from those
    bytes: marshalling every item's blocks was a second of a one-edit rebuild at 100,000 items (a str and a
    list marshal differently, so the two kinds of key never meet). Format 0: from 3 on, marshal writes an
    object seen twice as a back-reference, so equal texts held by shared or separate objects (parsed afresh,
    or read back from the cache) would digest differently, and every rebuild would find thousands of items
    "changed" and compute the postings afresh."""
    text = doc.page if doc.page is not None else doc.blocks if doc.blocks is not None else (doc.normed, doc.fragment)
    return hashlib.blake2b(marshal.dumps((doc.title, doc.lead_names, text), 0), digest_size=16).digest()


def doc_keys(docs: list) -> np.ndarray:
    """Every item's `doc_key`, one row of 16 bytes each."""
    return np.frombuffer(b"".join(doc_key(doc) for doc in docs), dtype=np.uint8).reshape(-1, 16)


class IndexMemo:
    def __init__(self, folder: Path | None, version, damaged):
        self.folder = folder
        self.version = version                   # () -> the code's version (cache/stamp.py: code_version)
        self.damaged = damaged                   # called when a file is damaged: the cache warns once
        self.gen = None                          # the generation of the postings `postings` returned
        self.since = None                        # (generation, keys): those postings are that generation's
                                                 # but for these keys (None: computed afresh)

    def postings(self, docs: list, text_of, z: int, keys: np.ndarray | None = None) -> tuple[Postings, int]:
        """The postings of `docs` and their number of characters, patched from the last ones if it can.
        `keys`: the docs' `doc_keys`, if the caller has them."""
        keys = doc_keys(docs) if keys is None else keys
        found = self.patched(docs, keys, text_of, z)
        if found is not None:
            return found
        text, chars = self.ranked(docs, keys, text_of, z)
        return self.computed(ranked_postings(text)), chars

    def patched(self, docs: list, keys: np.ndarray, text_of, z: int) -> tuple[Postings, int] | None:
        """The last postings patched for `docs` (with their `doc_keys`), and their number of characters;
        None if they must be computed afresh (`ranked`, then `computed`)."""
        self.gen = self.since = None
        texts = self._load("texts.bin")
        if texts is not None and len(texts["keys"]) == len(keys):
            changed = np.flatnonzero((texts["keys"] != keys).any(axis=1))
            if len(changed) <= PATCH_SHARE * len(keys):
                return self._patched(docs, keys, texts, changed, text_of, z)
        return None

    def ranked(self, docs: list, keys: np.ndarray, text_of, z: int):
        """Every item's normalised text, saved for the next build's patch, as postings.ranked: the strings are
        gone when the postings' arrays are made (ranked_postings). With their number of characters."""
        rows = [text_of(doc) for doc in docs]
        self.gen = self._save_texts(keys, rows)
        chars = sum(len(r[0]) for r in rows)
        texts, tz, lz = _columns(rows)
        del rows
        return ranked(texts, zones=(tz, lz, z)), chars

    def computed(self, post: Postings) -> Postings:
        """The postings computed from `ranked`, saved for the next build."""
        self._save_postings(self.gen, post)
        return post

    def _patched(self, docs, keys, texts, changed, text_of, z) -> tuple[Postings, int] | None:
        """The last postings with the `changed` items' entries replaced; None if there are none to patch. Their
        payloads stay in their files, mapped: only the pages of the keys read are brought into memory."""
        old = self._load("postings.bin", texts["gen"])
        if old is None:
            return None
        # every file checked, even one this build does not read: a damaged cache is reported when it is
        data, pos_data, utf8 = self._mapped(old, "data"), self._mapped(old, "pos_data"), self._mapped(texts, "utf8")
        if data is None or pos_data is None or utf8 is None:
            return None
        post = Postings(old["keys"], old["ndocs"], old["starts"], old["lengths"], data,
                        old["pos_starts"], old["pos_lengths"], pos_data)
        if not len(changed):
            self.gen, self.since = texts["gen"], (texts["gen"], np.empty(0, np.uint64))
            return post, int(texts["lengths"].sum())
        starts, sizes = texts["starts"], texts["sizes"]
        before = [(bytes(utf8[starts[d]:starts[d] + sizes[d]]).decode(), int(texts["tz"][d]), int(texts["lz"][d]))
                  for d in changed]
        after = [text_of(docs[d]) for d in changed]
        chars = int(texts["lengths"].sum()) - sum(len(r[0]) for r in before) + sum(len(r[0]) for r in after)
        found = patch_tails(post, changed, _columns(before), _columns(after), z)
        if found is None:
            return None
        post, data_tail, pos_tail, touched = found
        gen = self._save_texts(keys, after, texts, changed)
        post = self._save_postings(gen, post, old["payloads"], data_tail, pos_tail)
        self.gen, self.since = gen, (texts["gen"], touched)
        return post, chars

    def fragments(self, keys: np.ndarray) -> tuple[np.ndarray, bytes, np.ndarray] | None:
        """Per item id, whether the item that had this id last time had the same key (an item's display
        fragment is made of what its key covers), the digests of the files written then (16 bytes an
        id) and the keys they were written for (an item that moved to another id finds its fragment by
        its key); None when there is no record. Bytes, not 100,000 strings: the stage's peak is later."""
        known = self._load("fragments.bin")
        if known is None:
            return None
        same = np.zeros(len(keys), dtype=bool)
        n = min(len(keys), len(known["keys"]))
        same[:n] = (known["keys"][:n] == keys[:n]).all(axis=1)
        return same, known["digests"].tobytes(), known["keys"]

    def remember_fragments(self, keys: np.ndarray, digests: bytes) -> None:
        """Each item's key and the digest of the fragment written for it (16 bytes an item), for the next
        build's `fragments`."""
        raw = np.frombuffer(digests, dtype=np.uint8).reshape(-1, 16)
        self._save("fragments.bin", os.urandom(8).hex(), {"keys": keys, "digests": raw})

    def outputs(self) -> dict | None:
        """What `remember_outputs` recorded for the postings the last ones were patched from, with "touched":
        the keys whose bytes may differ since; None when the postings were computed afresh or nothing was
        recorded for them."""
        if self.since is None:
            return None
        known = self._load("outputs.bin", self.since[0])
        if known is not None:
            known["touched"] = self.since[1]
        return known

    def remember_outputs(self, arrays: dict) -> None:
        """Arrays describing the files written from this build's postings (search/writer.py: the shards' and
        larger keys' digests), for the next build's `outputs`."""
        if self.gen is not None:
            self._save("outputs.bin", self.gen, arrays)

    # --- files --------------------------------------------------------------------------------------

    def _save_texts(self, keys, rows, texts=None, changed=()) -> str:
        """texts.bin for `rows` (every item's) and their UTF-8 in a file of its own; or for `texts` with the
        `changed` items' rows replaced, their UTF-8 appended to the file `texts` names."""
        gen = os.urandom(8).hex()
        if self.folder is None:
            return gen
        if texts is None:
            sizes = np.empty(len(rows), dtype=np.int64)
            utf8 = payloads.write(self.folder, "texts.utf8", _utf8(rows, sizes))
            starts = np.cumsum(sizes) - sizes
            lengths = np.array([len(r[0]) for r in rows], dtype=np.int64)
            tz = np.array([r[1] for r in rows], dtype=np.int64)
            lz = np.array([r[2] for r in rows], dtype=np.int64)
        else:
            encoded = [r[0].encode() for r in rows]
            had = texts["payloads"]["utf8"]
            starts, sizes = texts["starts"].copy(), texts["sizes"].copy()
            lengths, tz, lz = texts["lengths"].copy(), texts["tz"].copy(), texts["lz"].copy()
            sizes[changed] = [len(e) for e in encoded]
            starts[changed] = had["size"] + np.cumsum(sizes[changed]) - sizes[changed]
            lengths[changed] = [len(r[0]) for r in rows]
            tz[changed] = [r[1] for r in rows]
            lz[changed] = [r[2] for r in rows]
            utf8 = payloads.append(self.folder, had, [np.frombuffer(e, dtype=np.uint8) for e in encoded])
            utf8, starts = self._compacted("texts.utf8", utf8, starts, sizes)
        self._save("texts.bin", gen, {"keys": keys, "starts": starts, "sizes": sizes, "lengths": lengths,
                                      "tz": tz, "lz": lz}, {"utf8": utf8})
        payloads.tidy(self.folder, "texts.utf8", [utf8])
        return gen

    def _save_postings(self, gen: str, post: Postings, had=None, data_tail=None, pos_tail=None) -> Postings:
        """postings.bin for `post`, its payloads in files of their own; `had`: the files `post`'s payloads are
        in, to which the tails (lists of arrays) are appended (then the postings are returned with their
        payloads mapped)."""
        if self.folder is None:
            if had is None:
                return post
            return joined(post, data_tail, pos_tail)
        if had is None:
            descs = {"data": payloads.write(self.folder, "postings.items", [post.data]),
                     "pos_data": payloads.write(self.folder, "postings.pos", [post.pos_data])}
        else:
            descs = {"data": payloads.append(self.folder, had["data"], data_tail),
                     "pos_data": payloads.append(self.folder, had["pos_data"], pos_tail)}
            descs["data"], post.starts = self._compacted("postings.items", descs["data"], post.starts, post.lengths)
            descs["pos_data"], post.pos_starts = self._compacted("postings.pos", descs["pos_data"], post.pos_starts,
                                                                 post.pos_lengths)
            post.data = payloads.view(self.folder, descs["data"])
            post.pos_data = payloads.view(self.folder, descs["pos_data"])
        self._save("postings.bin", gen, {name: getattr(post, name) for name in POSTINGS if name not in descs}, descs)
        payloads.tidy(self.folder, "postings.items", [descs["data"]])
        payloads.tidy(self.folder, "postings.pos", [descs["pos_data"]])
        return post

    def _compacted(self, stem: str, desc: dict, starts: np.ndarray, lengths: np.ndarray) -> tuple[dict, np.ndarray]:
        """The file `desc` and `starts` as they are, or, once the bytes no entry uses outweigh the ones in
        use, a new file holding each entry's bytes once, in order, and the entries' new starts."""
        if desc["size"] <= 2 * int(lengths.sum()):
            return desc, starts
        old = payloads.view(self.folder, desc)
        desc = payloads.write(self.folder, stem, gathered(old, starts, lengths))
        return desc, np.cumsum(lengths) - lengths

    def _mapped(self, table: dict, name: str) -> np.ndarray | None:
        desc = table["payloads"].get(name)
        return payloads.mapped(self.folder, desc, self.damaged) if isinstance(desc, dict) else None

    def _save(self, name: str, gen: str, arrays: dict, files: dict | None = None) -> None:
        """`arrays`: name → an array, or a list of one-dimensional arrays of one type, stored end to end;
        `files`: name → the descriptor of a payload file (search/payloads.py) the table goes with."""
        if self.folder is None:
            return
        h = hashlib.blake2b(digest_size=16)
        layout = []
        for key, a in arrays.items():
            pieces = [np.ascontiguousarray(p) for p in (a if isinstance(a, list) else [a])]
            shape = list(pieces[0].shape) if len(pieces) == 1 else [sum(len(p) for p in pieces)]
            layout.append([key, pieces[0].dtype.str, shape])
            arrays[key] = pieces = [p for p in pieces if p.size]     # (an empty one cannot be cast to bytes)
            for p in pieces:
                h.update(memoryview(p).cast("B"))
        head = json.dumps({"code": self.version(), "gen": gen, "digest": h.hexdigest(), "arrays": layout,
                           "payloads": files or {}})
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / name
        tmp = target.with_name(f".{name}.{os.getpid()}")
        with open(tmp, "wb") as out:              # array by array: never one bytes object of them all
            out.write(head.encode() + b"\n")
            for pieces in arrays.values():
                for p in pieces:
                    out.write(memoryview(p).cast("B"))
        os.replace(tmp, target)

    def _load(self, name: str, gen: str | None = None) -> dict | None:
        """The arrays of a file (and its "gen"), or None if it is missing, made by other code or for
        another generation; a damaged one is also reported."""
        if self.folder is None:
            return None
        try:
            raw = (self.folder / name).read_bytes()
        except OSError:
            return None
        try:
            end = raw.find(b"\n")                 # not partition: that copies the arrays after the line
            head = json.loads(raw[:max(end, 0)])
            if head["code"] != self.version() or (gen is not None and head["gen"] != gen):
                return None
            body = memoryview(raw)[end + 1:]
            if hashlib.blake2b(body, digest_size=16).hexdigest() != head["digest"]:
                raise ValueError("digest")
            out, at = {"gen": head["gen"], "payloads": head["payloads"]}, 0
            for key, dtype, shape in head["arrays"]:
                dtype = np.dtype(dtype)
                count = int(np.prod(shape))
                out[key] = np.frombuffer(body, dtype=dtype, count=count, offset=at).reshape(shape)
                at += count * dtype.itemsize
            if at != len(body):
                raise ValueError("length")
            return out
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            self.damaged()
            return None


def gathered(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray):
    """Each entry's bytes (`lengths` from `starts` in `data`) end to end, about GATHER_STEP bytes at a time:
    a compaction never holds the whole file."""
    ends = np.cumsum(lengths)
    first = 0
    while first < len(lengths):
        last = max(first + 1, int(np.searchsorted(ends, ends[first] - lengths[first] + GATHER_STEP, side="right")))
        yield gather(data, starts[first:last], lengths[first:last])
        first = last


def _utf8(rows: list, sizes: np.ndarray, step: int = 1000):
    """The rows' texts in UTF-8, end to end, a few at a time (each one's size put in `sizes`): every item's
    bytes at once, and joined, were two copies of 90 MB at 100,000 items."""
    for first in range(0, len(rows), step):
        encoded = [r[0].encode() for r in rows[first:first + step]]
        sizes[first:first + len(encoded)] = [len(e) for e in encoded]
        yield np.frombuffer(b"".join(encoded), dtype=np.uint8)


def _columns(rows: list) -> tuple:
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
