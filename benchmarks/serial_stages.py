#!/usr/bin/env python3
"""Read + check and the plan timed on their own, with the CPU of the build process apart from its children's.

    python benchmarks/serial_stages.py PROJECT CACHE [--no-fork]

PROJECT holds content/, registry/ and sources/ (benchmarks/make_corpus.py); CACHE is the build cache folder
(delete it first for a clean build's figures; run twice for a rebuild's with nothing changed). Prints each
stage's wall seconds, the user + system CPU of this process and of its forked children (the readers, the
similar items' child), and this process's peak memory. `--no-fork`: the plan as on one core.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive import collector                                     # noqa: E402
from archive.cache import BuildCache                              # noqa: E402
from archive.collector import paused                              # noqa: E402
from archive.commands import build as b                           # noqa: E402
from archive.pages import load_topics, plan                       # noqa: E402
from archive.render import environment, fingerprint               # noqa: E402


def timed(label: str, run):
    before = os.times()
    result = run()
    after = os.times()
    own = after.user + after.system - before.user - before.system
    children = after.children_user + after.children_system - before.children_user - before.children_system
    print(f"{label}: {after.elapsed - before.elapsed:.2f} s wall, CPU {own:.2f} s this process + {children:.2f} s "
          f"children, peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("cache", type=Path)
    parser.add_argument("--no-fork", action="store_true")
    args = parser.parse_args()
    project = args.project.resolve()
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {os.getloadavg()[0]:.1f}", flush=True)
    cache = BuildCache.open(args.cache)
    with paused():
        archive, _ = timed("read + check", lambda: b.load_content(project / "content", None, cache.documents))
        collector.freeze()
    env = environment(b.TEMPLATES, fingerprint(b.STATIC), b.site_config())
    templates = set(env.list_templates(extensions=["html"]))
    topics = load_topics(b.topics_file(project))
    pages = timed("plan", lambda: plan(archive, topics, project, templates, lambda: {}, cache.item_digests,
                                       cache.similar, cache.item_topics, fork=not args.no_fork))
    print(f"  {len(archive.items):,} items, {len(pages):,} pages")


if __name__ == "__main__":
    main()
