#!/usr/bin/env python3
"""Time the open-data stage and the feeds on a generated corpus, on their own, and show that memory stays
flat: the CSVs and items.json are streamed, so the stage must raise the process's peak memory by far less
than the size of what it writes.

    python benchmarks/opendata_speed.py N [--work DIR] [--seed S]

Makes (or reuses) a corpus of N items with make_corpus.py, loads it once, then runs write_open_data into a
scratch folder and feeds() in memory, printing wall and CPU time (the machine is shared: CPU time is the steadier figure), bytes and files written, and how much each stage
raised the process's peak resident memory (ru_maxrss) above what loading the corpus had already reached.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
import resource
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.commands.build import site_config   # noqa: E402
from archive.downloads import write_open_data     # noqa: E402
from archive.feeds import feeds                   # noqa: E402
from archive.validate import build_archive        # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--work", type=Path, default=Path("/tmp/opendata-bench"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    project = args.work / f"corpus-{args.n}"
    if not (project / "content").is_dir():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), str(args.n), str(project),
                        "--seed", str(args.seed)], check=True)
    started = time.perf_counter()
    archive, _ = build_archive(project, project / "content")
    print(f"{len(archive.items):,} items in {len(archive.lists):,} lists, loaded in {time.perf_counter() - started:.1f} s")
    out = args.work / "out"
    shutil.rmtree(out, ignore_errors=True)

    def write(path: str, chunks) -> int:
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as f:
            return sum(f.write(c) for c in chunks)

    config = site_config()
    for name, stage in [("open data", lambda: write_open_data(archive, config["base_url"], write)),
                        ("feeds", lambda: feeds(archive, config))]:
        before = peak_kb()
        started, cpu = time.perf_counter(), time.process_time()
        result = stage()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        raised = (peak_kb() - before) * 1024
        if name == "open data":
            total = sum(d.bytes for d in result.values())
            largest = max(result.values(), key=lambda d: d.bytes)
        else:
            total, largest = sum(map(len, result.values())), None
        print(f"{name}: {seconds:.1f} s wall, {cpu:.1f} s CPU (user + system), {len(result):,} files, {total / 1e6:.1f} MB written"
              + (f" (largest {largest.path}: {largest.bytes / 1e6:.1f} MB)" if largest else "")
              + f", peak memory raised by {raised / 1e6:.1f} MB (peak now {peak_kb() / 1e3:.0f} MB)")


def peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    main()
