"""Postings of the bigram index, computed with numpy: the same bytes as a loop over every character of
every item, at a fraction of its time (the index stage was most of a build at 100,000 items).

    postings(texts) -> Postings     keys (cp1 << 21 | cp2, cp2 = 0 for a single character), per key the
                                    number of items, its item list and its positions, in key order

Two payloads per key (unsigned LEB128 varints), as archive/search/writer.py documents the index format:
    items:      bigram: ndocs × (doc delta << 2 | zones)     zones: 1 = in the title zone, 2 = in the lead zone
                unigram: ndocs × doc delta
    positions:  per item: zigzag(first pos − 2·Z) << 1 | more, then (pos delta << 1 | more)…   bigrams only
                (more = 1: another position of the item follows; Z = 0 without zones)
The item list is all a one- or two-character term needs; positions only confirm longer terms, so they are
kept apart. Positions count code points of the item's normalised text; a bigram with the separator in it
is not a key.

Memory stays bounded: all texts are held once as one array of code points, and keys are handled in
`PARTS` groups (by their last character), each sorted and encoded on its own; only the encoded bytes
(about a third of the raw pairs) are kept from one group to the next.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .text import SEP

SHIFT = 21                    # code points need 21 bits: key = cp1 << 21 | cp2
PART_ENTRIES = 500_000        # about this many character pairs are sorted at a time (each part allocates ~12 arrays of this length)


@dataclass
class Postings:
    keys: np.ndarray          # uint64, ascending
    ndocs: np.ndarray         # int64, items per key
    starts: np.ndarray        # int64, offset of each key's item list in `data`
    lengths: np.ndarray       # int64, its length
    data: np.ndarray          # uint8, every item list
    pos_starts: np.ndarray    # int64, offset of each key's positions in `pos_data`
    pos_lengths: np.ndarray   # int64, their length (0 for a single character)
    pos_data: np.ndarray      # uint8, every key's positions

    def payload(self, i: int) -> bytes:
        return self.data[self.starts[i]:self.starts[i] + self.lengths[i]].tobytes()

    def positions(self, i: int) -> bytes:
        return self.pos_data[self.pos_starts[i]:self.pos_starts[i] + self.pos_lengths[i]].tobytes()


def postings(texts: list[str], zones=None) -> Postings:
    """Postings of items 0 … len(texts) − 1, item `d` having normalised text `texts[d]`.

    `zones` = (title lengths, lead zone lengths, Z): each text starts with a title zone and a lead zone,
    each followed by a separator; positions are then counted from 0 in the title, from Z in the lead
    zone and from 2·Z in the rest, so a position says its zone without a per-item column."""
    # One array of every text, each followed by a separator, so that no pair spans two items.
    joined = SEP.join(texts) + SEP
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    del joined
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    sep = ord(SEP)
    parts = max(1, -(-len(cps) // PART_ENTRIES))
    # computed once, not per part: at 100,000 items a temporary of the size of `cps` is 200 MB
    part_of = (cps % parts).astype(np.uint16 if parts < 65536 else np.uint32)
    kept = cps != sep
    shift = None
    if zones is not None:
        tz, lz, z = (np.asarray(zones[0], dtype=np.int64), np.asarray(zones[1], dtype=np.int64), zones[2])
        shift = (tz, lz, z)
    found = []
    for part in range(parts):
        found.append(_bigrams(cps, starts, part_of, kept, part, shift))
        found.append(_unigrams(cps, starts, part_of, kept, part))
    keys = np.concatenate([f[0] for f in found])
    order = np.argsort(keys, kind="stable")
    ndocs = np.concatenate([f[1] for f in found])[order]
    lens, data, pos_lens, pos_data = (np.concatenate([f[k] for f in found]) for k in (2, 3, 4, 5))
    return Postings(keys[order], ndocs, _offsets(lens)[order], lens[order], data,
                    _offsets(pos_lens)[order], pos_lens[order], pos_data)


def _offsets(lengths):
    return np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)


def _bigrams(cps, starts, part_of, kept, part, shift=None):
    """Keys whose second character falls in this part: per (key, doc) the positions, encoded."""
    first, second = cps[:-1], cps[1:]
    pick = part_of[1:] == part
    pick &= kept[1:]
    pick &= kept[:-1]
    at = np.flatnonzero(pick)
    if not len(at):
        return _empty()
    keys = (first[at].astype(np.uint64) << SHIFT) | second[at].astype(np.uint64)
    docs = np.searchsorted(starts, at, side="right") - 1
    pos = at - starts[docs]
    if shift is not None:
        tz, lz, z = shift
        t, l_ = tz[docs], lz[docs]
        pos = np.where(pos < t, pos, np.where(pos < t + 1 + l_, pos - (t + 1) + z, pos - (t + 2 + l_) + 2 * z))
    del at, pick
    order = np.argsort(keys, kind="stable")          # stable: docs and positions stay ascending
    keys, docs, pos = keys[order], docs[order], pos[order]
    del order
    n = len(keys)
    new_key = np.ones(n, dtype=bool)
    new_key[1:] = keys[1:] != keys[:-1]
    new_doc = new_key.copy()
    new_doc[1:] |= docs[1:] != docs[:-1]
    group_at = np.flatnonzero(new_doc)               # first entry of each (key, doc)
    prev_doc = np.zeros(len(group_at), dtype=np.int64)
    prev_doc[1:] = docs[group_at[:-1]]
    doc_delta = docs[group_at] - np.where(new_key[group_at], 0, prev_doc)
    pos_delta = pos.copy()
    pos_delta[1:] -= np.where(new_doc[1:], 0, pos[:-1])
    zones = np.zeros(len(group_at), dtype=np.int64)
    if shift is not None:
        z = shift[2]
        zones |= np.logical_or.reduceat(pos < z, group_at).astype(np.int64)
        zones |= np.logical_or.reduceat((pos >= z) & (pos < 2 * z), group_at).astype(np.int64) << 1
    first_group = np.flatnonzero(new_key[group_at])  # each key's first (key, doc)
    key_groups = np.diff(np.append(first_group, len(group_at)))
    keys = keys[np.flatnonzero(new_key)]
    _, _, doc_len, doc_data = _encode(keys, key_groups, (doc_delta << 2) | zones, first_group)
    # positions: per (key, doc) one value per position, the lowest bit saying whether another follows; the
    # first is zigzag(position − 2·Z), so that the visible text's usual positions take one or two bytes
    base = 2 * shift[2] if shift is not None else 0
    first = pos[group_at] - base
    pos_delta[group_at] = (first << 1) ^ (first >> 63)
    more = np.ones(n, dtype=np.int64)
    more[group_at[1:] - 1] = 0
    more[-1] = 0
    _, _, pos_len, pos_data = _encode(keys, key_groups, (pos_delta << 1) | more, group_at[first_group])
    return keys, key_groups.astype(np.int64), doc_len, doc_data, pos_len, pos_data


def _unigrams(cps, starts, part_of, kept, part):
    """Single characters of this part: per key the items holding it."""
    pick = part_of == part
    pick &= kept
    at = np.flatnonzero(pick)
    if not len(at):
        return _empty()
    docs = np.searchsorted(starts, at, side="right") - 1
    pairs = np.unique((cps[at].astype(np.uint64) << np.uint64(32)) | docs.astype(np.uint64))
    keys = (pairs >> np.uint64(32)) << np.uint64(SHIFT)
    docs = (pairs & np.uint64(0xFFFFFFFF)).astype(np.int64)
    new_key = np.ones(len(keys), dtype=bool)
    new_key[1:] = keys[1:] != keys[:-1]
    values = docs.copy()
    values[1:] -= np.where(new_key[1:], 0, docs[:-1])
    key_at = np.flatnonzero(new_key)
    keys, ndocs, lens, data = _encode(keys[key_at], np.diff(np.append(key_at, len(keys))), values, key_at)
    return keys, ndocs, lens, data, np.zeros(len(keys), np.int64), np.empty(0, np.uint8)


def _encode(keys, ndocs, values, key_value_at):
    """Varint-encode `values`; each key's payload runs from its first value to the next key's."""
    data, offsets = varints(values)
    key_start = offsets[key_value_at]
    key_len = np.diff(np.append(key_start, len(data)))
    return keys, ndocs.astype(np.int64), key_len.astype(np.int64), data


def varints(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unsigned LEB128 of every value, concatenated, and where each one starts."""
    values = np.asarray(values, dtype=np.int64)
    nbytes = np.ones(len(values), dtype=np.int64)
    for bits in range(7, 63, 7):
        nbytes += values >= (1 << bits)
    ends = np.cumsum(nbytes)
    offsets = ends - nbytes
    data = np.empty(int(ends[-1]) if len(ends) else 0, dtype=np.uint8)
    for k in range(int(nbytes.max()) if len(nbytes) else 0):
        m = nbytes > k
        more = (nbytes[m] > k + 1).astype(np.uint8) << 7
        data[offsets[m] + k] = ((values[m] >> (7 * k)) & 0x7F).astype(np.uint8) | more
    return data, offsets


GATHER_BYTES = 1 << 20        # bytes gathered per step: the index arrays cost 16 bytes per byte gathered


def gather(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """data[starts[0]:starts[0]+lengths[0]] + data[starts[1]:…] + …, without a loop over payloads.
    In steps of about GATHER_BYTES: all at once, its int64 index arrays were 16 times the postings
    (over 300 MB at 10,000 items, the build's peak)."""
    total = int(lengths.sum())
    out = np.empty(total, dtype=np.uint8)
    if not total:
        return out
    out_starts = np.cumsum(lengths) - lengths
    # payloads [a, b) per step: each step begins at the first payload starting past the next GATHER_BYTES
    cuts = np.unique(np.searchsorted(out_starts, np.arange(0, total, GATHER_BYTES), side="left"))
    bounds = np.append(cuts, len(lengths))
    for a, b in zip(bounds[:-1], bounds[1:]):
        if a == b:
            continue
        n = int(lengths[a:b].sum())
        index = np.arange(n, dtype=np.int64) + np.repeat(starts[a:b] - (out_starts[a:b] - out_starts[a]), lengths[a:b])
        out[out_starts[a]:out_starts[a] + n] = data[index]
    return out


def _empty():
    return (np.empty(0, np.uint64), np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.uint8),
            np.empty(0, np.int64), np.empty(0, np.uint8))
