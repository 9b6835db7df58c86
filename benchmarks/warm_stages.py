#!/usr/bin/env python3
"""The build's stages around the pages and the index, timed one by one (prints figures; not a test).

    python benchmarks/warm_stages.py PROJECT OUT [--edit] [--profile STAGE] [--runs N]

PROJECT holds content/, registry/ and sources/ (benchmarks/make_corpus.py); OUT is the output folder
(`.cache/` and the spare go beside it). Each run is what `build.py` does minus planning the similar items,
rendering the pages and the search index: open the cache, read and check the content, open data, the static
files, sitemaps, feeds and /admin/, swap, save the cache. Pages are claimed but not written (with `--no-plan`
not even planned: the item pages' URLs stand for them in the sitemaps). The first run
without a cache primes it; `--edit` appends a line to one item (PROJECT is changed: use a copy) before each
run after the first. `--profile STAGE` prints the top of a cProfile of that stage (its Chinese name or a
prefix of it).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import resource
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.admin import site_admin_files                      # noqa: E402
from archive.cache import BuildCache                            # noqa: E402
from archive.commands import build as b                         # noqa: E402
from archive.downloads import write_open_data                   # noqa: E402
import archive.pages.plan as plan_module                        # noqa: E402
from archive.pages import load_topics, plan as plan_pages       # noqa: E402
from archive.render import environment, fingerprint             # noqa: E402
from archive.writer import Writer, output_path                  # noqa: E402


class Stages:
    def __init__(self, profile: str | None):
        self.times: list[tuple[str, float, float]] = []
        self.profile = profile

    @contextmanager
    def stage(self, name: str):
        prof = cProfile.Profile() if self.profile and name.startswith(self.profile) else None
        wall, cpu = time.perf_counter(), time.process_time()
        if prof:
            prof.enable()
        yield
        if prof:
            prof.disable()
        self.times.append((name, time.perf_counter() - wall, time.process_time() - cpu))
        if prof:
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(35)
            print(out.getvalue())


def run(project: Path, out: Path, stages: Stages, planned: bool = True) -> None:
    content = project / "content"
    with stages.stage("读取构建缓存"):
        cache = BuildCache.open(b.cache_folder(out))
    with stages.stage("读取并检查内容"):
        archive, problems = b.load_content(content, None, cache.documents)
    assert archive is not None
    assets = fingerprint(b.STATIC)
    config = b.site_config()
    env = environment(b.TEMPLATES, assets, config)
    with stages.stage("打开输出（备用网站的清单）"):
        writer = Writer(out, cache)
    with stages.stage("开放数据"):
        downloads = write_open_data(archive, config["base_url"], writer.stream, cache.documents)
    with stages.stage("规划页面（不含相似项目）"):
        if planned:
            pages = plan_pages(archive, load_topics(b.topics_file(project)), project,
                               set(env.list_templates(extensions=["html"])), lambda: downloads)
        else:       # the item pages stand for all (the sitemaps' size is about right)
            pages = [SimpleNamespace(url=item.url) for item in archive.items]
        for page in pages:
            writer.claim(output_path(page.url))
    with stages.stage("静态文件、网站地图、订阅"):
        for asset in assets.values():
            writer.write(asset.path, asset.data)
        extras = b.extra_files(archive, pages) | site_admin_files(project, archive)
        for path, data in extras.items():
            writer.write(path, data)
    with stages.stage("替换网站"):
        writer.commit()
    with stages.stage("保存构建缓存"):
        cache.save()


def edit(project: Path, n: int) -> Path:
    items = sorted((project / "content").glob("*/*.md"))
    item = items[(n * 7919) % len(items)]
    item.write_text(item.read_text(encoding="utf-8") + f"\n（warm_stages 第 {n} 次编辑）\n", encoding="utf-8")
    return item


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--edit", action="store_true", help="edit one item before every run but the first")
    parser.add_argument("--profile", help="cProfile this stage (name prefix)")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--no-plan", action="store_true", help="do not plan the pages (not these stages: slow)")
    args = parser.parse_args()
    plan_module.similar_by_item = lambda site, memo=None: {}     # not this benchmark's stage
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {os.getloadavg()[0]:.1f}, "
          f"cache {'present' if (args.out.parent / '.cache').exists() else 'absent'}", flush=True)
    for n in range(args.runs):
        if n and args.edit:
            print(f"edited {edit(args.project, n)}")
        stages = Stages(args.profile)
        run(args.project.resolve(), args.out.resolve(), stages, not args.no_plan)
        total = sum(t[1] for t in stages.times)
        print(f"run {n + 1}: " + ", ".join(f"{name} {wall:.2f} s (CPU {cpu:.2f})" for name, wall, cpu in stages.times)
              + f"; total {total:.2f} s; max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB",
              flush=True)


if __name__ == "__main__":
    main()
