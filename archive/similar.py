"""Similar items in other lists: for each item, up to LIMIT items of other lists that share a topic with it
and the most character bigrams of title and body, above THRESHOLD.

Computed once, in the build's parent process before the render workers fork (they inherit the result).
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

import hashlib
import unicodedata
from collections import Counter, defaultdict
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
                  threshold: float = THRESHOLD, limit: int = LIMIT, cap: int = CAP,
                  memo: "SimilarMemo | None" = None) -> list[tuple[Match, ...]]:
    """For item k (its text, its group = list id, its topic slugs), the matches in other groups sharing
    a topic with it, best first (equal scores: the earlier item first). Returned per item, in input order.

    `texts` is read once, a batch at a time, so that it may make the texts as it goes. `memo` holds what
    the last call computed (the build cache keeps it): only what this call's changes can alter is computed
    again, with the same result, and `memo` then holds this call's state."""
    memo = memo if memo is not None else SimilarMemo()
    corpus = memo.corpus(texts, len(groups))
    scored, again = {}, np.zeros(len(groups), bool)       # again: items whose best matches may have changed
    for slug, members in _members(topics):
        names = [groups[k] for k in members.tolist()]
        key = _topic_key(threshold, cap, names, [corpus.digests[k] for k in members.tolist()])
        found = memo.topics.get(slug)
        if found is None or found[0] != key or corpus.touched[members].any():
            scored[slug] = (key, *_score_topic(corpus, members, names, threshold, cap), members)
        else:
            scored[slug] = (*found[:4], members)
        if found is None or scored[slug][1] is not found[1] or not np.array_equal(found[4], members):
            again[members] = True           # scored again, or the same pairs now between other positions
    for slug, found in memo.topics.items():
        if slug not in scored or not np.array_equal(found[4], scored[slug][4]):
            again[found[4][found[4] < len(groups)]] = True      # its old members lose its pairs
    best = _Best(len(groups), limit, memo.best if memo.best is not None and memo.best[0].shape == (len(groups), limit)
                 else None, again)
    for _, later, earlier, score, members in scored.values():
        later, earlier = members[later], members[earlier]
        if best.fresh:
            best.add(later, earlier, score)
        else:       # pairs between two items whose matches stand are in the table already
            wanted = again[later] | again[earlier]
            best.add(later[wanted], earlier[wanted], score[wanted])
    memo.keep(corpus, scored, (best.other, best.score))     # only now: a call that fails leaves the memo as it was
    return best.matches()


class SimilarMemo:
    """What `similar_items` computed last time, for the next call to start from.

    The result depends on the whole corpus: a bigram in more than COMMON of all items is left out
    everywhere, so one edit can change which bigrams count for items it did not touch. Held are each
    item's distinct bigrams (with its text's digest), every bigram's document frequency and the cut it
    was compared with, and each topic's scored pairs, keyed by its members' groups and text digests in
    order. A topic is scored again when that key changed or when a member has a bigram now on the other
    side of the common cut: nothing else goes into its pairs."""

    def __init__(self, state: dict | None = None):
        state = state or {}
        self.digests: list[bytes] = state.get("digests", [])          # each item's text, the last call's order
        self.codes: np.ndarray = state.get("codes", np.zeros(0, np.int32))     # item k's: codes[starts[k]:starts[k+1]]
        self.starts: np.ndarray = state.get("starts", np.zeros(1, np.int64))
        self.vocab: np.ndarray = state.get("vocab", np.zeros(0, np.int32))     # every bigram, ascending
        self.df: np.ndarray = state.get("df", np.zeros(0, np.int64))           # … and how many items have it
        self.cut: float = state.get("cut", MIN_COMMON)
        # slug → (key, later rows, earlier rows, scores, members: the rows' positions)
        self.topics: dict[str, tuple] = state.get("topics", {})
        self.best: tuple | None = state.get("best")      # the last result: `_Best`'s table (other, score)

    def keep(self, corpus: "_Corpus", topics: dict[str, tuple], best: tuple) -> None:
        self.digests, self.codes, self.starts = corpus.digests, corpus.codes, corpus.starts
        self.vocab, self.df, self.cut, self.topics, self.best = corpus.vocab, corpus.df, corpus.cut, topics, best

    def state(self) -> dict:
        return {"digests": self.digests, "codes": self.codes, "starts": self.starts, "vocab": self.vocab,
                "df": self.df, "cut": self.cut, "topics": self.topics, "best": self.best}

    def corpus(self, texts: Iterable[str], count: int) -> "_Corpus":
        """This call's items' bigrams, coded only for texts the last call did not have; the common cut."""
        known = {d: k for k, d in enumerate(self.digests)}
        digests, source, batches, batch, fresh = [], [], [], [], {}
        for text in texts:
            d = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
            digests.append(d)
            if d in known:
                source.append(known[d])
                continue
            if d not in fresh:           # coded once however many items have the text
                fresh[d] = len(fresh)
                batch.append(text)
                if len(batch) == _BATCH:
                    batches.append(_codes_of(batch))
                    batch = []
            source.append(len(self.digests) + fresh[d])
        batches.append(_codes_of(batch))
        # The old items' bigrams and the fresh texts' in one array, then each item's taken from it.
        pool = np.concatenate([self.codes] + [c for c, _ in batches])
        sizes = np.concatenate([np.diff(self.starts)] + [s for _, s in batches])
        opens = np.concatenate(([0], np.cumsum(sizes)))
        source = np.array(source, dtype=np.int64)
        codes = pool[_ragged(opens[source], sizes[source])]
        starts = np.concatenate(([0], np.cumsum(sizes[source]))).astype(np.int64)
        vocab, df, old_df = self._frequencies(digests, codes, starts)
        cut = max(MIN_COMMON, COMMON * count)
        flipped = vocab[(old_df <= self.cut) != (df <= cut)]
        touched = np.zeros(len(digests), bool)
        if len(flipped) and len(codes):
            touched[np.searchsorted(starts, np.flatnonzero(np.isin(codes, flipped)), side="right") - 1] = True
        present = df > 0
        vocab, df = vocab[present], df[present]
        return _Corpus(digests, codes, starts, vocab, df, cut, df <= cut, touched)

    def _frequencies(self, digests: list[bytes], codes: np.ndarray, starts: np.ndarray):
        """(every bigram of now or before, ascending; how many items have it now; how many had it before):
        the last call's counts, changed by the texts whose number of items changed."""
        old, new = Counter(self.digests), Counter(digests)
        where_old = {d: k for k, d in enumerate(self.digests)}
        where_new = {d: k for k, d in enumerate(digests)}
        parts, weights = [np.zeros(0, np.int32)], [np.zeros(0, np.int64)]
        for d in sorted(old.keys() | new.keys()):
            change = new[d] - old[d]
            if change:
                array, at, k = (codes, starts, where_new[d]) if d in where_new else (self.codes, self.starts, where_old[d])
                parts.append(array[at[k]:at[k + 1]])
                weights.append(np.full(at[k + 1] - at[k], change, np.int64))
        changed, sums, _ = _tally(np.concatenate(parts), np.concatenate(weights))
        vocab = np.union1d(self.vocab, changed).astype(np.int32)
        old_df = np.zeros(len(vocab), np.int64)
        old_df[np.searchsorted(vocab, self.vocab)] = self.df
        df = old_df.copy()
        df[np.searchsorted(vocab, changed)] += sums
        return vocab, df, old_df


class _Corpus(NamedTuple):
    digests: list[bytes]
    codes: np.ndarray          # item k's distinct bigrams: codes[starts[k]:starts[k+1]]
    starts: np.ndarray
    vocab: np.ndarray          # every bigram, ascending …
    df: np.ndarray             # … how many items have it,
    cut: float
    kept: np.ndarray           # … and whether it is not common: df <= cut
    touched: np.ndarray        # per item: has a bigram on the other side of the common cut than last time


def _topic_key(threshold: float, cap: int, groups: list[str], digests: list[bytes]) -> bytes:
    h = hashlib.blake2b(repr((threshold, cap)).encode(), digest_size=16)
    h.update(b"".join(digests))
    h.update("\0".join(groups).encode("utf-8", "surrogatepass"))
    return h.digest()


def _score_topic(corpus: _Corpus, members: np.ndarray, groups: list[str], threshold: float, cap: int):
    """A topic's pairs: (later rows, earlier rows, scores), rows being places in `members`."""
    sizes = corpus.starts[members + 1] - corpus.starts[members]
    at = np.searchsorted(corpus.vocab, corpus.codes[_ragged(corpus.starts[members], sizes)])
    useful = corpus.kept[at]
    ids = at[useful].astype(np.int32)
    counts = np.bincount(np.repeat(np.arange(len(members)), sizes)[useful], minlength=len(members))
    number: dict[str, int] = {}
    group = np.array([number.setdefault(g, len(number)) for g in groups], dtype=np.int64)
    rows = np.arange(len(members), dtype=np.int64)
    found = list(_match_within(rows, ids, np.concatenate(([0], np.cumsum(counts))), group, threshold, cap))
    later, earlier, score = (np.concatenate(parts) for parts in zip(*found))
    return later.astype(np.int32), earlier.astype(np.int32), score


def _codes_of(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each text's distinct bigram codes, ascending, all in one array; and how many each text has."""
    place, per_text, vocab, _ = _code_batch(texts)
    return vocab[place], per_text.astype(np.int64)


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


def _members(topics: Sequence[Sequence[str]]) -> list[tuple[str, np.ndarray]]:
    """Each topic's slug and items, ascending, topics in slug order."""
    members: dict[str, list[int]] = defaultdict(list)
    for k, slugs in enumerate(topics):
        for slug in dict.fromkeys(slugs):
            members[slug].append(k)
    return [(slug, np.array(members[slug], dtype=np.int64)) for slug in sorted(members)]


def _match_within(members: np.ndarray, ids: np.ndarray, starts: np.ndarray, group: np.ndarray,
                  threshold: float, cap: int) -> Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """One topic: the pairs of its items in different groups whose cosine reaches the threshold, as
    (later item, earlier item, score) arrays, a block of later items at a time."""
    m = len(members)
    row, size, posted, opens, before = _postings(members, ids, starts, cap)
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
        pairs.sort()
        total = len(pairs)
        pairs, at = _distinct(pairs)
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


def _postings(members: np.ndarray, ids: np.ndarray, starts: np.ndarray, cap: int) -> tuple[np.ndarray, ...]:
    """A topic's kept bigrams, rows = positions in `members`: for each (row, bigram), ordered by row, the
    row; each row's count (|A|); the postings (the rows having each bigram, ascending, one after the
    other); where the bigram's posting opens; and how many rows before this one it holds. An item's
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
    return row, np.bincount(row, minlength=len(members)), row[order], opens, before


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

    def __init__(self, count: int, limit: int, table: tuple | None = None, again: np.ndarray | None = None):
        """`table`: a last result to start from, all but the rows `again`, which start empty."""
        self.count, self.limit, self.fresh = count, limit, table is None
        self.other = np.full((count, limit), -1, dtype=np.int64) if table is None else table[0].copy()
        self.score = np.zeros((count, limit)) if table is None else table[1].copy()
        if table is not None:
            self.other[again], self.score[again] = -1, 0.0

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
