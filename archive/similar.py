"""Similar items in other lists: for each item, up to LIMIT items of other lists that share a topic with it
and the most character bigrams of title and body, above THRESHOLD.

Computed once, in the build's parent process before the render workers fork (they inherit the result),
with an inverted index per topic rather than comparing all pairs. The index leaves out bigrams that say
nothing about likeness: those in more than COMMON of all items (全市, 推进, 服务 …) and, within one topic,
those in more than CAP of its items (养老 within 养老). The cap also bounds the work: a query reads at most
CAP postings per bigram, so the stage grows with the number of items, not with its square.

Likeness is the cosine of the two sets of kept bigrams, shared / sqrt(|A|·|B|): a long body does not
resemble everything just by being long. Kept are the bigrams an item shares with at least one other item
of the topic: the rest cannot be shared, and counting them makes any two bodies of unequal length unlike. THRESHOLD was measured on the real content (docs/similar.md).
"""
from __future__ import annotations

import heapq
import math
import operator
import re
import unicodedata
from array import array
from collections import Counter, defaultdict
from itertools import chain
from dataclasses import dataclass
from typing import Iterable, Sequence

LIMIT = 5
THRESHOLD = 0.35     # measured on the real content: docs/similar.md
CAP = 100            # postings kept per bigram in one topic's index
COMMON = 0.05        # a bigram in more than this share of all items is left out everywhere
MIN_COMMON = 5       # … but never for fewer items than this: in a tiny archive every bigram is "common"

_HAN = re.compile(r"[\u3400-\u9fff]+")


@dataclass(frozen=True)
class Match:
    index: int       # position of the similar item in the sequence given to `similar_items`
    score: float


def bigrams(text: str) -> set[str]:
    """Character bigrams of the Han runs of `text`: digits, Latin and punctuation carry years, amounts
    and numbering that every list shares, not what an item is about."""
    found = set()
    for run in _HAN.findall(unicodedata.normalize("NFKC", text)):
        found.update(map(operator.add, run[:-1], run[1:]))
    return found


def similar_items(texts: Iterable[str], groups: Sequence[str], topics: Sequence[Sequence[str]],
                  threshold: float = THRESHOLD, limit: int = LIMIT, cap: int = CAP) -> list[tuple[Match, ...]]:
    """For item k (its text, its group = list id, its topic slugs), the matches in other groups sharing
    a topic with it, best first. Returned per item, in input order.

    `texts` is read twice (a list, or an object that makes the texts anew each time it is iterated, so
    that they need not all be held): once to count the bigrams, once to keep each item's useful ones."""
    df = Counter()
    for text in texts:
        df.update(bigrams(text))
    common = max(MIN_COMMON, COMMON * len(groups))
    ids = {b: n for n, b in enumerate(sorted(b for b, n in df.items() if n <= common))}
    del df
    sets = [array("i", sorted(map(ids.__getitem__, bigrams(text) & ids.keys()))) for text in texts]
    del ids
    members: dict[str, list[int]] = defaultdict(list)
    for k, slugs in enumerate(topics):
        for slug in slugs:
            members[slug].append(k)
    best: list[dict[int, float]] = [{} for _ in texts]
    for slug in sorted(members):
        _match_within(members[slug], sets, groups, threshold, limit, cap, best)
    return [tuple(Match(j, round(s, 4)) for j, s in _top(b, limit)) for b in best]


def _match_within(topic: list[int], sets: list[array], groups: Sequence[str], threshold: float, limit: int,
                  cap: int, best: list[dict[int, float]]) -> None:
    """One topic: each item queries the index of the items before it, then joins it, so each pair is
    scored once and recorded for both. A pair sharing two topics keeps the higher of its two scores."""
    df = Counter(chain.from_iterable(sets[k] for k in topic))
    # A bigram no other item of the topic has is left out too: counted, it would make every long body
    # unlike everything (measured: docs/similar.md).
    kept = {b for b, n in df.items() if 1 < n <= cap}
    postings: dict[int, list[int]] = defaultdict(list)
    size: dict[int, int] = {}
    floor = threshold * threshold
    for k in topic:
        mine = [b for b in sets[k] if b in kept]
        n = size[k] = len(mine)
        counts = Counter(chain.from_iterable([postings[b] for b in mine]))
        need = floor * n          # shared ≥ threshold² · |A| is necessary for cosine ≥ threshold
        for j in [j for j, shared in counts.items() if shared >= need]:
            score = counts[j] / math.sqrt(n * size[j])
            if score >= threshold and groups[j] != groups[k]:
                _record(best, k, j, score, limit)
                _record(best, j, k, score, limit)
        for b in mine:
            postings[b].append(k)


def _record(best: list[dict[int, float]], k: int, j: int, score: float, limit: int) -> None:
    found = best[k]
    if score > found.get(j, 0.0):
        found[j] = score
        if len(found) > 2 * limit:    # keep memory flat; the best `limit` are never among those dropped
            best[k] = dict(_top(found, limit))


def _top(found: dict[int, float], limit: int) -> list[tuple[int, float]]:
    """Best first; equal scores in input order, so the same content always gives the same pages."""
    return heapq.nlargest(limit, found.items(), key=lambda js: (js[1], -js[0]))
