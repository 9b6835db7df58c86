#!/usr/bin/env python3
"""Time the similar-items stage (archive/similar.py via archive/pages/related.py) on its own, on generated
corpora: the model is loaded first, then only the stage is timed.

    python benchmarks/similar_speed.py 10000 [100000 …] [--work DIR]

For each size: wall and CPU seconds of the stage, how much it raised the process's peak memory (ru_maxrss
before and after: the model's own peak is reached while loading, so the difference is the stage's extra),
the memory the process still holds once the stage has returned (what the render workers fork from),
and how many items got similar items. Corpora come from benchmarks/make_corpus.py and are kept in DIR.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(size: int, work: Path) -> None:
    corpus = work / f"corpus-{size}"
    if not (corpus / "content").is_dir():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), str(size), str(corpus)],
                       check=True, stdout=subprocess.DEVNULL)
    # In a child per size, so one size's peak memory does not hide the next one's.
    code = f"""
import resource, sys, time
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from archive.commands.build import topics_file
from archive.pages import Site, load_topics
from archive.pages.related import similar_by_item
from archive.validate import build_archive
root = Path({str(corpus)!r})
archive, _ = build_archive(root, root / "content")
site = Site(archive, load_topics(topics_file(root)), root)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
wall, cpu = time.perf_counter(), time.process_time()
similar = similar_by_item(site)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
held = int(open("/proc/self/statm").read().split()[1]) * resource.getpagesize() // 1024
shown = sum(len(v) for v in similar.values())
print(f"{{len(site.items):>7,}} items: stage {{wall:6.1f}} s wall, {{cpu:6.1f}} s CPU; peak memory "
      f"{{before / 1024:5.0f}} MB before, {{after / 1024:5.0f}} MB after (+{{(after - before) / 1024:.0f}} MB), "
      f"{{held / 1024:.0f}} MB held once done; "
      f"{{len(similar):,}} items with similar items, {{shown:,}} links")
"""
    subprocess.run([sys.executable, "-c", code], check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--work", type=Path, default=ROOT / ".cache" / "bench")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    for size in args.sizes:
        measure(size, args.work)


if __name__ == "__main__":
    main()
