#!/usr/bin/env python3
"""Time the similar-items stage (archive/similar.py via archive/pages/related.py) on its own: the model is
loaded first, as the build loads it, then only the stage is timed.

    python benchmarks/similar_speed.py /work/bench/c10k /work/bench/c100k [--against 207a296]
    python benchmarks/similar_speed.py 10000 [--work DIR]      # a corpus made by make_corpus.py, kept in DIR

For each corpus: wall and CPU seconds of the stage, how much it raised the process's peak memory (ru_maxrss
before and after: the model's own peak is reached while loading, so the difference is the stage's extra),
the memory the process still holds once the stage has returned (what the render workers fork from),
and how many items got similar items. With --against COMMIT, archive/similar.py as it was at COMMIT is
timed the same way, in its own process, and the two results are compared item by item (index and score
of every match, in order): "identical" or how many items differ.
"""
from __future__ import annotations

import argparse
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

STAGE = """
import importlib.util, pickle, resource, sys, time
root, module, corpus, label, out = sys.argv[1:]
sys.path.insert(0, root)
from pathlib import Path
import archive.similar_memo     # (the build cache's; bound to today's archive.similar before it is replaced)
if module:      # the stage as it was at another commit, in place of archive.similar
    spec = importlib.util.spec_from_file_location("archive.similar", module)
    sys.modules["archive.similar"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sys.modules["archive.similar"])
    old = sys.modules["archive.similar"]
    if not hasattr(old, "best_table"):      # before the table was returned as it is (pages/related.py reads it)
        import numpy as np
        class Table:
            def __init__(self, found):
                self.found = found
                self.other = np.array([[m.index for m in f] + [-1] * (old.LIMIT - len(f)) for f in found],
                                      dtype=np.int64).reshape(len(found), old.LIMIT)
            def matches(self):
                return self.found
        old.best_table = lambda *args, memo=None: Table(old.similar_items(*args))
from archive.commands.build import topics_file
from archive.pages import Site, load_topics
from archive.pages import related
from archive.validate import build_archive
tables = []
def recorded(*args, _stage=related.best_table, **kw):    # keeps the table, to compare its matches after timing
    tables.append(_stage(*args, **kw))
    return tables[-1]
related.best_table = recorded
corpus = Path(corpus)
archive, _ = build_archive(corpus, corpus / "content")
site = Site(archive, load_topics(topics_file(corpus)), corpus)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
wall, cpu = time.perf_counter(), time.process_time()
similar = related.similar_by_item(site)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
held = int(open("/proc/self/statm").read().split()[1]) * resource.getpagesize() // 1024
shown = sum(len(v) for v in similar.values())
print(f"{len(site.items):>7,} items, {label:>8}: stage {wall:5.1f} s wall, {cpu:5.1f} s CPU; peak memory "
      f"{before / 1024:5.0f} MB before, {after / 1024:5.0f} MB after (+{(after - before) / 1024:.0f} MB), "
      f"{held / 1024:.0f} MB held once done; {len(similar):,} items with similar items, {shown:,} links", flush=True)
with open(out, "wb") as f:
    pickle.dump([[(m.index, m.score) for m in matches] for matches in tables[0].matches()], f)
"""


def measure(corpus: Path, label: str, module: str, out: Path) -> list:
    """In a child per corpus and version, so that one's peak memory does not hide the next one's."""
    subprocess.run([sys.executable, "-c", STAGE, str(ROOT), module, str(corpus), label, str(out)], check=True)
    return pickle.loads(out.read_bytes())


def corpus_of(name: str, work: Path) -> Path:
    if not name.isdigit():
        return Path(name)
    corpus = work / f"corpus-{name}"
    if not (corpus / "content").is_dir():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), name, str(corpus)],
                       check=True, stdout=subprocess.DEVNULL)
    return corpus


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpora", nargs="+", help="corpus directories, or sizes to generate in --work")
    parser.add_argument("--work", type=Path, default=ROOT / ".cache" / "bench")
    parser.add_argument("--against", metavar="COMMIT", help="also time archive/similar.py as it was at COMMIT")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        old = ""
        if args.against:
            old = f"{tmp}/similar_{args.against}.py"
            Path(old).write_bytes(subprocess.run(["git", "-C", str(ROOT), "show", f"{args.against}:archive/similar.py"],
                                                 check=True, capture_output=True).stdout)
        for name in args.corpora:
            corpus = corpus_of(name, args.work)
            now = measure(corpus, "now", "", Path(tmp) / "now.pickle")
            if old:
                then = measure(corpus, args.against, old, Path(tmp) / "old.pickle")
                differ = sum(a != b for a, b in zip(now, then)) + abs(len(now) - len(then))
                print(f"  {len(now):,} items: matches, order and scores " +
                      ("identical" if not differ else f"DIFFER for {differ:,} items"))


if __name__ == "__main__":
    main()
