"""Similar items in other lists: for each item, up to LIMIT items of other lists that share a topic with it
and the most character bigrams of title and body, above THRESHOLD.

Computed once, before the render workers fork (they inherit the result): in a forked child beside the plan
(pages/plan.py) when the build has two cores.
The bigrams left out are those that say nothing about likeness: those in more than COMMON of all items
(全市, 推进, 服务 …) and, within one topic, those in more than CAP of its items (养老 within 养老). The cap
also bounds the work: a bigram makes at most CAP·(CAP-1)/2 candidate pairs, so the stage grows with the
number of items, not with its square.

Likeness is the cosine of the two sets of kept bigrams, shared / sqrt(|A|·|B|): a long body does not
resemble everything just by being long. Kept are the bigrams an item shares with at least one other item
of the topic: the rest cannot be shared, and counting them makes any two bodies of unequal length unlike.
THRESHOLD was measured on the real content (docs/similar.md).

The work is done on arrays (numpy), not per item: a bigram is an integer code, each topic's candidate
pairs are made from its postings and counted by sorting, a block of pairs at a time so that memory stays
flat. Scores are computed with the same float operations as the plain formula, and ties are broken by
position, so the result is exactly the one of comparing pairs one by one (tests/test_similar.py).
"""
from __future__ import annotations

import unicodedata
from collections import defaultdict
from typing import Iterable, NamedTuple, Sequence

import numpy as np

LIMIT = 5
THRESHOLD = 0.35     # measured on the real content: docs/similar.md
CAP = 100            # items a bigram may be in, within one topic, and still count
COMMON = 0.05        # a bigram in more than this share of all items is left out everywhere
MIN_COMMON = 5       # … but never for fewer items than this: in a tiny archive every bigram is "common"

_FIRST, _LAST = 0x3400, 0x9FFF     # the Han characters whose runs are cut into bigrams
_SPAN = _LAST - _FIRST + 1         # a bigram's code is first·_SPAN + second, below 2³⁰
_BATCH = 1024                      # texts coded at a time
_PAIRS = 1 << 19                   # candidate pairs counted at a time: bounds the stage's memory


class Match(NamedTuple):      # a tuple: about 450,000 are made at 100,000 items
    index: int       # position of the similar item in the sequence given to `similar_items`
    score: float


def bigrams(text: str) -> set[str]:
    """Character bigrams of the Han runs of `text`: digits, Latin and punctuation carry years, amounts
    and numbering that every list shares, not what an item is about."""
    _, _, codes, _ = _code_batch([text])
    return {chr(_FIRST + c // _SPAN) + chr(_FIRST + c % _SPAN) for c in codes.tolist()}


def similar_items(texts: Iterable[str], groups: Sequence[str], topics: Sequence[Sequence[str]],
                  threshold: float = THRESHOLD, limit: int = LIMIT, cap: int = CAP, memo=None) -> list[tuple[Match, ...]]:
    """For item k (its text, its group = list id, its topic slugs), the matches in other groups sharing
    a topic with it, best first (equal scores: the earlier item first). Returned per item, in input order.

    `texts` is read once, a batch at a time, so that it may make the texts as it goes. `memo` (a
    `similar_memo.SimilarMemo`): what the last computation left, updated where an edit can change the
    result; `texts` must then be readable twice (it is, when the memo cannot be used)."""
    return best_table(texts, groups, topics, threshold, limit, cap, memo).matches()


def best_table(texts: Iterable[str], groups: Sequence[str], topics: Sequence[Sequence[str]],
               threshold: float = THRESHOLD, limit: int = LIMIT, cap: int = CAP, memo=None) -> "_Best":
    """`similar_items` as its table: row k holds item k's matches, -1 where there are fewer than `limit`."""
    if memo is not None:
        found = memo.update(texts, groups, topics, threshold, limit, cap)
        if found is not None:
            return found
    sink = memo.sink(groups, topics, threshold, limit, cap) if memo is not None else None
    ids, starts = _useful_bigrams(texts, len(groups), sink)
    group = group_numbers(groups)
    best = _Best(len(groups), limit)
    slugs, members = topic_members(topics)
    if sink is not None:
        sink.topics(slugs, members)
    for items in members:
        for later, earlier, score in _match_within(items, ids, starts, group, threshold, cap):
            best.add(later, earlier, score)
    if sink is not None:
        sink.done(best)
    return best


def group_numbers(groups: Sequence[str]) -> np.ndarray:
    number: dict[str, int] = {}
    return np.array([number.setdefault(g, len(number)) for g in groups], dtype=np.int64)


def _useful_bigrams(texts: Iterable[str], count: int, sink=None) -> tuple[np.ndarray, np.ndarray]:
    """Each item's bigrams that are not common, as ids 0… in one array: item k's are ids[starts[k]:starts[k+1]].
    `sink` (a memo's) is shown each text, the corpus's bigrams and each item's places among them."""
    batches, batch = [], []
    for text in texts:
        if sink is not None:
            sink.text(text)
        batch.append(text)
        if len(batch) == _BATCH:
            batches.append(_code_batch(batch))
            batch = []
    if batch or not batches:
        batches.append(_code_batch(batch))
    vocab, df, _ = _tally(np.concatenate([v for _, _, v, _ in batches]), np.concatenate([d for *_, d in batches]))
    keep = df <= common_cut(count)
    if sink is not None:
        sink.vocab(vocab, df)
    dense = (np.cumsum(keep) - 1).astype(np.int32)
    ids, sizes = np.empty(int(df[keep].sum()), np.int32), []
    done = 0
    while batches:
        place, per_text, batch_vocab, _ = batches.pop(0)
        at = np.searchsorted(vocab, batch_vocab)[place]
        if sink is not None:
            sink.places(at, per_text)
        kept = keep[at]
        found = dense[at[kept]]
        ids[done:done + len(found)] = found
        done += len(found)
        sizes.append(np.bincount(np.repeat(np.arange(len(per_text)), per_text)[kept], minlength=len(per_text)))
    return ids, np.concatenate(([0], np.cumsum(np.concatenate(sizes))))


def common_cut(count: int) -> float:
    """A bigram in more items than this is common: left out everywhere."""
    return max(MIN_COMMON, COMMON * count)


def _code_batch(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The batch's distinct bigram codes (ascending) with how many texts have each, and each text's
    distinct bigrams as places in those codes, all texts in one array, with how many each text has."""
    texts = [unicodedata.normalize("NFKC", t) for t in texts]
    joined = "\n".join(texts)                    # "\n" ends a Han run: no bigram spans two texts
    chars = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
    han = (chars >= _FIRST) & (chars <= _LAST)
    at = np.flatnonzero(han[:-1] & han[1:])
    text = np.repeat(np.arange(len(texts), dtype=np.int64), np.fromiter(map(len, texts), np.int64, len(texts)) + 1)
    keys = (text[at] << 30) | ((chars[at] - _FIRST) * _SPAN + chars[at + 1] - _FIRST)
    del chars, han, at, text
    keys, _ = _distinct(np.sort(keys))
    vocab, df, place = _tally((keys & ((1 << 30) - 1)).astype(np.int32), np.ones(len(keys), np.int64))
    return place, np.bincount(keys >> 30, minlength=len(texts)), vocab, df


def _tally(codes: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct codes, ascending, each with the sum of its counts; and each code's place among them."""
    order = np.argsort(codes)
    vocab, first = _distinct(codes[order])
    place = np.empty(len(codes), np.int32)
    place[order] = np.repeat(np.arange(len(first), dtype=np.int32), np.diff(np.append(first, len(codes))))
    return vocab, np.add.reduceat(counts[order], first) if len(first) else counts[:0], place


def topic_members(topics: Sequence[Sequence[str]]) -> tuple[list[str], list[np.ndarray]]:
    """The topics' slugs, sorted, and each one's items, ascending."""
    members: dict[str, list[int]] = defaultdict(list)
    for k, slugs in enumerate(topics):
        for slug in dict.fromkeys(slugs):
            members[slug].append(k)
    slugs = sorted(members)
    return slugs, [np.array(members[slug], dtype=np.int64) for slug in slugs]


def _match_within(members: np.ndarray, ids: np.ndarray, starts: np.ndarray, group: np.ndarray,
                  threshold: float, cap: int) -> Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """One topic: the pairs of its items in different groups whose cosine reaches the threshold, as
    (later item, earlier item, score) arrays, a block of later items at a time."""
    m = len(members)
    row, size, posted, opens, before, _ = _postings(members, ids, starts, cap)
    opening = np.concatenate(([0], np.cumsum(size)))     # each row's first bigram
    made = np.concatenate(([0], np.cumsum(np.bincount(row, weights=before, minlength=m)).astype(np.int64)))
    bits = max(1, (m - 1).bit_length())
    need = threshold * threshold * size                  # shared ≥ threshold²·|A| follows from the cosine
    low = 0
    while low < m:
        high = max(low + 1, int(np.searchsorted(made, made[low] + _PAIRS, side="right")) - 1)
        first, last = opening[low], opening[high]
        count = before[first:last]
        # One integer per pair: its later item's row in the block, then its earlier item's row.
        width = np.int32 if (high - low) << bits < 1 << 31 else np.int64
        pairs = np.repeat((row[first:last] - low).astype(width) << bits, count)
        pairs |= posted[_ragged(opens[first:last], count)]
        pairs = _group_pairs(pairs, bits)
        total = len(pairs)
        pairs, at = _distinct(pairs)                     # (grouped is enough: each run is one pair)
        shared = np.diff(np.append(at, total))           # bigrams each pair shares
        # The necessary count first (it was tested first before, too: float rounding at the threshold
        # cannot decide differently), then the cosine for the few pairs that pass it.
        ok = shared >= need[low:high].min()                # cheap first: the block's lowest need
        pairs, shared = pairs[ok], shared[ok]
        later = (pairs >> bits) + low
        ok = shared >= need[later]
        pairs, later, shared = pairs[ok], later[ok], shared[ok]
        earlier = pairs & ((1 << bits) - 1)
        score = shared / np.sqrt((size[later] * size[earlier]).astype(np.float64))
        ok = (score >= threshold) & (group[members[later]] != group[members[earlier]])
        yield members[later[ok]], members[earlier[ok]], score[ok]
        low = high


def _group_pairs(pairs: np.ndarray, bits: int) -> np.ndarray:
    """`pairs` (row << bits | earlier row), already ordered by row, with equal pairs next to each other, which
    is all that counting them needs. When the earlier rows fit 16 bits, one stable radix pass by earlier row
    (numpy's stable sort of 16-bit keys): as the pairs come ordered by row, that orders them by (earlier row,
    row). A comparison sort took a third of the stage's time (30 ns an entry on this machine: numpy has no
    vectorised sort here), and sorting by row again after that pass (a full sort) another ~1 s at 100,000 items."""
    if bits > 16:
        pairs.sort()
        return pairs
    return pairs[np.argsort((pairs & ((1 << bits) - 1)).astype(np.uint16), kind="stable")]


def _postings(members: np.ndarray, ids: np.ndarray, starts: np.ndarray, cap: int) -> tuple[np.ndarray, ...]:
    """A topic's kept bigrams, rows = positions in `members`: for each (row, bigram), ordered by row, the
    row; each row's count (|A|); the postings (the rows having each bigram, ascending, one after the
    other); where the bigram's posting opens; how many rows before this one it holds; and how many it
    holds in all. An item's
    partners through one of its bigrams are the rows before it in that posting, so that each pair is
    made once, by its later item."""
    lengths = starts[members + 1] - starts[members]
    bigram = ids[_ragged(starts[members].astype(np.int32 if len(ids) < 1 << 31 else np.int64), lengths)]
    row = np.repeat(np.arange(len(members), dtype=np.int32), lengths)
    df = np.bincount(bigram)
    # A bigram no other item of the topic has is left out too: counted, it would make every long body
    # unlike everything (measured: docs/similar.md).
    kept = ((df > 1) & (df <= cap))[bigram]
    bigram, row = bigram[kept], row[kept]
    del kept
    order = np.argsort(bigram.astype(np.int64) * len(members) + row)
    df = np.bincount(bigram)
    opens = (np.cumsum(df) - df).astype(np.int32)[bigram]
    before = np.empty(len(order), np.int32)
    before[order] = np.arange(len(order), dtype=np.int32)
    before -= opens
    return row, np.bincount(row, minlength=len(members)), row[order], opens, before, df[bigram]


def _ragged(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """starts[i], starts[i] + 1, … starts[i] + lengths[i] - 1 for each i, in one array."""
    ends = np.cumsum(lengths, dtype=np.int64)
    index = np.arange(ends[-1] if len(ends) else 0, dtype=starts.dtype)
    index += np.repeat(starts - (ends - lengths).astype(starts.dtype), lengths)
    return index


def _distinct(ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a sorted array, and where each first occurs."""
    first = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))[:len(ordered)]
    return ordered[first], first


class _Best:
    """Each item's best `limit` matches so far, best first, in a table of `limit` columns. A pair seen in
    two topics keeps its higher score. An entry pushed out has `limit` better ones that only get better,
    so it is never among the best `limit` in the end."""

    def __init__(self, count: int, limit: int):
        self.count, self.limit = count, limit
        self.other = np.full((count, limit), -1, dtype=np.int64)
        self.score = np.zeros((count, limit))

    def clear(self, items: np.ndarray) -> None:
        """Forget these items' matches: they take every pair they are in again."""
        self.other[items] = -1
        self.score[items] = 0

    def add(self, later: np.ndarray, earlier: np.ndarray, score: np.ndarray) -> None:
        """Pairs scored in one topic, each pair once: recorded for both items."""
        if not len(score) or not self.limit:
            return
        item, other, score = np.concatenate((later, earlier)), np.concatenate((earlier, later)), np.concatenate((score, score))
        # Worse than an item's last of `limit` already held: can never be among its best.
        bar, last = self.score[item, -1], self.other[item, -1]
        better = (score > bar) | ((score == bar) & (other < last))
        item, other, score = item[better], other[better], score[better]
        if not len(item):
            return
        touched, _ = _distinct(np.sort(item))
        held = self.other[touched] >= 0
        item = np.concatenate((item, np.repeat(touched, self.limit).reshape(-1, self.limit)[held]))
        other = np.concatenate((other, self.other[touched][held]))
        score = np.concatenate((score, self.score[touched][held]))
        order = _best_first(item, score, other, self.count)
        item, other, score = item[order], other[order], score[order]
        # The same pair twice (from two topics): the first, in best-first order, has the higher score.
        again = np.argsort(item * self.count + other, kind="stable")
        same = np.zeros(len(item), bool)
        same[again[1:]] = (item[again[1:]] == item[again[:-1]]) & (other[again[1:]] == other[again[:-1]])
        item, other, score = item[~same], other[~same], score[~same]
        _, at = _distinct(item)
        place = np.arange(len(item)) - np.repeat(at, np.diff(np.append(at, len(item))))
        top = place < self.limit
        self.other[touched] = -1
        self.other[item[top], place[top]] = other[top]
        self.score[item[top], place[top]] = score[top]

    def matches(self) -> list[tuple[Match, ...]]:
        held = self.other >= 0
        # Few distinct scores (small counts over square roots of small counts): each is rounded once.
        values, _ = _distinct(np.sort(self.score[held]))
        rounded = [round(v, 4) for v in values.tolist()]
        found = list(map(Match, self.other[held].tolist(), map(rounded.__getitem__, np.searchsorted(values, self.score[held]).tolist())))
        ends = np.cumsum(held.sum(axis=1)).tolist()
        return [tuple(found[a:b]) for a, b in zip([0] + ends, ends)]


def _best_first(item: np.ndarray, score: np.ndarray, other: np.ndarray, count: int) -> np.ndarray:
    """The order by item, then score descending, then other item: equal scores in input order, so that
    the same content always gives the same pages. One integer sort when the three fit in 63 bits."""
    by_score = np.argsort(score)
    ordered = score[by_score]
    rank = np.empty(len(score), np.int64)                 # among the distinct scores, ascending
    rank[by_score] = np.cumsum(np.concatenate(([0], ordered[1:] != ordered[:-1])))
    distinct = int(rank.max()) + 1
    if count * count * distinct >= 1 << 62:
        return np.lexsort((other, -score, item))
    return np.argsort((item * distinct + (distinct - 1 - rank)) * count + other)
