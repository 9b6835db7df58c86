#!/usr/bin/env python3
"""Measure where "similar" should start, on the real content: every pair of items in different lists that
share a topic, with its score (archive/similar.py), printed by score band with both titles, so a reader
can judge at which score pairs stop being about the same thing.

    python benchmarks/similar_threshold.py [--min 0.1] [--per-band 8]

The figures and the judgement are in docs/similar.md.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.pages import Site, load_topics          # noqa: E402
from archive.similar import THRESHOLD, similar_items  # noqa: E402
from archive.validate import build_archive           # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--min", type=float, default=0.1)
    parser.add_argument("--per-band", type=int, default=8)
    args = parser.parse_args()
    archive, _ = build_archive(ROOT, ROOT / "content")
    site = Site(archive, load_topics(ROOT / "registry" / "topics.yaml"), ROOT)
    items = site.items
    topics = [[t.slug for t in site.item_topics[i.id]] for i in items]
    matches = similar_items([f"{i.title}\n{i.body}" for i in items], [i.list.id for i in items], topics,
                            threshold=args.min, limit=len(items))
    pairs = {}
    for k, found in enumerate(matches):
        for m in found:
            pairs[tuple(sorted((k, m.index)))] = m.score
    candidates = sum(1 for a in range(len(items)) for b in range(a + 1, len(items))
                     if items[a].list.id != items[b].list.id and set(topics[a]) & set(topics[b]))
    print(f"{len(items)} items; {candidates} pairs in different lists sharing a topic; "
          f"{len(pairs)} of them score ≥ {args.min}")
    bands = Counter(min(int(s * 20) / 20, 0.95) for s in pairs.values())
    for band in sorted(bands, reverse=True):
        print(f"  {band:.2f}–{band + 0.05:.2f}: {bands[band]} pairs")
    by_band: dict[float, list] = {}
    for (a, b), s in sorted(pairs.items(), key=lambda p: -p[1]):
        by_band.setdefault(min(int(s * 20) / 20, 0.95), []).append((s, a, b))
    for band in sorted(by_band, reverse=True):
        print(f"\n== {band:.2f}–{band + 0.05:.2f}")
        for s, a, b in by_band[band][:args.per_band]:
            print(f"  {s:.3f}  {items[a].id} {items[a].title[:30]}\n         {items[b].id} {items[b].title[:30]}")
    shown = Counter(min(5, sum(1 for m in found if m.score >= THRESHOLD)) for found in matches)
    print(f"\nitems by number of similar items shown at THRESHOLD {THRESHOLD} (at most 5):", dict(sorted(shown.items())))


if __name__ == "__main__":
    main()
