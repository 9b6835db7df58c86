#!/usr/bin/env python3
"""A whole `build.py` run with its process tree's memory sampled per stage (prints figures; not a test).

    python benchmarks/stage_memory.py CONTENT OUT [--clean] [--every SECONDS]

Runs `build.py --content CONTENT --out OUT` in a child process and samples the tree's proportional set
size (forked workers' shared pages counted once: benchmarks/build_speed.py) every `--every` seconds. The
build prints a line when each stage ends (archive/buildlog.py); a sample is put in the stage whose line
comes next. Prints per stage its wall seconds (the build's own figure), the tree's peak PSS in it, and the
build's CPU seconds (user + system of the whole tree, from the child's rusage) at the end. `--clean`
removes OUT, its spare and the `.cache/` beside it first (a clean build).
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from build_speed import tree_pss_kb      # noqa: E402

STAGE_LINE = re.compile(r"^(.+?)：([\d.]+) 秒")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("content", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--clean", action="store_true", help="no site, no spare, no .cache/ first")
    ap.add_argument("--every", type=float, default=0.2, help="seconds between samples")
    args = ap.parse_args()
    out = args.out.resolve()
    if args.clean:
        for path in (out, out.parent / f".{out.name}.spare", out.parent / ".cache"):
            shutil.rmtree(path, ignore_errors=True)
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}; load average {os.getloadavg()[0]:.1f}",
          flush=True)
    cmd = [sys.executable, str(ROOT / "build.py"), "--content", str(args.content.resolve()), "--out", str(out)]
    started = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    stages: list[list] = []            # [name, seconds, peak kB]
    current = [0]                      # peak kB of the stage in progress
    lock = threading.Lock()

    def read_lines() -> None:
        for line in child.stdout:
            m = STAGE_LINE.match(line)
            if m:
                with lock:
                    stages.append([m.group(1), float(m.group(2)), current[0]])
                    current[0] = 0
            elif line.strip():
                print("  " + line.rstrip(), flush=True)
    reader = threading.Thread(target=read_lines, daemon=True)
    reader.start()
    while child.poll() is None:
        pss = tree_pss_kb(child.pid)
        with lock:
            current[0] = max(current[0], pss)
        time.sleep(args.every)
    reader.join()
    wall = time.perf_counter() - started
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    for name, seconds, peak in stages:
        print(f"  {name:<16} {seconds:8.2f} s   peak {peak / 1024:7.0f} MB")
    print(f"  whole build: wall {wall:.1f} s, CPU {kids.ru_utime:.1f} s user + {kids.ru_stime:.1f} s system, "
          f"peak {max((s[2] for s in stages), default=0) / 1024:.0f} MB (tree PSS), exit {child.returncode}")


if __name__ == "__main__":
    main()
