"""Postings of the bigram index, computed with numpy: the same bytes as a loop over every character of
every item, at a fraction of its time (the index stage was most of a build at 100,000 items).

    postings(texts) -> Postings     keys (cp1 << 21 | cp2, cp2 = 0 for a single character), per key the
                                    number of items, its item list and its positions, in key order
    ranked_postings(ranked(texts))  the same in two steps: the texts' strings are not needed after the first

Two payloads per key (unsigned LEB128 varints), as archive/search/writer.py documents the index format:
    items:      bigram: ndocs × (doc delta << 2 | zones)     zones: 1 = in the title zone, 2 = in the lead zone
                unigram: ndocs × doc delta
    positions:  per item: zigzag(first pos − 2·Z) << 1 | more, then (pos delta << 1 | more)…   bigrams only
                (more = 1: another position of the item follows; Z = 0 without zones)
The item list is all a one- or two-character term needs; positions only confirm longer terms, so they are
kept apart. Positions count code points of the item's normalised text; a bigram with the separator in it
is not a key.

How: every character is replaced by its rank among the distinct characters (a few thousand: 16 bits), so
that a bigram, and even a bigram with its item and its place in the text, is one 64-bit integer whose
order is the postings' order (key, then item, then position). One unstable sort of those integers
(numpy's vectorised sort, several times faster than a stable argsort and far faster than np.unique's hash
table) groups the pairs. Memory stays bounded: keys are handled in parts, consecutive ranges of the first
character holding about PART_ENTRIES pairs each; only the encoded bytes are kept from one part to the next.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from .text import SEP

SHIFT = 21                    # code points need 21 bits: key = cp1 << 21 | cp2
PART_ENTRIES = 1_000_000      # about this many character pairs are sorted at a time (~10 int64 arrays of this
                              # length: 2,000,000 made ~150 MB of them, a tenth of a 100,000-item build's peak)
SCAN = 1 << 22                # ranks scanned at a time for a part's characters
CHUNK_TEXTS = 1000            # texts turned into code points at a time: never all of them as one string


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


@dataclass
class _Text:
    """Every text, each followed by a separator, as ranks of its characters."""
    ranks: np.ndarray         # uint16 (uint32 past 65,535 distinct characters), one per character
    chars: np.ndarray         # uint64, the code point of each rank: 0 is the separator, then ascending
    starts: np.ndarray        # int64, where each text begins in `ranks`
    zones: tuple | None       # (title lengths, lead zone lengths, Z): see postings()
    pos_bits: int             # enough for any position, zones counted
    counts: np.ndarray        # int64, how often each rank occurs (the separator: 0)


def postings(texts: list[str], zones=None) -> Postings:
    """Postings of items 0 … len(texts) − 1, item `d` having normalised text `texts[d]`.

    `zones` = (title lengths, lead zone lengths, Z): each text starts with a title zone and a lead zone,
    each followed by a separator; positions are then counted from 0 in the title, from Z in the lead
    zone and from 2·Z in the rest, so a position says its zone without a per-item column."""
    return ranked_postings(ranked(texts, zones))


def ranked_postings(text: _Text, jobs: int = 1) -> Postings:
    """The postings of texts already `ranked`. With `jobs` > 1, a forked child computes the later half of the
    parts meanwhile (the index stage has the machine to itself: 7 of its 15 s at 100,000 items were these
    parts, on one core). The child reads only the arrays, so it copies little of this process's memory."""
    parts = _parts(text)
    if jobs < 2 or len(parts) < 2:
        return _assemble([_empty(), *_found(text, parts)])   # (no text at all: no parts, empty postings)
    from ..forked import Forked      # (here: it imports the render workers, which import the search package)
    job = Forked(partial(_found, text, parts[len(parts) // 2:]))
    try:
        found = _found(text, parts[:len(parts) // 2])
        found += job.result()
    finally:
        job.stop()
    return _assemble(found)


def _found(text: _Text, parts: list[tuple[int, int]]) -> list:
    """The keys and payloads of these parts, in order."""
    found = []
    for lo, hi in parts:
        at = _in_part(text.ranks, lo, hi)
        found.append(_unigrams(text, at, lo))
        # every text ends with a separator, so a character in a part is never the last one: at + 1 exists
        found.append(_bigrams(text, at[text.ranks[at + 1] != 0], lo))
    return found


def ranked(texts: list[str], zones=None) -> _Text:
    """The texts as ranks of their characters (2 bytes a character, where the strings take 2 or 4 and a
    header each): all `ranked_postings` needs of them, so the caller can drop the strings before the
    postings' arrays are made."""
    present = np.zeros(0x110000, dtype=bool)
    for cps in _code_point_chunks(texts):
        present[cps] = True
    present[ord(SEP)] = False
    chars = np.concatenate(([ord(SEP)], np.flatnonzero(present))).astype(np.uint64)
    del present
    rank = np.zeros(0x110000, dtype=np.uint16 if len(chars) <= 1 << 16 else np.uint32)
    rank[chars[1:].astype(np.int64)] = np.arange(1, len(chars))
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    ranks = np.empty(int(lengths.sum()), dtype=rank.dtype)
    counts = np.zeros(len(chars), dtype=np.int64)
    at = 0
    for cps in _code_point_chunks(texts):
        ranks[at:at + len(cps)] = rank[cps]
        counts += np.bincount(ranks[at:at + len(cps)], minlength=len(chars))
        at += len(cps)
    counts[0] = 0
    longest = int(lengths.max()) if len(lengths) else 1
    if zones is not None:
        zones = (np.asarray(zones[0], dtype=np.int64), np.asarray(zones[1], dtype=np.int64), zones[2])
        longest += 2 * zones[2]
    return _Text(ranks, chars, np.cumsum(lengths) - lengths, zones, _bits(longest), counts)


def _code_point_chunks(texts: list[str]):
    """The code points of all texts, each followed by a separator, a few texts at a time."""
    for first in range(0, len(texts), CHUNK_TEXTS):
        chunk = SEP.join(texts[first:first + CHUNK_TEXTS]) + SEP
        yield np.frombuffer(chunk.encode("utf-32-le"), dtype=np.uint32)


def _parts(text: _Text) -> list[tuple[int, int]]:
    """Consecutive ranges [lo, hi) of ranks from 1, each the first character of about PART_ENTRIES pairs,
    and narrow enough that a pair of ranks, an item and a position fit in 64 bits (_bigrams)."""
    counts = text.counts
    cum = np.cumsum(counts)
    room = 64 - _bits(len(text.chars)) - _bits(len(text.starts)) - text.pos_bits
    if room < 0:
        raise ValueError("too many items, characters or positions for 64-bit postings keys")
    bounds = [1]
    while bounds[-1] < len(counts):
        lo = bounds[-1]
        hi = int(np.searchsorted(cum, cum[lo - 1] + PART_ENTRIES, side="right"))
        bounds.append(min(max(lo + 1, hi), lo + (1 << room), len(counts)))
    return list(zip(bounds[:-1], bounds[1:]))


def _in_part(ranks: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Where lo ≤ rank < hi, ascending. (rank − lo) < width, in the ranks' unsigned type, tests it (rank 0,
    the separator, is in no part). SCAN ranks at a time: the whole array's temporaries (3 bytes a character)
    were the stage's peak at 100,000 items."""
    first, width = ranks.dtype.type(lo), ranks.dtype.type(hi - lo)
    return np.concatenate([np.flatnonzero(ranks[a:a + SCAN] - first < width) + a
                           for a in range(0, len(ranks), SCAN)] or [np.empty(0, np.int64)])


def _bits(n: int) -> int:
    """Bits of any number below n."""
    return max(1, (n - 1).bit_length())


def _items(text: _Text, at: np.ndarray) -> np.ndarray:
    """The item of each character at `at` (ascending), without a search per character."""
    firsts = np.searchsorted(at, text.starts)
    return np.repeat(np.arange(len(text.starts)), np.diff(np.append(firsts, len(at))))


def _bigrams(text: _Text, at: np.ndarray, lo: int):
    """The bigrams at `at` (ascending; first characters of ranks lo…): keys and payloads."""
    if not len(at):
        return _empty()
    docs = _items(text, at)
    pos = at - text.starts[docs]
    if text.zones is not None:
        tz, lz, z = text.zones
        t, l_ = tz[docs], lz[docs]
        pos = np.where(pos < t, pos, np.where(pos < t + 1 + l_, pos - (t + 1) + z, pos - (t + 2 + l_) + 2 * z))
        del t, l_
    bits, doc_bits, pos_bits = _bits(len(text.chars)), _bits(len(text.starts)), text.pos_bits
    # key, item and position in one integer, so that one sort orders all three
    packed = text.ranks[at].astype(np.uint64) - np.uint64(lo)
    packed <<= np.uint64(bits)
    packed |= text.ranks[at + 1]
    packed <<= np.uint64(doc_bits)
    packed |= docs.astype(np.uint64)
    packed <<= np.uint64(pos_bits)
    packed |= pos.astype(np.uint64)
    del at, docs, pos
    packed.sort()
    pos = (packed & np.uint64((1 << pos_bits) - 1)).astype(np.int64)
    packed >>= np.uint64(pos_bits)
    docs = (packed & np.uint64((1 << doc_bits) - 1)).astype(np.int64)
    packed >>= np.uint64(doc_bits)
    keys, *payloads = _bigram_payloads(packed, docs, pos, text.zones[2] if text.zones is not None else None)
    return (_code_points(text, keys + (np.uint64(lo) << np.uint64(bits)), bits), *payloads)


def _bigram_payloads(keys, docs, pos, z):
    """Entries sorted by key, item and position (`z`: the zone width, or None) → each key, its item count,
    and the lengths and bytes of the keys' item lists and of their positions."""
    n = len(keys)
    new_key = np.ones(n, dtype=bool)
    new_key[1:] = keys[1:] != keys[:-1]
    new_doc = new_key.copy()
    new_doc[1:] |= docs[1:] != docs[:-1]
    group_at = np.flatnonzero(new_doc)               # first entry of each (key, doc)
    prev_doc = np.zeros(len(group_at), dtype=np.int64)
    prev_doc[1:] = docs[group_at[:-1]]
    doc_delta = docs[group_at] - np.where(new_key[group_at], 0, prev_doc)
    del prev_doc, docs
    pos_delta = pos.copy()
    pos_delta[1:] -= np.where(new_doc[1:], 0, pos[:-1])
    zones = np.zeros(len(group_at), dtype=np.int64)
    if z is not None:
        zones |= np.logical_or.reduceat(pos < z, group_at).astype(np.int64)
        zones |= np.logical_or.reduceat((pos >= z) & (pos < 2 * z), group_at).astype(np.int64) << 1
    first_group = np.flatnonzero(new_key[group_at])  # each key's first (key, doc)
    key_groups = np.diff(np.append(first_group, len(group_at)))
    keys = keys[np.flatnonzero(new_key)]
    del new_key, new_doc
    _, _, doc_len, doc_data = _encode(keys, key_groups, (doc_delta << 2) | zones, first_group)
    del doc_delta, zones
    # positions: per (key, doc) one value per position, the lowest bit saying whether another follows; the
    # first is zigzag(position − 2·Z), so that the visible text's usual positions take one or two bytes
    first = pos[group_at] - (2 * z if z is not None else 0)
    del pos
    pos_delta[group_at] = (first << 1) ^ (first >> 63)
    more = np.ones(n, dtype=np.int64)
    more[group_at[1:] - 1] = 0
    more[-1] = 0
    pos_delta <<= 1
    pos_delta |= more
    del more
    _, _, pos_len, pos_data = _encode(keys, key_groups, pos_delta, group_at[first_group])
    return keys, key_groups.astype(np.int64), doc_len, doc_data, pos_len, pos_data


def _unigrams(text: _Text, at: np.ndarray, lo: int):
    """The characters at `at` (ascending; ranks lo…): per key the items holding it."""
    if not len(at):
        return _empty()
    doc_bits = _bits(len(text.starts))
    packed = text.ranks[at].astype(np.uint64) - np.uint64(lo)
    packed <<= np.uint64(doc_bits)
    packed |= _items(text, at).astype(np.uint64)
    del at
    packed.sort()
    keep = np.ones(len(packed), dtype=bool)
    keep[1:] = packed[1:] != packed[:-1]
    packed = packed[keep]
    del keep
    docs = (packed & np.uint64((1 << doc_bits) - 1)).astype(np.int64)
    keys = (packed >> np.uint64(doc_bits)) + np.uint64(lo)
    del packed
    keys, *payloads = _unigram_payloads(keys, docs)
    return (text.chars[keys] << np.uint64(SHIFT), *payloads)


def _unigram_payloads(keys, docs):
    """Entries sorted by key and item, each once → each key, its item count, its item list's length and
    bytes, and no positions."""
    new_key = np.ones(len(keys), dtype=bool)
    new_key[1:] = keys[1:] != keys[:-1]
    values = docs.copy()
    values[1:] -= np.where(new_key[1:], 0, docs[:-1])
    key_at = np.flatnonzero(new_key)
    keys, ndocs, lens, data = _encode(keys[key_at], np.diff(np.append(key_at, len(keys))), values, key_at)
    return keys, ndocs, lens, data, np.zeros(len(keys), np.int64), np.empty(0, np.uint8)


def _code_points(text: _Text, keys: np.ndarray, bits: int) -> np.ndarray:
    """Rank pairs (r1 << bits | r2) as the index's keys (cp1 << SHIFT | cp2)."""
    first = text.chars[keys >> np.uint64(bits)]
    second = text.chars[keys & np.uint64((1 << bits) - 1)]
    return (first << np.uint64(SHIFT)) | second


def _assemble(found: list) -> Postings:
    """One Postings from the parts' (keys, ndocs, item list lengths and bytes, positions' lengths and
    bytes), in key order."""
    keys = np.concatenate([f[0] for f in found])
    order = np.argsort(keys)                         # keys are distinct: any sort will do
    ndocs = np.concatenate([f[1] for f in found])[order]
    lens = np.concatenate([f[2] for f in found])
    pos_lens = np.concatenate([f[4] for f in found])
    data, pos_data = _joined(found, 3), _joined(found, 5)
    return Postings(keys[order], ndocs, (np.cumsum(lens) - lens)[order], lens[order], data,
                    (np.cumsum(pos_lens) - pos_lens)[order], pos_lens[order], pos_data)


def _joined(found: list, k: int) -> np.ndarray:
    """The parts' k-th byte arrays end to end, each freed once copied: never two copies of all of them."""
    out = np.empty(sum(len(f[k]) for f in found), dtype=np.uint8)
    at = 0
    for n, f in enumerate(found):
        out[at:at + len(f[k])] = f[k]
        at += len(f[k])
        found[n] = f[:k] + (None,) + f[k + 1:]
    return out
def _encode(keys, ndocs, values, key_value_at):
    """Varint-encode `values`; each key's payload runs from its first value to the next key's."""
    data, offsets = varints(values)
    key_start = offsets[key_value_at]
    key_len = np.diff(np.append(key_start, len(data)))
    return keys, ndocs.astype(np.int64), key_len.astype(np.int64), data


def varints(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unsigned LEB128 of every value, concatenated, and where each one starts. Most values take one
    byte: the later bytes are written only for the values that have them."""
    values = np.asarray(values, dtype=np.int64)
    if not len(values):
        return np.empty(0, dtype=np.uint8), np.empty(0, dtype=np.int64)
    nbytes = np.ones(len(values), dtype=np.uint8)
    top, bits = int(values.max()), 7
    while top >> bits:
        nbytes += values >= (1 << bits)
        bits += 7
    ends = np.cumsum(nbytes, dtype=np.int64)
    offsets = ends - nbytes
    data = np.empty(int(ends[-1]), dtype=np.uint8)
    more = nbytes > 1
    data[offsets] = (values.astype(np.uint8) & 0x7F) | (more.view(np.uint8) << 7)
    at, k = np.flatnonzero(more), 1
    while len(at):
        more = nbytes[at] > k + 1
        data[offsets[at] + k] = ((values[at] >> (7 * k)).astype(np.uint8) & 0x7F) | (more.view(np.uint8) << 7)
        at, k = at[more], k + 1
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
