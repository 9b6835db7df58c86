#!/usr/bin/env python3
"""Paired timing of two built sites' search in one Chromium (prints figures; not a test).

    python benchmarks/search_ab.py SITE_A SITE_B QUERIES.txt [--rounds N] [--json OUT]

QUERIES.txt: one query a line, the first the cold one (e.g. the harness's queries, one a line). Each site
is served by the shared harness's own server class (`eval.py`: one thread and one connection a request,
text gzipped), each round opens a fresh page per site, and query by query the two sites are timed one
after the other in a random order, `await window.archiveSearch(q)` measured in the page as the harness
does. On a shared machine load drifts over minutes; pairing puts both sites under the same load, so
this is the tool for an A/B claim, and the harness (`benchmarks/scale.py`) for the figures themselves.
Prints per site the later queries' median / p90 / p95 / max ms and requests, and on how many queries A
was faster.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import shutil
import statistics
import threading
from pathlib import Path

HARNESS = Path(os.environ.get("SEARCH_EVAL_DIR", "/work/shared/search_eval"))
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
TIMED = """async (q) => {
  const t0 = performance.now();
  const r = await window.archiveSearch(q);
  return [performance.now() - t0, r.length];
}"""


class Counter:
    """What the harness's handler reports: requests served."""
    def __init__(self):
        self.requests, self.lock = 0, threading.Lock()

    def add(self, path, status, nbytes):
        with self.lock:
            self.requests += 1


def serve(harness, site: str, counter: Counter) -> str:
    server = harness._Server(("127.0.0.1", 0), harness.make_handler(site, counter, b"", True))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def pct(xs, f):
    xs = sorted(xs)
    return xs[int(f * (len(xs) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sites", nargs=2)
    ap.add_argument("queries", type=Path)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright
    spec = importlib.util.spec_from_file_location("search_eval", HARNESS / "eval.py")
    harness = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(harness)
    queries = [q for q in args.queries.read_text(encoding="utf-8").split("\n") if q.strip()]
    counters = [Counter() for _ in args.sites]
    bases = [serve(harness, site, c) for site, c in zip(args.sites, counters)]
    ms = [[[] for _ in queries] for _ in args.sites]
    requests = [[0] * len(queries) for _ in args.sites]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-background-networking", "--disable-component-update"])
        for r in range(args.rounds):
            contexts = [browser.new_context() for _ in args.sites]   # a fresh session (and cache) a round
            pages = [c.new_page() for c in contexts]
            for page, base in zip(pages, bases):
                page.goto(base + "/search/")
                page.wait_for_function("typeof window.archiveSearch === 'function'")
            order = random.Random(r)
            for i, q in enumerate(queries):
                for s in order.sample([0, 1], 2):
                    before = counters[s].requests
                    ms[s][i].append(pages[s].evaluate(TIMED, q)[0])
                    requests[s][i] = counters[s].requests - before
            for c in contexts:
                c.close()
        browser.close()
    for s, site in enumerate(args.sites):
        later = [x for row in ms[s][1:] for x in row]
        print(f"{'AB'[s]} {site}: {len(later)} later timings, ms median {statistics.median(later):.1f}, "
              f"p90 {pct(later, .9):.1f}, p95 {pct(later, .95):.1f}, max {max(later):.1f}; "
              f"requests {sum(requests[s][1:])} ({sum(requests[s][1:]) / (len(queries) - 1):.2f} a query)")
    faster = sum(statistics.median(ms[0][i]) < statistics.median(ms[1][i]) for i in range(1, len(queries)))
    print(f"A faster on {faster} of {len(queries) - 1} queries (median of its rounds)")
    if args.json:
        args.json.write_text(json.dumps({"sites": args.sites, "queries": queries, "ms": ms, "requests": requests}))


if __name__ == "__main__":
    main()
