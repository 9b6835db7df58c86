"""Measure the title similarity `build.py progress` matches report rows by, and pick its threshold and margin.

We hold no real progress report, so report rows are simulated from the real lists' 174 titles the ways
reports print them: punctuation dropped, a leading verb phrase dropped, cut short at the front or the
back, a middle part left out, 项目/工程 appended. Each variant is scored against its own item (a true
pair) and every other item of the same list (false pairs); and every title of the other lists is scored
against each list (rows about items the list does not hold). For each threshold and margin it prints how
many rows would be matched right, matched wrong, listed as ambiguous, or listed as unmatched.

    .venv/bin/python benchmarks/progress_match.py
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.progress_import import normalise, similarity   # noqa: E402
from archive.validate import build_archive                  # noqa: E402


def variants(title: str) -> dict[str, str]:
    t = normalise(title)
    n = len(t)
    return {
        "as printed": title,
        "no punctuation": t,
        "verb dropped": t[2:] if n > 6 else t,
        "front half+": t[: max(4, (n * 2) // 3)],
        "back half+": t[-max(4, (n * 2) // 3):],
        "middle left out": t[: n // 3] + t[(n * 2) // 3:] if n > 8 else t,
        "suffixed": t + "项目",
    }


def main() -> None:
    archive, _ = build_archive(ROOT, ROOT / "content")
    trials = []        # (kind, true score, [false scores])
    for lst in archive.lists:
        items = [i for i in lst.items if i.title]
        for item in items:
            for kind, row in variants(item.title).items():
                others = [similarity(row, o.title) for o in items if o is not item]
                trials.append((kind, similarity(row, item.title), others))
    print(f"{len(trials)} simulated rows from {sum(1 for l in archive.lists for i in l.items if i.title)} titles")
    trues = sorted(t for _, t, _ in trials)
    worst_false = sorted(max(f, default=0) for _, _, f in trials)
    print(f"true pair score: min {trues[0]:.2f}, 5th percentile {trues[len(trues) // 20]:.2f}, median {trues[len(trues) // 2]:.2f}")
    print(f"best false score per row: median {worst_false[len(worst_false) // 2]:.2f}, 95th percentile "
          f"{worst_false[len(worst_false) * 19 // 20]:.2f}, max {worst_false[-1]:.2f}")
    print("\nthreshold margin   right  wrong  ambiguous  unmatched")
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        for margin in (0.1, 0.15, 0.2):
            right = wrong = ambiguous = unmatched = 0
            for _, true, false in trials:
                best_false = max(false, default=0)
                best = max(true, best_false)
                if best < threshold:
                    unmatched += 1
                elif min(true, best_false) >= max(threshold, best - margin):
                    ambiguous += 1
                elif true >= best_false:
                    right += 1
                else:
                    wrong += 1
            print(f"{threshold:9.2f} {margin:6.2f} {right:7d} {wrong:6d} {ambiguous:10d} {unmatched:10d}")
    # Rows about items the list does not hold (a report covering several lists): every other list's
    # titles against this list. Each one matched is a wrong entry written.
    foreign = []
    for lst in archive.lists:
        mine = [i.title for i in lst.items if i.title]
        for other in archive.lists:
            if other is not lst:
                foreign += [max(similarity(row, t) for t in mine) for row in (i.title for i in other.items if i.title)]
    print(f"\n{len(foreign)} rows about items the list does not hold; matched (wrongly) at threshold:")
    print(", ".join(f"{t:.2f}: {sum(f >= t for f in foreign)}" for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)))
    # Numbering: a row is matched by its number only when its title agrees with that item's at least this
    # much; how often do two different items of one list agree that much by chance?
    pairs = [similarity(a.title, b.title) for lst in archive.lists for a in lst.items for b in lst.items
             if a is not b and a.title and b.title]
    print(f"\n{len(pairs)} pairs of different items in one list; share at or above:",
          ", ".join(f"{t:.2f}: {sum(p >= t for p in pairs) / len(pairs):.1%}" for t in (0.2, 0.3, 0.4, 0.5)))
    by_kind: dict[str, list[float]] = {}
    for kind, true, _ in trials:
        by_kind.setdefault(kind, []).append(true)
    print("\nlowest true score by variant:", ", ".join(f"{k} {min(v):.2f}" for k, v in by_kind.items()))


if __name__ == "__main__":
    main()
