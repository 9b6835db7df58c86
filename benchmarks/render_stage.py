#!/usr/bin/env python3
"""The render stage ("生成页面") alone, on a generated corpus, in the situations a build meets (prints
figures; not a test):

    python benchmarks/render_stage.py CORPUS OUT [--jobs 2] [--edits 1] [--profile FILE]

The corpus is read and planned once (as `build.py` does: similar items included); then the stage runs as
`build_site` runs it, writing into OUT (replaced) with the build cache beside it:

1. clean: no `.cache/`, no site;
2. nothing changed, first rebuild: the cache knows the site, but there is no spare yet;
3. nothing changed, steady state (the spare brought up to date);
4. one item's body edited (in the model, so the similar items are not recomputed; the plan is made again
   from the edited model), steady state;

each with its wall time, CPU time of the whole process tree (user + system, workers included) and pages
rendered. The output of these runs is not compared with a clean build here: tests/test_cache.py does that,
and build.py runs do at full size (docs/build.md).
"""
from __future__ import annotations

import argparse
import cProfile
import os
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.cache import BuildCache, PageKeys                          # noqa: E402
from archive.commands.build import STATIC, TEMPLATES, cache_folder, site_config, topics_file   # noqa: E402
from archive.pages import load_topics, plan                              # noqa: E402
plan_module = sys.modules["archive.pages.plan"]      # the module; the package's `plan` is its function
from archive.render import environment, fingerprint                      # noqa: E402
from archive.validate import build_archive                               # noqa: E402
from archive.workers import write_pages                                  # noqa: E402
from archive.writer import Writer, output_path                           # noqa: E402


def cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def stage(pages, env, assets, config, out: Path, jobs: int, profile: str | None = None) -> dict:
    """The render stage as build_site runs it (claim, render or reuse, write), then the swap."""
    cache = BuildCache.open(cache_folder(out))
    writer = Writer(out, cache)
    for page in pages:
        writer.claim(output_path(page.url))
    started, cpu_started = time.perf_counter(), cpu()
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    _, rendered = write_pages(pages, env, writer, jobs, None, PageKeys(env, assets, config))
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    wall, used = time.perf_counter() - started, cpu() - cpu_started
    writer.commit()
    cache.save()
    return {"wall": wall, "cpu": used, "rendered": rendered}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--profile", help="cProfile the steady-state rebuild after the edit into this file "
                                          "(with --jobs 1 it sees everything)")
    args = parser.parse_args()
    corpus, out = args.corpus.resolve(), args.out.resolve()
    for path in (out, out.parent / f".{out.name}.spare", cache_folder(out)):
        shutil.rmtree(path, ignore_errors=True)
    started = time.perf_counter()
    archive, problems = build_archive(corpus, corpus / "content")
    assets, config = fingerprint(STATIC), site_config()
    env = environment(TEMPLATES, assets, config)
    topics = load_topics(topics_file(corpus))
    templates = set(env.list_templates(extensions=["html"]))
    downloads = {}                         # the data page's sizes: not what this measures
    pages = [p for p in plan(archive, topics, corpus, templates, lambda: downloads) if p.url != "/data/"]
    print(f"{len(archive.items):,} items, {len(pages):,} pages (all but /data/), read and planned in "
          f"{time.perf_counter() - started:.1f} s; {args.jobs} render processes; load average "
          f"{os.getloadavg()[0]:.1f}", flush=True)

    def run(name: str, profile: str | None = None) -> None:
        result = stage(pages, env, assets, config, out, args.jobs, profile)
        print(f"{name:44} wall {result['wall']:7.2f} s   cpu {result['cpu']:7.2f} s   "
              f"rendered {result['rendered']:,}   (load {os.getloadavg()[0]:.1f})", flush=True)

    run("clean (no cache, no site)")
    run("nothing changed, first rebuild (no spare)")
    run("nothing changed, steady state")
    item = archive.lists[len(archive.lists) // 2].items[0]
    item.body += "\n\n新增一句用于测试的正文。"
    similar = pages[0].context.args[0].similar          # the Site's: kept, as said above
    keep, plan_module.similar_by_item = plan_module.similar_by_item, lambda site, memo=None: similar
    try:
        pages[:] = [p for p in plan(archive, topics, corpus, templates, lambda: downloads) if p.url != "/data/"]
    finally:
        plan_module.similar_by_item = keep
    run(f"one item edited ({item.url}), steady state", args.profile)


if __name__ == "__main__":
    main()
