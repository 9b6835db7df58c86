#!/usr/bin/env python3
"""Search budgets and build scale, measured (prints figures; not a timed test).

    python benchmarks/search_speed.py                      # real content + generated 10,000 items
    python benchmarks/search_speed.py --sizes 10000 100000 # also 100,000 items (takes minutes)
    python benchmarks/search_speed.py --pagefind           # also Pagefind 1.5.2 extended on the 10k site

For each corpus: the whole build (`build_site`, index included) runs in a child process whose
process tree is sampled for resident memory (peak of the sum over the tree, every 50 ms); then
the shared harness (eval.py --site-search) measures in headless Chromium the first query
(page + search code + index, gzipped as a static host sends it), later queries (bytes and
archiveSearch ms: median, p95) over the 158 listed queries and 300 sampled ones.

Generated corpora: the real registry's departments are copied to many synthetic counties;
each list has 25 items whose titles and bodies are recombined from sentences of the real items
(numbers re-drawn), so the text has the real character and bigram distribution.
Outputs go to bench-out/ (ignored by git).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
HARNESS = Path(os.environ.get("SEARCH_EVAL_DIR", "/work/shared/search_eval"))
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
OUT = ROOT / "bench-out"
PY = sys.executable

COUNTY_A = "东西南北上下前后左右中安平和兴昌盛泰宁康永福长乐清新华阳江河山湖海林峰川原"
COUNTY_B = "城县州口水丰田台岭桥门堡关庄集镇湾溪岗坪"


# ------------------------------------------------------------------ corpus generator

def generate(root: Path, n_items: int, seed: int = 1) -> None:
    """A project root (registry/, sources/, content/) with about n_items items."""
    from archive.validate import build_archive
    rng = random.Random(seed)
    real, _ = build_archive(ROOT, ROOT / "content")
    sentences, titles, cats = [], [], []
    for it in real.items:
        if it.title:
            titles.append(it.title)
        if it.category:
            cats.append(it.category)
        sentences += [s for s in re.split(r"(?<=[。；;])", it.body.replace("\n", "")) if len(s) > 6]
    depts = yaml.safe_load((ROOT / "registry/departments/shandong-weifang.yaml").read_text(encoding="utf-8"))
    dept_names = [d["name"] for d in depts["departments"]] + [a for d in depts["departments"] for a in d.get("aliases") or []]

    if root.exists():
        shutil.rmtree(root)
    (root / "registry" / "departments").mkdir(parents=True)
    for f in (ROOT / "registry").iterdir():
        if f.is_file() and f.name != "jurisdictions.yaml":
            shutil.copy(f, root / "registry" / f.name)
    shutil.copytree(ROOT / "sources", root / "sources")
    source = sorted(p.name for p in (root / "sources").glob("*.txt"))[0]

    per_list, years = 25, list(range(2015, 2025))
    n_lists = max(1, n_items // per_list)
    batches = 1 if n_lists <= 2000 else 2
    n_counties = max(1, -(-n_lists // (len(years) * batches)))
    names = set()
    counties = []
    while len(counties) < n_counties:
        nm = rng.choice(COUNTY_A) + rng.choice(COUNTY_A + COUNTY_B) + rng.choice("县区市")
        if nm not in names:
            names.add(nm)
            counties.append((f"c{len(counties):04d}", nm))
    children = [{"slug": s, "name": nm} for s, nm in counties]
    juris = [{"slug": "gen", "name": "生成省", "children": children}]
    (root / "registry" / "jurisdictions.yaml").write_text(yaml.safe_dump(juris, allow_unicode=True), encoding="utf-8")
    for slug, _ in counties:
        d = dict(depts, jurisdiction=f"gen/{slug}")
        (root / "registry" / "departments" / f"gen-{slug}.yaml").write_text(
            yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")

    def numbers(s: str) -> str:
        return re.sub(r"\d+", lambda m: str(rng.randrange(1, 10 ** len(m.group(0)) + 1)), s)

    made = 0
    for li in range(n_lists):
        slug, cname = counties[li % n_counties]
        year = years[(li // n_counties) % len(years)]
        batch = 1 + li // (n_counties * len(years))
        folder = root / "content" / f"{slug}-{year}-{batch}"
        folder.mkdir(parents=True)
        meta = {"jurisdiction": f"gen/{slug}", "year": year, "batch": batch,
                "title": f"{cname}{year}年民生实事项目清单（第{batch}批）", "publisher": f"{cname}人民政府",
                "published": dt.date(year, rng.randrange(1, 13), rng.randrange(1, 29)),
                "source": f"sources/{source}"}
        (folder / "_list.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
        for k in range(1, per_list + 1):
            body = "".join(numbers(rng.choice(sentences)) for _ in range(rng.randrange(2, 7)))
            fm = {"number": k, "title": numbers(rng.choice(titles)), "category": rng.choice(cats) if cats and rng.random() < .6 else "",
                  "deadline": f"{year}年{rng.randrange(1, 13)}月底",
                  "lead": rng.sample(dept_names, rng.choice((1, 1, 1, 2))),
                  "partners": rng.sample(dept_names, rng.randrange(0, 4)),
                  "source_lines": [1, 1]}
            (folder / f"{k:02d}.md").write_text(
                "---\n" + yaml.safe_dump(fm, allow_unicode=True) + "---\n" + body + "\n", encoding="utf-8")
            made += 1
    print(f"generated {made} items in {n_lists} lists, {n_counties} counties -> {root}", flush=True)


# ------------------------------------------------------------------ measured child processes

def tree_rss(pid: int) -> int:
    """Resident bytes of pid and all its descendants."""
    kids: dict[int, list[int]] = {}
    for st in Path("/proc").glob("[0-9]*/stat"):
        try:
            parts = st.read_text().rsplit(")", 1)[1].split()
            kids.setdefault(int(parts[1]), []).append(int(st.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += kids.get(p, [])
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def measured(cmd: list[str], **kw) -> tuple[float, int, str]:
    """Run cmd; return (seconds, peak tree RSS bytes, stdout)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    peak = 0
    out_parts = []
    import threading
    reader = threading.Thread(target=lambda: out_parts.append(proc.stdout.read()), daemon=True)
    reader.start()
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.05)
    reader.join()
    out = "".join(out_parts)
    if proc.returncode:
        raise RuntimeError(f"{cmd} failed:\n{out[-3000:]}")
    return time.perf_counter() - t0, peak, out


BUILD = """
import sys, json, time
from pathlib import Path
from archive.validate import build_archive
from archive.commands.build import build_site
root, out = Path(sys.argv[1]), Path(sys.argv[2])
t = time.perf_counter()
archive, problems = build_archive(root, root / "content")
errors = [p for p in problems if p.is_error]
assert not errors, errors[:5]
t_model = time.perf_counter() - t
t = time.perf_counter()
stats = build_site(archive, root, out, index=True, jobs=2)
pages_s = time.perf_counter() - t - stats.index_seconds
print("STATS " + json.dumps({"items": len(archive.items), "model_s": t_model, "pages": stats.pages,
      "pages_s": pages_s, "index_s": stats.index_seconds, "index": stats.index}))
"""


def build(root: Path, out: Path) -> dict:
    secs, peak, text = measured([PY, "-c", BUILD, str(root), str(out)], cwd=ROOT)
    stats = json.loads(text.split("STATS ", 1)[1])
    stats.update(build_s=secs, peak_rss=peak)
    return stats


def browse(site: Path, sample: int, seed: int) -> dict:
    """The harness in --site-search mode: bytes and ms per query."""
    js = Path(tempfile.mkstemp(suffix=".json")[1])
    queries = HARNESS / "queries.tsv"
    cmd = [PY, str(HARNESS / "eval.py"), str(site), str(queries), "--site-search", "--pagefind-text",
           "--sample", str(sample), "--seed", str(seed), "--json", str(js), "--chromium", CHROMIUM]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=4 * 3600)   # its truth at 100,000 items: 30+ min under load
    data = json.loads(js.read_text())
    js.unlink()
    qs = data["queries"]
    warm = [q for q in qs[1:]]
    ms = sorted(q["ms"] for q in warm if q.get("ms") is not None)
    by = sorted(q.get("bytes", 0) for q in warm)
    requests = [q.get("requests", 0) for q in warm]
    cold = qs[0]
    last = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr[-500:]
    return {"quality": last, "cold_bytes": data["perf"]["cold_bytes"],
            "cold_query": cold["query"], "perf": {k: v for k, v in data["perf"].items() if not isinstance(v, (list, dict))},
            "ms_median": statistics.median(ms), "ms_p95": ms[int(.95 * (len(ms) - 1))], "ms_max": ms[-1],
            "bytes_median": statistics.median(by), "bytes_p90": by[int(.9 * (len(by) - 1))], "bytes_max": by[-1],
            "requests_mean": statistics.mean(requests), "requests_max": max(requests),
            "queries": len(qs)}


def pagefind(site: Path) -> dict:
    tmp = Path(tempfile.mkdtemp())
    secs, peak, _ = measured([PY, "-m", "pagefind", "--site", str(site), "--output-path", str(tmp / "pf")])
    size = sum(p.stat().st_size for p in (tmp / "pf").rglob("*") if p.is_file())
    shutil.rmtree(tmp)
    return {"seconds": secs, "peak_rss": peak, "bundle_bytes": size}


def report(name: str, b: dict, s: dict | None) -> None:
    mb = b["peak_rss"] / 2 ** 20
    print(f"\n== {name}: {b['items']} items, {b['pages']} pages")
    print(f"build: {b['build_s']:.1f} s wall (model {b['model_s']:.1f}, pages {b['pages_s']:.1f}, "
          f"index {b['index_s']:.1f}); peak memory {mb:,.0f} MB (whole process tree)")
    ix = b["index"]
    print(f"index: {ix['postings_bytes']:,} B postings in {ix['shards']} shards "
          f"(median {ix['shard_bytes_median']:,} B, max {ix['shard_bytes_max']:,} B); "
          f"manifest {ix['manifest_bytes']:,} B ({ix['manifest_gzip_bytes']:,} B gzipped)")
    if s:
        print(f"first query ({s['cold_query']}), page + code + index: {s['cold_bytes']:,} B gzipped")
        print(f"later queries: bytes median {s['bytes_median']:,.0f}, p90 {s['bytes_p90']:,}, max {s['bytes_max']:,}")
        print(f"archiveSearch: median {s['ms_median']:.1f} ms, p95 {s['ms_p95']:.1f} ms, max {s['ms_max']:.1f} ms "
              f"over {s['queries']} queries")
        print(f"quality: {s['quality']}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[10000])
    ap.add_argument("--sample", type=int, default=300)
    ap.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--pagefind", action="store_true", help="also index the 10k site with Pagefind extended")
    args = ap.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    sys.path.insert(0, str(ROOT))
    print(f"seed {args.seed}")
    results = {}
    site = OUT / "real-site"
    b = build(ROOT, site)
    s = None if args.no_browser else browse(site, args.sample, args.seed)
    report("real content", b, s)
    results["real"] = {"build": b, "search": s}
    for n in args.sizes:
        root = OUT / f"corpus-{n}"
        generate(root, n)
        site = OUT / f"site-{n}"
        b = build(root, site)
        s = None if args.no_browser or n > 20000 else browse(site, args.sample, args.seed)
        report(f"generated {n}", b, s)
        results[str(n)] = {"build": b, "search": s}
        if args.pagefind and n <= 20000:
            pf = pagefind(site)
            print(f"pagefind 1.5.2 extended on the same site: {pf['seconds']:.1f} s, "
                  f"peak {pf['peak_rss'] / 2 ** 20:,.0f} MB, bundle {pf['bundle_bytes']:,} B")
            results[str(n)]["pagefind"] = pf
        shutil.rmtree(root)
    (OUT / "search_speed.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
