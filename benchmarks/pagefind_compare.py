#!/usr/bin/env python3
"""Pagefind fed bigram tokens, with exact verification in the browser: measured against our index.

    python benchmarks/pagefind_compare.py SITE_DIR OUT_DIR [--eval] [--sample 300 --seed 7]

The issue asked for Pagefind either as the extended binary (measured: docs/search.md) or fed
"text it can match without segmenting". This is the second way, built as fairly as we could:

* OUT_DIR = a copy of SITE_DIR (built with `build.py --no-index`) whose /search/ page is replaced.
* Each item page's visible `data-pagefind-body` text comes back from its HTML with the same
  helpers our own index uses (`archive.search.text`: the harness's `--pagefind-text` rules), is
  normalised (NFKC, casefold, whitespace removed; blocks kept apart) and turned into tokens:
  every character bigram inside a block, plus (last character, END) per block, each written as a
  fixed-length lowercase ASCII word (4 base-26 letters per code point, 8 per token). Pagefind's
  indexer and pagefind.js's Intl.Segmenter leave such words whole; the record's language (`zz`)
  has no stemmer. Because every indexed word has the same length, Pagefind's prefix matching is
  exact matching for an 8-letter query word, and a 4-letter query word (a one-character term)
  prefix-matches every bigram that starts with that character: no unigram tokens are needed.
* Records go through Pagefind's Python API (`PagefindIndex.add_custom_record`, one record per
  item: content = the item's distinct tokens, meta `t` = its normalised text, blocks joined by
  "\\n"), with the DEFAULT pagefind.js search on the page.
* `window.archiveSearch(q)`: terms and normalisation from our engine.js (`splitTerms`, `norm`),
  Traditional folding with its t2s table (fetched only when the query has a character it may
  change); one Pagefind search per combination of term variants, asking for the AND of every
  token of every term; then `data()` of every candidate (Pagefind keeps the URL only in the
  fragment, so every result costs a fragment) and an exact substring check of each term against
  meta `t`. Returns all verified URLs, in Pagefind's order.

The indexing step runs in a child process whose process tree is polled for resident memory (the
Python side holding the records plus the `pagefind` binary; the binary's own subtree is reported
separately). `--eval` runs the shared harness on OUT_DIR like benchmarks/search_speed.py does.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

LANG = "zz"              # no stemmer, no segmenter rules of a real language
BASE = 26
WIDTH = 4                # letters per code point: 26**4 = 456,976 > every assigned BMP..SMP code point
END = BASE ** WIDTH - 1  # "zzzz": end of block
CLAMP = END - 1          # code points >= this share one code (only costs a candidate, never a result)


def enc(cp: int) -> str:
    cp = min(cp, CLAMP)
    out = []
    for _ in range(WIDTH):
        cp, r = divmod(cp, BASE)
        out.append(chr(97 + r))
    return "".join(reversed(out))


def doc_tokens(blocks: list[str]) -> list[str]:
    toks = set()
    for b in blocks:
        cps = [ord(c) for c in b]
        for a, c in zip(cps, cps[1:] + [END]):
            toks.add(enc(a) + (enc(c) if c != END else "zzzz"))
    return sorted(toks)


def url_of(site: Path, page: Path) -> str:
    rel = page.relative_to(site).as_posix()
    if rel == "index.html":
        return "/"
    if rel.endswith("/index.html"):
        return "/" + rel[: -len("index.html")]
    return "/" + rel


def extract(site: Path) -> list[dict]:
    from archive.search.text import norm_blocks, page_blocks
    recs = []
    for page in sorted(site.rglob("*.html")):
        if page.parts[len(site.parts)] in ("pagefind", "search"):
            continue
        blocks = page_blocks(page.read_text(encoding="utf-8"))
        if blocks is None:
            continue
        nb = norm_blocks(blocks)
        recs.append({"url": url_of(site, page), "content": " ".join(doc_tokens(nb)), "t": "\n".join(nb)})
    return recs


# ------------------------------------------------------------------ indexing (child process)

def index_child(records_json: str, out_dir: str) -> None:
    import asyncio
    from pagefind.index import PagefindIndex

    recs = json.loads(Path(records_json).read_text(encoding="utf-8"))
    if os.environ.get("PFC_STOCK_WRAPPER") != "1":
        # pagefind 1.5.2's Python service reads one response per `asyncio.sleep(0.1)` poll, so
        # records cost >= 0.1 s each whatever the binary does (174 items: 18.6 s). Poll without
        # the sleep and pipeline the requests; the binary's work is unchanged.
        import types
        import pagefind.service as svc

        async def _no_sleep(_delay, *a, **k):
            await asyncio.sleep(0)
        svc.asyncio = types.SimpleNamespace(**{n: getattr(asyncio, n) for n in dir(asyncio) if not n.startswith("__")})
        svc.asyncio.sleep = _no_sleep

    async def run():
        # the context writes the bundle once, on exit, to the configured output_path
        async with PagefindIndex(config={"force_language": LANG, "output_path": out_dir}) as ix:
            for i in range(0, len(recs), 256):
                await asyncio.gather(*(ix.add_custom_record(url=r["url"], content=r["content"], language=LANG,
                                                            meta={"t": r["t"]}) for r in recs[i:i + 256]))

    asyncio.run(run())


def rss_of(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def index_measured(records_json: Path, out_dir: Path) -> dict:
    from search_speed import tree_rss
    cmd = [sys.executable, __file__, "--index-child", str(records_json), str(out_dir)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    out: list[str] = []
    th = threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True)
    th.start()
    peak_tree = peak_pf = 0
    while proc.poll() is None:
        tree = tree_rss(proc.pid)
        peak_tree = max(peak_tree, tree)
        peak_pf = max(peak_pf, tree - rss_of(proc.pid))
        time.sleep(0.05)
    th.join()
    secs = time.perf_counter() - t0
    if proc.returncode:
        raise RuntimeError("indexing failed:\n" + "".join(out)[-3000:])
    return {"seconds": secs, "peak_tree_rss": peak_tree, "peak_pagefind_rss": peak_pf}


# ------------------------------------------------------------------ the /search/ page

PAGE = r"""<!doctype html>
<html lang="zz">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>搜索（Pagefind + 二字词元）</title><link rel="icon" href="data:,"></head>
<body>
<main><h1>搜索</h1>
<form id="f"><input id="q" type="search" name="q" aria-label="搜索"> <button>搜索</button></form>
<p id="st" aria-live="polite"></p><ol id="res"></ol></main>
<script type="module">
import { norm, splitTerms, makeT2s } from "__ENGINE__";
const TMASK = Uint8Array.from(atob("__TMASK__"), (c) => c.charCodeAt(0));
const END = "zzzz", CLAMP = 26 ** 4 - 2;
const enc = (cp) => {
  cp = Math.min(cp, CLAMP);
  let s = "";
  for (let i = 0; i < 4; i++) { s = String.fromCharCode(97 + (cp % 26)) + s; cp = Math.floor(cp / 26); }
  return s;
};
// Tokens Pagefind is asked for (AND): a one-character term is a 4-letter prefix of every bigram
// that starts with it (each block ends with a (char, END) bigram); longer terms: all their bigrams.
const tokens = (t) => {
  const cps = Array.from(t, (c) => c.codePointAt(0));
  if (cps.length === 1) return [enc(cps[0])];
  const out = new Set();
  for (let i = 0; i + 1 < cps.length; i++) out.add(enc(cps[i]) + enc(cps[i + 1]));
  return [...out];
};
const pagefind = await import("/pagefind/pagefind.js");
await pagefind.init();
let t2s = null, t2sP = null;
async function needT2s(q) {
  if (t2s) return;
  let need = false;
  for (const c of q) {
    const cp = c.codePointAt(0);
    if (cp < 0x2e80) continue;
    if (cp < 0x3400 || cp >= 0xa000) { need = true; break; }
    const i = cp - 0x3400;
    if (TMASK[i >> 3] & (1 << (i & 7))) { need = true; break; }
  }
  if (!need) return;
  t2sP ??= fetch("__T2S__").then((r) => r.json()).then((t) => { t2s = makeT2s(t); });
  await t2sP;
}
window.archiveSearch = async (q) => {
  await needT2s(q);
  const terms = splitTerms(q).map(({ raw, t }) => {
    const alts = new Set([t]);
    if (t2s) { const s = norm(t2s(raw)); if (s) alts.add(s); }
    return [...alts];
  });
  if (!terms.length) return [];
  // one Pagefind search per combination of variants (almost always one)
  let combos = [[]];
  for (const alts of terms) combos = combos.flatMap((c) => alts.map((a) => [...c, a]));
  const seen = new Map();
  for (const combo of combos) {
    const words = [...new Set(combo.flatMap(tokens))].join(" ");
    const r = await pagefind.search(words);
    for (const x of r.results) if (!seen.has(x.id)) seen.set(x.id, x);
  }
  // Pagefind's results carry no URL: load every candidate's fragment, verify exactly.
  const data = await Promise.all([...seen.values()].map((x) => x.data()));
  const out = [];
  for (const d of data) {
    const text = d.meta.t || "";
    if (terms.every((alts) => alts.some((a) => text.includes(a)))) out.push(d.url);
  }
  return out;
};
const form = document.getElementById("f"), qi = document.getElementById("q");
async function show(q) {
  const urls = await window.archiveSearch(q);
  document.getElementById("st").textContent = `${urls.length} 条结果`;
  const ol = document.getElementById("res");
  ol.replaceChildren(...urls.slice(0, 50).map((u) => {
    const li = document.createElement("li"), a = document.createElement("a");
    a.href = u; a.textContent = u; li.append(a); return li;
  }));
}
form.addEventListener("submit", (e) => { e.preventDefault(); show(qi.value); });
const q0 = new URLSearchParams(location.search).get("q");
if (q0) { qi.value = q0; show(q0); }
</script>
</body></html>
"""


def write_page(out: Path) -> None:
    from archive.search.writer import t2s_mask
    engine = sorted((out / "static" / "search").glob("engine*.js"))
    t2s = sorted((out / "static" / "search").glob("t2s*.json"))
    if not engine or not t2s:
        raise SystemExit("site has no static/search/engine*.js or t2s*.json")
    page = (PAGE.replace("__ENGINE__", url_of(out, engine[0])).replace("__T2S__", url_of(out, t2s[0]))
            .replace("__TMASK__", t2s_mask()))
    (out / "search").mkdir(exist_ok=True)
    (out / "search" / "index.html").write_text(page, encoding="utf-8")


def dir_bytes(p: Path) -> tuple[int, int]:
    files = [f for f in p.rglob("*") if f.is_file()]
    return sum(f.stat().st_size for f in files), len(files)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--index-child"]:
        index_child(argv[1], argv[2])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--eval", action="store_true", help="run the shared harness on OUT (--site-search --pagefind-text)")
    ap.add_argument("--sample", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args(argv)

    if args.out.exists():
        shutil.rmtree(args.out)
    shutil.copytree(args.site, args.out)
    for old in ("pagefind",):
        if (args.out / old).exists():
            shutil.rmtree(args.out / old)
    t = time.perf_counter()
    recs = extract(args.out)
    t_extract = time.perf_counter() - t
    ntok = sum(r["content"].count(" ") + 1 for r in recs)
    print(f"{len(recs)} item pages, {ntok:,} tokens (distinct per item), extracted in {t_extract:.1f} s", flush=True)
    rj = args.out.parent / (args.out.name + ".records.json")
    rj.write_text(json.dumps(recs, ensure_ascii=False), encoding="utf-8")
    del recs
    ix = index_measured(rj, args.out / "pagefind")
    rj.unlink()
    size, nfiles = dir_bytes(args.out / "pagefind")
    frag, nfrag = dir_bytes(args.out / "pagefind" / "fragment")
    idx, nidx = dir_bytes(args.out / "pagefind" / "index")
    write_page(args.out)
    fig = {"item_pages": sum(1 for _ in (args.out / "pagefind" / "fragment").iterdir()), "tokens": ntok,
           "extract_s": t_extract, "index": ix, "bundle_bytes": size, "bundle_files": nfiles,
           "fragment_bytes": frag, "fragments": nfrag, "index_chunk_bytes": idx, "index_chunks": nidx}
    print(f"pagefind (Python API + binary): {ix['seconds']:.1f} s, peak {ix['peak_tree_rss'] / 2**20:,.0f} MB "
          f"tree ({ix['peak_pagefind_rss'] / 2**20:,.0f} MB the pagefind binary); bundle {size:,} B in {nfiles} files "
          f"(index chunks {idx:,} B in {nidx}, fragments {frag:,} B in {nfrag})", flush=True)
    if args.eval:
        from search_speed import browse
        s = browse(args.out, args.sample, args.seed)
        fig["search"] = s
        print(f"first query ({s['cold_query']}), page + code + index + fragments: {s['cold_bytes']:,} B")
        print(f"later queries: bytes median {s['bytes_median']:,.0f}, p90 {s['bytes_p90']:,}, max {s['bytes_max']:,}")
        print(f"archiveSearch: median {s['ms_median']:.1f} ms, p95 {s['ms_p95']:.1f} ms, max {s['ms_max']:.1f} ms "
              f"over {s['queries']} queries")
        print(f"quality: {s['quality']}")
    if args.json:
        args.json.write_text(json.dumps(fig, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
