#!/usr/bin/env python3
"""Build generated corpora of 1,000 and 10,000 items (and 100,000 with --large) and report, per size,
for the pages and for the search stage separately: wall time, pages written, pages per second, peak
memory, output bytes and files.

    python benchmarks/build_speed.py [--large] [--work DIR] [--seed S]

Each build runs as `build.py` in a child process, exactly as a deploy runs it. Peak memory is the largest
sum, over the build and its render workers, of proportional set size (PSS), sampled every 100 ms (reading smaps_rollup costs the kernel a page-table walk): forked
workers share most of their pages with the parent, and PSS counts a shared page once, where summing RSS
would count it per process. The search stage is the difference between a full build and a --no-index one.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tree_pss_kb(pid: int) -> int:
    """PSS of `pid` and all its descendants, in kB."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def run_build(content: Path, out: Path, index: bool) -> dict:
    """A clean build: the build cache beside `out` (shared by every output here) is removed first."""
    for leftover in (out.parent / ".cache", out.parent / f".{out.name}.spare"):
        shutil.rmtree(leftover, ignore_errors=True)
    cmd = [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out)]
    if not index:
        cmd.append("--no-index")
    started = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak = 0
    while child.poll() is None:
        peak = max(peak, tree_pss_kb(child.pid))
        time.sleep(0.1)
    wall = time.perf_counter() - started
    summary = child.stdout.read()
    if child.returncode:
        raise SystemExit(f"build failed ({child.returncode}): {' '.join(cmd)}")
    pages = int(re.search(r"生成 (\d+) 个页面", summary).group(1))
    files = [p for p in out.rglob("*") if p.is_file()]
    return {"wall": wall, "pages": pages, "peak_mb": peak / 1024, "files": len(files),
            "bytes": sum(p.stat().st_size for p in files), "summary": summary.strip()}


def serve_latency(content: Path, out: Path) -> float:
    """Seconds from saving an edited item to `build.py serve` answering with the edit (an open page then
    reloads within its 250 ms poll). Edits a copy-safe field of the corpus, and puts it back."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, str(ROOT / "build.py"), "serve", "--no-index", "--port", str(port),
           "--content", str(content), "--out", str(out)]
    server = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        while "预览" not in server.stdout.readline():
            if server.poll() is not None:
                raise SystemExit("serve did not start")
        item = sorted(sorted(content.iterdir())[len(list(content.iterdir())) // 2].glob("*.md"))[0]
        original = item.read_text(encoding="utf-8")
        url = f"http://127.0.0.1:{port}/"
        folder = item.parent.name
        records = json.loads(urllib.request.urlopen(url + "data/items.json").read())
        number = int(re.search(r"^number: (\d+)", original, re.M).group(1))
        page_url = next(r["url"] for r in records if r["list_id"] == folder and r["number"] == number)
        marker = "（已编辑）"
        time.sleep(0.5)      # let the watcher take its first snapshot
        started = time.perf_counter()
        item.write_text(re.sub(r"^title: (.*)$", lambda m: f"title: {m.group(1)}{marker}", original, count=1,
                               flags=re.M), encoding="utf-8")
        while marker not in urllib.request.urlopen(url + page_url.lstrip("/")).read().decode():
            if time.perf_counter() - started > 30:
                raise SystemExit("the edit never showed")
            time.sleep(0.02)
        latency = time.perf_counter() - started
        item.write_text(original, encoding="utf-8")
        return latency
    finally:
        server.terminate()
        server.wait()


def corpus(work: Path, n: int, seed: int) -> Path:
    project = work / f"corpus-{n}-{seed}"
    if not (project / "content").is_dir():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), str(n), str(project),
                        "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
    return project / "content"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large", action="store_true", help="also build 100,000 items")
    parser.add_argument("--work", type=Path, default=ROOT / "bench-out", help="corpora and outputs (git-ignored)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sizes = [1_000, 10_000] + ([100_000] if args.large else [])
    print(f"{os.cpu_count()} cores; each size: a --no-index build (pages), then a full build (pages + search)")
    print(f"{'items':>7} {'stage':<7} {'wall s':>7} {'pages':>7} {'pages/s':>8} {'peak MB':>8} {'files':>7} {'MB out':>7}")
    for n in sizes:
        content = corpus(args.work, n, args.seed)
        pages = run_build(content, args.work / f"site-{n}-pages", index=False)
        full = run_build(content, args.work / f"site-{n}-full", index=True)
        search = {"wall": full["wall"] - pages["wall"], "pages": pages["pages"], "peak_mb": full["peak_mb"],
                  "files": full["files"] - pages["files"], "bytes": full["bytes"] - pages["bytes"]}
        for stage, r in (("pages", pages), ("search", search)):
            rate = r["pages"] / r["wall"] if stage == "pages" else r["pages"] / max(r["wall"], 1e-9)
            print(f"{n:>7} {stage:<7} {r['wall']:>7.2f} {r['pages']:>7} {rate:>8.0f} {r['peak_mb']:>8.0f} "
                  f"{r['files']:>7} {r['bytes'] / 1e6:>7.1f}")
        print(f"{'':>7} build.py said: {full['summary']}")
        if n >= 10_000:
            latency = serve_latency(content, args.work / f"site-{n}-serve")
            print(f"{'':>7} serve: an edited item is served {latency * 1000:.0f} ms after it is saved")


if __name__ == "__main__":
    main()
