#!/usr/bin/env python3
"""The figures of issue 14's table for generated corpora, one run per size (prints figures; not a test).

    python benchmarks/scale.py                 # 10,000 items
    python benchmarks/scale.py --large         # 10,000 and 100,000 items (takes many minutes of both cores)
    python benchmarks/scale.py --search-only SITE…   # step 7 alone, on sites already built

Per size, `build.py` runs as a user runs it, in a child process whose process tree is sampled for
proportional set size (forked workers' shared pages counted once):

1. a clean build: no site, no spare, no `.cache/`;
2. one item edited, built again: the cache is used, but there is no spare yet, so every file is written;
3. another item edited, built again: the steady state of repeated builds (the spare is brought up to date);
4. (sizes up to --verify-up-to) a clean build of the edited content into another folder, compared file by
   file with the incremental output;
5. a third item edited, the site copied afresh (new inodes and times) and its spare deleted: a deploy on
   Netlify, which restores `.cache/` and `site/` from its build cache into a fresh checkout (docs/build.md,
   "Deploys"); the copy itself is not timed;
6. a fourth item edited, and the site and its spare deleted: a deploy whose build cache holds `.cache/` alone;
7. the shared search harness in Chromium (eval.py --site-search): first query bytes, later queries' bytes
   and archiveSearch times, recall and precision.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from build_speed import tree_pss_kb      # noqa: E402
from search_speed import browse          # noqa: E402


def build(content: Path, out: Path) -> dict:
    cmd = [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out)]
    started = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    while child.poll() is None:
        peak = max(peak, tree_pss_kb(child.pid))
        time.sleep(0.1)
    wall = time.perf_counter() - started
    stdout, stderr = child.communicate()
    if child.returncode:
        raise SystemExit(f"build failed: {stderr[-2000:]}")
    stages = dict(re.findall(r"^(.+?)：([\d.]+) 秒", stdout, re.M))
    rendered = int(re.search(r"重新渲染 (\d+) 个", stdout).group(1))
    return {"wall": wall, "peak_mb": peak / 1024, "rendered": rendered, "stages": stages,
            "summary": stdout.strip().splitlines()[-1]}


def fresh(out: Path) -> None:
    for path in (out, out.parent / f".{out.name}.spare", out.parent / ".cache"):
        shutil.rmtree(path, ignore_errors=True)


def edit(content: Path, n: int) -> Path:
    items = sorted(content.glob("*/*.md"))
    item = items[(n * len(items)) // 3 % len(items)]
    item.write_text(item.read_text(encoding="utf-8") + f"\n（基准测试第 {n} 次编辑）\n", encoding="utf-8")
    return item


def restore(out: Path) -> None:
    """What a restore from Netlify's build cache leaves: the site's files under new inodes and times, no spare."""
    copy = out.with_name(out.name + ".restored")
    shutil.copytree(out, copy, copy_function=shutil.copyfile)
    shutil.rmtree(out)
    shutil.rmtree(out.parent / f".{out.name}.spare", ignore_errors=True)
    copy.rename(out)


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0")
        if path.is_file():
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def show(label: str, r: dict) -> None:
    slow = sorted(r["stages"].items(), key=lambda kv: -float(kv[1]))[:4]
    print(f"  {label:<34} {r['wall']:7.1f} s  peak {r['peak_mb']:6.0f} MB  rendered {r['rendered']:>7,}  "
          f"({', '.join(f'{k} {v}' for k, v in slow)})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large", action="store_true", help="also 100,000 items")
    parser.add_argument("--work", type=Path, default=ROOT / "bench-out", help="corpora and outputs (git-ignored)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sample", type=int, default=300, help="sampled queries besides the 158 listed")
    parser.add_argument("--verify-up-to", type=int, default=20_000,
                        help="compare the incremental output with a clean build up to this many items")
    parser.add_argument("--search-only", type=Path, nargs="+", metavar="SITE",
                        help="only the search part (step 6), on sites already built")
    parser.add_argument("--no-search", action="store_true",
                        help="builds only (steps 1-5): the harness's ground truth at 100,000 items takes half an hour")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} cores, "
          f"{platform.processor() or platform.machine()}; load average {os.getloadavg()[0]:.1f}")
    for site in args.search_only or []:
        print(f"{site}:")
        show_search(browse(site, args.sample, args.seed))
    if args.search_only:
        return
    for n in [10_000] + ([100_000] if args.large else []):
        project = args.work / f"corpus-{n}-{args.seed}"
        if not (project / "content").is_dir():
            subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), str(n), str(project),
                            "--seed", str(args.seed)], check=True, stdout=subprocess.DEVNULL)
        content = project / "content"
        out = args.work / f"scale-{n}" / "site"
        fresh(out)
        print(f"{n:,} items:")
        show("clean build", build(content, out))
        edit(content, 1)
        show("one item edited (no spare yet)", build(content, out))
        edit(content, 2)
        steady = build(content, out)
        show("one item edited (steady state)", steady)
        if n <= args.verify_up_to:
            clean = args.work / f"scale-{n}-clean" / "site"
            fresh(clean)
            build(content, clean)
            same = digest(out) == digest(clean)
            print(f"  incremental output identical to a clean build: {'yes' if same else 'NO'}")
            shutil.rmtree(clean.parent)
        edit(content, 3)
        restore(out)
        show("one item edited, .cache and site restored (deploy)", build(content, out))
        edit(content, 4)
        shutil.rmtree(out)
        shutil.rmtree(out.parent / f".{out.name}.spare", ignore_errors=True)
        show("one item edited, only .cache (deploy)", build(content, out))
        if not args.no_search:
            show_search(browse(out, args.sample, args.seed))


def show_search(s: dict) -> None:
    print(f"  first query ({s['cold_query']}), page + code + index, gzipped: {s['cold_bytes'] / 1000:,.1f} kB")
    print(f"  later queries, bytes: median {s['bytes_median'] / 1000:.1f} kB, p90 {s['bytes_p90'] / 1000:.1f} kB, "
          f"max {s['bytes_max'] / 1000:.1f} kB; requests a query: mean {s['requests_mean']:.2f}, max {s['requests_max']}")
    print(f"  archiveSearch: median {s['ms_median']:.1f} ms, p95 {s['ms_p95']:.1f} ms, max {s['ms_max']:.1f} ms "
          f"over {s['queries']} queries")
    print(f"  quality: {s['quality']}", flush=True)


if __name__ == "__main__":
    main()
