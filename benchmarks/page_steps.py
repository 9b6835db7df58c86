#!/usr/bin/env python3
"""Where a clean pages stage's CPU goes, per page kind and per step (prints figures; not a test):

    python benchmarks/page_steps.py CORPUS OUT [--limit N] [--profile FILE]

The corpus is read and planned as `build.py` does; then every page (all but /data/) is handled as a
render worker handles it in a clean build with the cache on, in this one process, with the step's CPU time
(`time.process_time`) added to its template's row: its key (`PageKeys.of`: the signature), its context,
Jinja rendering, writing (`Writer.put` into OUT's temporary folder, removed afterwards) and its text for
the index (`ItemTexts.read`: reading, normalising, writing an item's search fragment). Compare two versions of the code on the same corpus in turn: the
machine's load moves every figure.
"""
from __future__ import annotations

import argparse
import cProfile
import collections
import gc
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive import collector                                            # noqa: E402
from archive.cache import BuildCache, PageKeys                          # noqa: E402
from archive.commands.build import STATIC, TEMPLATES, cache_folder, site_config, topics_file   # noqa: E402
from archive.pages import load_topics, plan                              # noqa: E402
from archive.render import environment, fingerprint                      # noqa: E402
from archive.search.handover import ItemTexts                           # noqa: E402
from archive.validate import build_archive                               # noqa: E402
from archive.workers import render                                       # noqa: E402
from archive.writer import Writer, output_path                           # noqa: E402

STEPS = ("key", "context", "render", "write", "text")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages of the plan")
    parser.add_argument("--profile", help="cProfile the pages into this file (the step times then include its cost)")
    args = parser.parse_args()
    corpus, out = args.corpus.resolve(), args.out.resolve()
    for path in (out, out.parent / f".{out.name}.spare", cache_folder(out)):
        shutil.rmtree(path, ignore_errors=True)
    archive, _ = build_archive(corpus, corpus / "content")
    assets, config = fingerprint(STATIC), site_config()
    env = environment(TEMPLATES, assets, config)
    pages = [p for p in plan(archive, load_topics(topics_file(corpus)), corpus,
                             set(env.list_templates(extensions=["html"])), lambda: {}) if p.url != "/data/"]
    pages = pages[:args.limit] if args.limit else pages
    writer = Writer(out, BuildCache.open(cache_folder(out)))
    for page in pages:
        writer.claim(output_path(page.url))
    keys = PageKeys(env, assets, config)
    texts = ItemTexts.planned(archive, (output_path(page.url) for page in pages))
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)
    gc.collect()
    collector.freeze()            # as write_pages does before the workers fork
    spent = collections.defaultdict(collections.Counter)
    count = collections.Counter()
    clock = time.process_time
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    try:
        for page in pages:
            row = spent[page.template]
            count[page.template] += 1
            t0 = clock()
            key, context = keys.of(page)
            t1 = clock()
            context = page.context() if context is None else context
            t2 = clock()
            html = render(env, page, context)
            t3 = clock()
            writer.put(output_path(page.url), html, key)
            t4 = clock()
            texts.read(html, page.template, output_path(page.url), writer)
            t5 = clock()
            for step, seconds in zip(STEPS, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
                row[step] += seconds
    finally:
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        writer.abort()
    total = collections.Counter()
    print(f"{'CPU s':18}{'pages':>8}" + "".join(f"{s:>9}" for s in STEPS) + f"{'total':>9}  µs a page")
    for template in sorted(spent, key=lambda t: -sum(spent[t].values())):
        row = spent[template]
        total.update(row)
        whole = sum(row.values())
        print(f"{template:18}{count[template]:8}" + "".join(f"{row[s]:9.2f}" for s in STEPS)
              + f"{whole:9.2f}  {1e6 * whole / count[template]:.0f}")
    print(f"{'all':18}{sum(count.values()):8}" + "".join(f"{total[s]:9.2f}" for s in STEPS)
          + f"{sum(total.values()):9.2f}")


if __name__ == "__main__":
    main()
