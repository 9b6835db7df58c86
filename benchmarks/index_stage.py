"""The search-index stage alone, over a site a full build already wrote: its time, CPU and memory.

    python benchmarks/index_stage.py CONTENT SITE OUT [--warm] [--texts] [--edit N] [--where] [--profile N] [--compare REF]

CONTENT: the corpus's content folder; SITE: a site `build.py --content CONTENT --out SITE` wrote (its
`.cache/` beside it); OUT: where this run writes the index files (never into SITE). Without `--warm` the
stage runs as in a clean build (every item page's HTML is read, every index file written); with it, as
in a rebuild where nothing changed (page digests from the cache's listing of SITE, page text and the
postings from the cache, and, as the build's Writer does, only index files whose digest differs from
SITE's are written); `--texts` gives the stage every item page's text as the render workers of a build
do (search.handover.ItemTexts, read and normalised before the stage is timed, but no fragment written), so that no page is read back; `--edit N` reads N item pages, spread over the corpus, as if each had a sentence
more (with `--warm`: a rebuild after N edits). The postings the stage keeps for the next build go to
OUT.search-cache (a clean run starts from none; a warm one from a copy of SITE's).
The cache is taken as that build left it, whatever the code is now, and never saved.
`--compare REF` checks every index file this run produced (by digest) against a folder holding an index
(e.g. a copy of SITE/search/i made with another version of the code), or against OUT.digests.json, the
digests of every index file, which each run writes: same names, same bytes.

Prints wall and CPU seconds of the stage (its workers included), the process's resident size before it
and its peak during it (VmHWM, reset before the stage), and the peak of its forked workers; `--where`
samples the resident size and says where the stage was at its highest; `--profile N` prints cProfile's
N costliest functions.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import shutil
import sys
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import archive.cache as archive_cache  # noqa: E402
import archive.cache.blocks as blocks_cache  # noqa: E402
import archive.cache.content as content_cache  # noqa: E402
import archive.search_index as search_index  # noqa: E402
from archive.cache import BuildCache, digest  # noqa: E402
from archive.commands.build import cache_folder, load_content  # noqa: E402
from archive.search.handover import ItemTexts  # noqa: E402
from archive.search.text import norm  # noqa: E402
from archive.search_index import INDEX_DIR, build_index  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from build_speed import tree_pss_kb  # noqa: E402


class FolderWriter:
    """What build_index needs of the build's Writer: `files`, the digests of the pages written (and of every
    file written since), and `write` and `keep`, which (as the Writer does) digest every file and write only
    those whose digest differs from what `held` lists (the cache's listing of SITE, in a warm run)."""

    def __init__(self, out: Path, files: dict, held: Path | None = None):
        self.out = out
        self.had = files if held else {}
        self.files = dict(files)
        self.held = held
        self.digests: dict[str, str] = {}
        self.written = 0

    def write(self, path: str, data: bytes) -> int:
        found = digest(data)
        if not self.keep(path, found):
            target = self.out / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            self.written += 1
            self.digests[path] = found
            self.files[path] = [found]
        return len(data)

    def keep(self, path: str, found: str) -> bool:
        had = self.had.get(path)
        if had is None or had[0] != found:
            return False
        os.stat(os.path.join(self.held, path))              # as the Writer checks the file is untouched
        self.digests[path] = found
        self.files[path] = had
        return True


def rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


class PeakWhere:
    """Samples the resident size every 20 ms; at each new high, where the main thread is (--where). Every
    100 ms also the PSS of this process and its forked workers (benchmarks/build_speed.py): a child's memory
    (read_pages' parsers), and what either side copies after a fork, is in no single process's resident size."""

    def __init__(self):
        self.tree, self.tree_where, self.ticks = 0, "", 0
        self.peak, self.where, self.done = 0.0, "", threading.Event()
        self.main = threading.main_thread().ident
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.done.wait(0.02):
            now = rss_mb("VmRSS")
            if now > self.peak:
                self.peak, self.where = now, self.stack()
            self.ticks += 1
            if self.ticks % 5 == 0:
                pss = tree_pss_kb(os.getpid()) / 1024
                if pss > self.tree:
                    self.tree, self.tree_where = pss, self.stack()

    def stack(self) -> str:
        frame = sys._current_frames().get(self.main)
        stack = traceback.extract_stack(frame)[-4:] if frame else []
        return " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(stack))

    def stop(self) -> str:
        self.done.set()
        self.thread.join()
        return (f"sampled peak {self.peak:.0f} MB at {self.where}\n"
                f"tree PSS peak {self.tree:.0f} MB (this process and its workers) at {self.tree_where}")


def edit_pages(n: int) -> None:
    """N items' pages, spread evenly, read as if a sentence had been added to their first block."""
    read = search_index.read_pages

    def edited(site_dir, paths, writer=None, cache=None, texts=None):
        found, shown, digests, handed = read(site_dir, paths, writer, cache, texts)
        for k in range(n):
            d = k * len(found) // n
            if found[d]:
                first, sep, rest = found[d].partition("\n")
                found[d] = first + norm("新增一句用于测试的正文。") + sep + rest
                if shown[d]:
                    shown[d] = [shown[d][0] + "新增一句用于测试的正文。", *shown[d][1:]]
                digests[d] = handed[d] = None            # not the page's bytes any more
        return found, shown, digests, handed
    search_index.read_pages = edited


def cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def compare(digests: dict, ref: Path) -> int:
    """Files whose digest differs from the one this run computed, or that only one side has. `ref`: a
    folder, or the digests another run listed (a warm run writes only some of the files)."""
    if ref.is_file():
        theirs = json.loads(ref.read_bytes())
        bad = sorted(digests.keys() ^ theirs.keys()) + [p for p in digests.keys() & theirs.keys() if theirs[p] != digests[p]]
        print(f"compared {len(theirs)} digests from {ref}: {len(bad)} differ" + (f", e.g. {bad[:5]}" if bad else ""))
        return len(bad)
    theirs = {f"{INDEX_DIR}/{p.relative_to(ref).as_posix()}": p for p in ref.rglob("*") if p.is_file()}
    bad = sorted(digests.keys() ^ theirs.keys())
    bad += [p for p in sorted(digests.keys() & theirs.keys()) if digest(theirs[p].read_bytes()) != digests[p]]
    print(f"compared {len(theirs)} files with {ref}: {len(bad)} differ" + (f", e.g. {bad[:5]}" if bad else ""))
    return len(bad)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("content", type=Path)
    ap.add_argument("site", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--warm", action="store_true", help="as a rebuild where nothing changed")
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="print the N costliest functions")
    ap.add_argument("--where", action="store_true", help="say where the resident size peaked")
    ap.add_argument("--edit", type=int, default=0, metavar="N",
                    help="as if N items spread over the corpus had a sentence more (with --warm: a rebuild after N edits)")
    ap.add_argument("--compare", type=Path, help="an index folder to compare OUT with, file by file")
    ap.add_argument("--texts", action="store_true",
                    help="item pages' text read before the stage, as a build's render workers read it")
    args = ap.parse_args()
    site, out = args.site.resolve(), args.out.resolve()
    if out == site or site in out.parents:
        ap.error("OUT must be outside SITE")
    # The cache is keyed by the code that wrote it; this script compares versions of the index stage over
    # one build's pages, so it takes the cache as that build left it, whatever the code is now.
    key = json.loads((cache_folder(site) / "build.key").read_bytes())
    for module in (archive_cache, content_cache, blocks_cache):
        module.code_version = lambda: key["code"]
    stored = BuildCache.open(cache_folder(site))
    archive, _ = load_content(args.content.resolve(), None, stored.documents)
    memo = out.with_name(out.name + ".search-cache")
    for folder in (out, memo):
        if folder.exists():
            shutil.rmtree(folder)
    if args.warm:
        cache = stored
        files = (cache.tree(site, site.name) or {}).get("files", {})
        if not files:
            ap.error(f"no listing of {site} in its cache: build it with build.py first")
        if (cache_folder(site) / "search").is_dir():       # the postings this build left, patched in a copy
            shutil.copytree(cache_folder(site) / "search", memo)
    else:
        cache = BuildCache(None)                           # as a clean build's: empty, its memo saved
        # the digests of the pages, which a build's Writer knows, but no file held
        files = (stored.tree(site, site.name) or {}).get("files", {})
    cache.search.folder = memo
    if args.edit:
        edit_pages(args.edit)
    del stored.documents
    texts = None
    if args.texts:
        texts = ItemTexts()          # no ids: the fragments are written by the stage, as for pages not rendered
        for item in archive.items:
            path = item.url.lstrip("/") + "index.html"
            found = texts.read((site / path).read_bytes(), "item.html", path, None)
            if found is not None:
                texts.learn(path, found, None)
    out.mkdir(parents=True)
    Path("/proc/self/clear_refs").write_text("5")            # VmHWM := current resident size
    before = rss_mb("VmRSS")
    kids_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    cpu0, t0 = cpu(), time.perf_counter()
    where = PeakWhere() if args.where else None
    prof = cProfile.Profile() if args.profile else None
    if prof:
        prof.enable()
    writer = FolderWriter(out, files, site if args.warm else None)
    stats = build_index(archive, site, writer, cache, texts)
    if prof:
        prof.disable()
    wall, used = time.perf_counter() - t0, cpu() - cpu0
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"index stage ({'warm' if args.warm else 'clean'}), {stats['items']} items: "
          f"wall {wall:.1f} s, CPU {used:.1f} s (workers included); "
          f"RSS before {before:.0f} MB, peak {rss_mb('VmHWM'):.0f} MB "
          f"(+{rss_mb('VmHWM') - before:.0f}); workers' peak "
          f"{kids:.0f} MB" + (" (none started)" if kids <= kids_before else "")
          + f"; {writer.written} of {len(writer.digests)} files written")
    if where:
        print(where.stop())
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(args.profile)
    out.with_name(out.name + ".digests.json").write_text(json.dumps(writer.digests))
    if args.compare:
        return 1 if compare(writer.digests, args.compare) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
