#!/usr/bin/env python3
"""The plan stage (`archive/pages/plan.py: plan()`) timed on its own, as a clean build and as a rebuild run it.

    python benchmarks/plan_stage.py PROJECT [--profile] [--cache DIR]

PROJECT holds content/, registry/ and sources/ (benchmarks/make_corpus.py). The content is read and checked
once (through a build cache in DIR, by default a fresh temporary folder: the item digests need list keys);
then `plan()` runs three times in this process: first as a clean build does (the item digests and the
similar-items memo empty: the memo is written), then as a rebuild with nothing changed, then as one after
an edit: one item's body gets a sentence (in memory; its list's digests are then stale, which changes no
timing). Prints each run's wall and CPU seconds and the rise of the process's peak
memory; `--profile` prints the top of a cProfile of each run.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.cache import BuildCache                              # noqa: E402
from archive.commands import build as b                           # noqa: E402
from archive.pages import load_topics, plan                       # noqa: E402
from archive.render import environment, fingerprint               # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, profile: bool, run):
    prof = cProfile.Profile() if profile else None
    before = peak_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    if prof:
        prof.enable()
    result = run()
    if prof:
        prof.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label}: {wall:.2f} s wall, {cpu:.2f} s CPU, peak {before:.0f} → {peak_mb():.0f} MB", flush=True)
    if prof:
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(40)
        print(out.getvalue())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    project = args.project.resolve()
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        cache = BuildCache.open(args.cache or Path(tmp) / ".cache")
        archive, _ = timed("read + check", False, lambda: b.load_content(project / "content", None, cache.documents))
        env = environment(b.TEMPLATES, fingerprint(b.STATIC), b.site_config())
        templates = set(env.list_templates(extensions=["html"]))
        topics = load_topics(b.topics_file(project))
        for label in ("clean", "rebuild, nothing changed", "rebuild, one item edited"):
            if label.endswith("edited"):
                item = archive.items[len(archive.items) // 3]
                object.__setattr__(item, "body", item.body + "\n新增一句：推进社区养老服务设施建设。")
            pages = timed(f"plan, {label}", args.profile,
                          lambda: plan(archive, topics, project, templates, lambda: {}, cache.item_digests,
                                       cache.similar))
            print(f"  {len(pages):,} pages", flush=True)
            del pages
            cache.item_digests.known = dict(cache.item_digests.used)


if __name__ == "__main__":
    main()
