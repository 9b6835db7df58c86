"""The index's binary key files (layout and formats: search/writer.py): the hash shards `s/<k>.bin` and the
larger keys' own files `k/…`, `p/…`, written from the postings; with the memo's record of the last ones
(IndexMemo.outputs), only those an edit reached are encoded again.

    write_shards(put, post, n_shards, inline, known, keep) -> (digests, sizes)
    write_split_keys(put, post, split, known, keep) -> {"split": keys, "kd": …, "pd": …}
    split_key_list(keys) -> str                      the manifest's "sk"
"""
from __future__ import annotations

import numpy as np

from ..writer import digest
from .postings import SHIFT, gather, varints

FNV_OFFSET = 0x811C9DC5
FNV_PRIME = 0x01000193
GROUP_BYTES = 8 << 20          # shards' bodies gathered at a time (write_shards)


def put_file(put, path: str, data: bytes, keep) -> str:
    """`put` a file; its digest (hex) where files are kept by digest (`keep`), else zeros: none is remembered."""
    found = put(path, data)
    return found or (digest(data) if keep is not None else "0" * 32)


def write_shards(put, post, n_shards: int, inline: np.ndarray, known=None, keep=None) -> tuple[np.ndarray, np.ndarray]:
    """Shard k holds the keys whose FNV-1a hash is k modulo the shard count, in key order: a header of
    (count, then cp1, cp2, ndocs, ilen, plen per key), then the item lists and positions of its keys that
    are `inline`. `known` (IndexMemo.outputs): the last shards' digests and sizes, and the keys touched
    since; a shard with none of those keys is kept where the folder holds it (`keep`), not encoded. Returns
    each shard's digest (16 bytes a row) and size."""
    shard = _shard_of(post.keys, n_shards)
    digests = np.zeros((n_shards, 16), dtype=np.uint8)
    all_sizes = np.zeros(n_shards, dtype=np.int64)
    kept = _kept_shards(n_shards, known, keep)
    if kept.any():
        digests[kept], all_sizes[kept] = known["shards"][kept], known["sizes"][kept]
    chosen = np.flatnonzero(~kept[shard])             # the keys of the shards to write
    by_shard = np.lexsort((post.keys[chosen], shard[chosen]))   # by shard, then key
    order, shard = chosen[by_shard], shard[chosen][by_shard]
    keys = post.keys[order]
    cp1, cp2 = (keys >> np.uint64(SHIFT)).astype(np.int64), (keys & np.uint64((1 << SHIFT) - 1)).astype(np.int64)
    del keys
    ndocs, ilen, plen, inline = post.ndocs[order], post.lengths[order], post.pos_lengths[order], inline[order]
    # bodies: each inline key's item list, then its positions
    item_starts, pos_starts = post.starts[order], post.pos_starts[order]
    body_ilen, body_plen = np.where(inline, ilen, 0), np.where(inline, plen, 0)
    key_bytes = body_ilen + body_plen
    counts = np.bincount(shard, minlength=n_shards)
    # header values: each shard's count, then five per key; a shard's count goes before its first key
    values = np.empty(n_shards + 5 * len(order), dtype=np.int64)
    key_slot = np.arange(len(order)) * 5 + shard + 1
    for k, column in enumerate((cp1, cp2, ndocs, ilen, plen)):
        values[key_slot + k] = column
    first_key = np.cumsum(counts) - counts
    count_slot = first_key * 5 + np.arange(n_shards)
    values[count_slot] = counts
    head, head_at = varints(values)
    head_ends = np.append(head_at[count_slot[1:]], len(head))
    cum = np.concatenate(([0], np.cumsum(key_bytes)))
    shard_ends = cum[first_key + counts]
    k = 0
    while k < n_shards:
        # Shards k … e − 1, about GROUP_BYTES of bodies: gathering every shard's at once held a second copy
        # of all the postings (the stage's peak at 100,000 items).
        e = max(k + 1, int(np.searchsorted(shard_ends, cum[first_key[k]] + GROUP_BYTES, side="right")))
        a, b = first_key[k], first_key[e - 1] + counts[e - 1]
        body = _bodies(post, item_starts[a:b], body_ilen[a:b], pos_starts[a:b], body_plen[a:b])
        for j in range(k, e):
            if kept[j]:
                continue
            data = (head[head_at[count_slot[j]]:head_ends[j]].tobytes()
                    + body[cum[first_key[j]] - cum[a]:cum[first_key[j] + counts[j]] - cum[a]].tobytes())
            digests[j] = np.frombuffer(bytes.fromhex(put_file(put, f"s/{j}.bin", data, keep)), dtype=np.uint8)
            all_sizes[j] = len(data)
        k = e
    return digests, all_sizes


def _shard_of(keys: np.ndarray, n_shards: int) -> np.ndarray:
    return (_fnv_pairs(keys >> np.uint64(SHIFT), keys & np.uint64((1 << SHIFT) - 1)) % n_shards).astype(np.int64)


def _kept_shards(n_shards: int, known, keep) -> np.ndarray:
    """Which shards the folder holds as they were last written and none of the touched keys is in: kept."""
    kept = np.zeros(n_shards, dtype=bool)
    if known is None or len(known["shards"]) != n_shards:
        return kept
    dirty = np.zeros(n_shards, dtype=bool)
    dirty[_shard_of(known["touched"].astype(np.uint64), n_shards)] = True
    hexes = known["shards"].tobytes().hex()
    for k in np.flatnonzero(~dirty).tolist():
        kept[k] = keep(f"s/{k}.bin", hexes[32 * k:32 * k + 32])
    return kept




def _bodies(post, item_starts, item_lengths, pos_starts, pos_lengths) -> np.ndarray:
    """Each key's item list (`item_lengths` bytes from `item_starts` in post.data), then its positions
    (from post.pos_data), key after key."""
    items = gather(post.data, item_starts, item_lengths)
    positions = gather(post.pos_data, pos_starts, pos_lengths)
    starts = np.empty(2 * len(item_starts), dtype=np.int64)
    starts[0::2] = np.cumsum(item_lengths) - item_lengths
    starts[1::2] = np.cumsum(pos_lengths) - pos_lengths + len(items)
    lengths = np.empty(2 * len(item_starts), dtype=np.int64)
    lengths[0::2] = item_lengths
    lengths[1::2] = pos_lengths
    return gather(np.concatenate((items, positions)), starts, lengths)


def write_split_keys(put, post, split: np.ndarray, known=None, keep=None) -> dict:
    """A larger key's item list (k/) and, for a bigram, its item list again with its positions (p/), in
    files named by its code points: a longer term needs both, and one request for them costs less than
    two; a two-character term still fetches the item list alone. A key `known` (IndexMemo.outputs) had
    then and not touched since keeps its files where the folder holds them. Returns the keys and their
    files' digests (16 bytes a row; zeros: no p/ file)."""
    keys = post.keys[split]
    old = _old_split_digests(keys, known)
    digests = [[None, None] for _ in range(len(keys))]
    for m, (n, key) in enumerate(zip(np.flatnonzero(split).tolist(), keys.tolist())):
        name = f"{key >> SHIFT}-{key & ((1 << SHIFT) - 1)}.bin"
        had = old[m] if old is not None else None
        items = None
        if had is None or not keep("k/" + name, had[0]):
            items = post.payload(n)
            digests[m][0] = put_file(put, "k/" + name, items, keep)
        else:
            digests[m][0] = had[0]
        if not post.pos_lengths[n]:
            continue
        if had is None or not keep("p/" + name, had[1]):
            items = post.payload(n) if items is None else items
            data = _varint(len(items)) + items + post.positions(n)
            digests[m][1] = put_file(put, "p/" + name, data, keep)
        else:
            digests[m][1] = had[1]
    zero = "0" * 32
    raw = bytes.fromhex("".join(d[0] + (d[1] or zero) for d in digests))
    table = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 32)
    return {"split": keys, "kd": table[:, :16], "pd": table[:, 16:]}


def _old_split_digests(keys: np.ndarray, known) -> list | None:
    """Per key, the hex digests of its k/ and p/ files as last written, if it had files then and no changed
    item touched it since; else None."""
    if known is None:
        return None
    at = np.minimum(np.searchsorted(known["split"], keys), max(len(known["split"]) - 1, 0))
    same = (known["split"][at] == keys) if len(known["split"]) else np.zeros(len(keys), dtype=bool)
    same &= ~np.isin(keys, known["touched"])
    kd, pd = known["kd"].tobytes().hex(), known["pd"].tobytes().hex()
    return [(kd[32 * a:32 * a + 32], pd[32 * a:32 * a + 32]) if ok else None
            for a, ok in zip(at.tolist(), same.tolist())]


def _varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def split_key_list(keys: np.ndarray) -> str:
    """Manifest "sk" (format above) of `keys` (cp1 << SHIFT | cp2). Characters are written by their rank in
    the list's own alphabet, whose small deltas make about 1.3 bytes a key gzipped (code points: 1.8)."""
    import base64
    keys = np.sort(keys.astype(np.int64))
    cp1, cp2 = keys >> SHIFT, keys & ((1 << SHIFT) - 1)
    alphabet = np.unique(np.concatenate((cp1, cp2)))
    r1, r2 = np.searchsorted(alphabet, cp1), np.searchsorted(alphabet, cp2)   # in key order still
    firsts, starts, counts = np.unique(r1, return_index=True, return_counts=True)
    r2_delta = np.diff(r2, prepend=0)
    r2_delta[starts] = r2[starts]            # each group's deltas start from 0
    groups = np.empty(2 * len(firsts) + len(keys), dtype=np.int64)
    head = starts + 2 * np.arange(len(firsts))   # where each group's (delta, count) goes
    groups[head] = np.diff(firsts, prepend=0)
    groups[head + 1] = counts
    body = np.ones(len(groups), dtype=bool)
    body[head] = body[head + 1] = False
    groups[body] = r2_delta
    data, _ = varints(np.concatenate(([len(alphabet)], np.diff(alphabet, prepend=0), groups)))
    return base64.b64encode(data.tobytes()).decode()


def _fnv_pairs(cp1: np.ndarray, cp2: np.ndarray) -> np.ndarray:
    """`key_hash` of every (cp1, cp2), at once."""
    h = np.full(len(cp1), FNV_OFFSET, dtype=np.uint64)
    for v in (cp1, cp2):
        v = v.astype(np.uint64)
        for _ in range(3):
            h ^= v & np.uint64(0xFF)
            h = (h * np.uint64(FNV_PRIME)) & np.uint64(0xFFFFFFFF)
            v = v >> np.uint64(8)
    return h
