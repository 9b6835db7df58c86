"""Postings after a few items' texts changed, from the postings before: only the keys those items had or
have are touched, and in each only the changed items' entries are cut out and put in, so an edit costs in
proportion to the keys it touches, not to the corpus (at 100,000 items computing every posting again was
most of a one-edit rebuild's index stage).

    patch_tails(old, changed, before, after, z) -> (Postings, data, pos_data, touched)
        the postings of the new texts, their touched keys' new payloads apart (the memo appends them to its
        files, search/payloads.py), or None when the edits touch too many keys
    joined(post, data, pos_data) -> Postings     the same with those payloads put after the old ones in memory

`changed`: the ids of the items whose text changed (the number of items is the same); `before`,
`after`: their texts (title zone, lead zone and body joined as archive/search/writer.py joins them) with
their zone lengths, as `(texts, title lengths, lead zone lengths)`. The new entries come from postings()
of the changed items alone: an item's positions do not depend on its id, so its group of positions is
copied as it is; a touched key's item list is decoded and encoded again (its deltas change around the
changed items). Untouched keys keep their bytes where they are: the touched keys' new payloads are put
after them (the memo compacts its files once what is no longer used outweighs what is).
"""
from __future__ import annotations

import numpy as np

from .postings import SHIFT, Postings, postings, varints


MAX_TOUCHED = 5000            # keys handled one by one (~2 ms each at 100,000 items): past this, computing
                              # every posting afresh (~15 s there) is as fast


def patch_tails(old: Postings, changed: np.ndarray, before: tuple, after: tuple, z: int) -> tuple | None:
    """Without copying the old payloads: (the patched postings but for their payloads, which are still
    old.data and old.pos_data; the arrays to put after each, in order: the touched keys' new payloads; the
    touched keys)."""
    changed = np.asarray(changed, dtype=np.int64)
    fresh = postings(after[0], zones=(after[1], after[2], z))
    touched = touched_keys(before, after, z, fresh)
    if len(touched) > MAX_TOUCHED:
        return None
    in_old, in_fresh = _find(old.keys, touched), _find(fresh.keys, touched)
    made = []
    for n, key in enumerate(touched.tolist()):
        made.append(_key(old, in_old[n], fresh, in_fresh[n], changed, key & ((1 << SHIFT) - 1) != 0))
    keep = np.ones(len(old.keys), dtype=bool)
    keep[in_old[in_old >= 0]] = False
    alive = np.array([m[0] > 0 for m in made], dtype=bool)
    return (*_merge(old, keep, touched[alive], [m for m in made if m[0] > 0]), touched)


def touched_keys(before: tuple, after: tuple, z: int, fresh: Postings | None = None) -> np.ndarray:
    """The keys whose postings an edit from `before` to `after` can change (ascending): every key the changed
    items had or have; no other key's bytes differ (`fresh`: postings() of `after`, if made already)."""
    fresh = postings(after[0], zones=(after[1], after[2], z)) if fresh is None else fresh
    return np.union1d(postings(before[0], zones=(before[1], before[2], z)).keys, fresh.keys)


def _find(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Index of each wanted key in `keys` (ascending), −1 where it is not there."""
    at = np.searchsorted(keys, wanted)
    found = at < len(keys)
    found[found] = keys[at[found]] == wanted[found]
    return np.where(found, at, -1)


def _key(old: Postings, o: int, fresh: Postings, f: int, changed: np.ndarray, bigram: bool):
    """One touched key's (item count, item list, positions): the old entries but the changed items',
    with the changed items' new entries (fresh's, numbered locally) put in their places."""
    docs, zones, groups, pos = _decoded(old, o, bigram)
    fdocs, fzones, fgroups, fpos = _decoded(fresh, f, bigram)
    fdocs = changed[fdocs]
    gone = np.flatnonzero(np.isin(docs, changed))
    kept = np.delete(np.arange(len(docs)), gone)
    at = np.searchsorted(docs[kept], fdocs)              # where each new entry goes among the kept ones
    all_docs = np.insert(docs[kept], at, fdocs)
    delta = np.diff(all_docs, prepend=0)
    values = (delta << 2) | np.insert(zones[kept], at, fzones) if bigram else delta
    if not bigram:
        return len(all_docs), varints(values)[0], np.empty(0, np.uint8)
    # positions: cut out the groups of the items gone, put the new ones in before the kept group they precede
    starts = np.append(groups, len(pos))
    cuts = [(int(starts[r]), int(starts[r + 1]), None) for r in gone]
    for n, a in enumerate(at.tolist()):
        b = int(starts[kept[a]]) if a < len(kept) else len(pos)
        cuts.append((b, b, fpos[fgroups[n]:(fgroups[n + 1] if n + 1 < len(fgroups) else len(fpos))]))
    cuts.sort(key=lambda c: c[0])                        # stable: new entries at one place stay in order
    pieces, done = [], 0
    for a, b, put in cuts:
        pieces.append(pos[done:a])
        if put is not None:
            pieces.append(put)
        done = b
    pieces.append(pos[done:])
    return len(all_docs), varints(values)[0], np.concatenate(pieces)


def _decoded(post: Postings, i: int, bigram: bool):
    """Key i's items, their zone bits, where each item's group of positions starts, and the positions'
    bytes (all empty for i = −1)."""
    if i < 0:
        e = np.empty(0, np.int64)
        return e, e, e, np.empty(0, np.uint8)
    v = unvarints(post.data[post.starts[i]:post.starts[i] + post.lengths[i]])
    docs = np.cumsum(v >> 2 if bigram else v)
    if not bigram:
        return docs, np.zeros(len(v), np.int64), np.empty(0, np.int64), np.empty(0, np.uint8)
    pos = post.pos_data[post.pos_starts[i]:post.pos_starts[i] + post.pos_lengths[i]]
    # a group ends with the value whose lowest bit (in its first byte) is 0; the next starts after it
    last = pos < 0x80
    first = np.flatnonzero(np.concatenate(([True], last[:-1])))
    ends = np.flatnonzero(last)[(pos[first] & 1) == 0] + 1
    return docs, v & 3, np.concatenate(([0], ends[:-1])), pos


def _merge(old: Postings, keep: np.ndarray, keys: np.ndarray, made: list) -> tuple:
    """The untouched keys' payloads where they were, the touched keys' new ones after them (returned apart, as
    lists of arrays: their files are written piece by piece, never copied into one array), in key order."""
    ndocs = np.array([m[0] for m in made], dtype=np.int64)
    lengths = np.array([len(m[1]) for m in made], dtype=np.int64)
    pos_lengths = np.array([len(m[2]) for m in made], dtype=np.int64)
    data, pos_data = [m[1] for m in made], [m[2] for m in made]
    # the touched keys put in among the kept ones (both ascending): an argsort of every key cost more
    at = np.searchsorted(old.keys[keep], keys)

    def merged(column: np.ndarray, new: np.ndarray) -> np.ndarray:
        return np.insert(column[keep], at, new)
    post = Postings(merged(old.keys, keys), merged(old.ndocs, ndocs),
                    merged(old.starts, len(old.data) + np.cumsum(lengths) - lengths),
                    merged(old.lengths, lengths), old.data,
                    merged(old.pos_starts, len(old.pos_data) + np.cumsum(pos_lengths) - pos_lengths),
                    merged(old.pos_lengths, pos_lengths), old.pos_data)
    return post, data, pos_data


def joined(post: Postings, data: list, pos_data: list) -> Postings:
    """`post` (from patch_tails) with the touched keys' new payloads after its old ones, in memory."""
    post.data, post.pos_data = np.concatenate([post.data, *data]), np.concatenate([post.pos_data, *pos_data])
    return post


def unvarints(data: np.ndarray) -> np.ndarray:
    """The values of concatenated unsigned LEB128 varints (postings.varints undone)."""
    if not len(data):
        return np.empty(0, np.int64)
    last = data < 0x80
    firsts = np.flatnonzero(np.concatenate(([True], last[:-1])))
    value = np.cumsum(last) - last
    shift = (np.arange(len(data)) - firsts[value]) * 7
    return np.add.reduceat((data & 0x7F).astype(np.int64) << shift, firsts)
