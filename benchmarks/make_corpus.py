#!/usr/bin/env python3
"""Write a synthetic project of N items, recombined from the real content, for benchmarks.

    python benchmarks/make_corpus.py N DIR [--seed S]

DIR gets the layout `build.py --content DIR/content` expects (the content folder's parent holds registry/
and sources/): DIR/content/<list>/…, DIR/registry/ (jurisdictions, departments, and copies of the project's
other registries), DIR/sources/<list>.txt. About 300 jurisdictions (20 provinces of 14 cities) and 7 years;
titles, categories, sentences, deadlines and department names all come from the real lists, and every
item's source_lines point at the lines the generator wrote for it. The same N and seed give the same bytes.
"""
from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
from pathlib import Path

import yaml
from pypinyin import lazy_pinyin

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.validate import build_archive   # noqa: E402

PROVINCES = 20
CITIES = 14
YEARS = range(2018, 2025)
ITEMS_PER_LIST = 5            # below this many items per list, fewer lists are made
DEPARTMENTS_PER_CITY = 30
CHARS = "安平河阳江宁德兴华东西南北山海泉清源昌明泰和庆丰康临长新福永嘉成文武秀云青金宝汉"


class Pool:
    """Everything recombinable, taken from the real content."""

    def __init__(self):
        archive, problems = build_archive(ROOT, ROOT / "content")
        if any(p.is_error for p in problems):
            sys.exit("the project's own content has errors; run build.py check")
        items = archive.items
        self.titles = sorted({i.title for i in items if i.title})
        self.categories = sorted({i.category for i in items if i.category}) + [""] * 5
        self.deadlines = sorted({i.deadline_text for i in items if i.deadline_text}) + [""]
        sentences = set()
        for item in items:
            for line in item.body.splitlines():
                line = re.sub(r"^\d+\.\s*", "", line.strip())
                sentences.update(s + "。" for s in line.split("。") if len(s) > 8)
        self.sentences = sorted(sentences)
        # Departments with the printed names that resolve to them; one registry may not give a name twice.
        departments, seen = {}, set()
        for d in archive.departments.values():
            printed = {d.name, *d.aliases}
            if d.slug not in departments and not printed & seen:
                departments[d.slug] = (d.name, d.aliases)
                seen |= printed
        self.departments = sorted(departments.items())
        self.generic = ["各县市区", "各街道", "有关部门"]


def names(rng: random.Random, count: int, suffix: str, taken: set[str]) -> list[str]:
    """`count` two-character names whose pinyin slugs are not yet `taken` (同音 names would share a URL)."""
    combos = sorted({a + b for a in CHARS for b in CHARS if a != b})
    rng.shuffle(combos)
    chosen = []
    for combo in combos:
        slug = slug_of(combo + suffix)
        if slug not in taken:
            taken.add(slug)
            chosen.append(combo + suffix)
            if len(chosen) == count:
                return chosen
    raise ValueError("not enough distinct names")


def slug_of(name: str) -> str:
    return "".join(lazy_pinyin(name[:-1]))


def make(n: int, out: Path, seed: int) -> None:
    rng = random.Random(seed)
    pool = Pool()
    if out.exists():
        shutil.rmtree(out)
    (out / "registry" / "departments").mkdir(parents=True)
    (out / "sources").mkdir()
    (out / "content").mkdir()
    for name in ("schema.yaml", "generic.yaml", "deadlines.yaml", "topics.yaml", "status.yaml"):
        shutil.copy(ROOT / "registry" / name, out / "registry" / name)

    tree, cities, taken = [], [], set()
    for province in names(rng, PROVINCES, "省", taken):
        entry = {"slug": slug_of(province), "name": province, "children": []}
        for city in names(rng, CITIES, "市", taken):
            entry["children"].append({"slug": slug_of(city), "name": city})
            cities.append((f"{entry['slug']}/{slug_of(city)}", city))
        tree.append(entry)
    dump(out / "registry" / "jurisdictions.yaml", tree)

    city_departments = {}
    for path, _ in cities:
        chosen = rng.sample(pool.departments, min(DEPARTMENTS_PER_CITY, len(pool.departments)))
        city_departments[path] = chosen
        dump(out / "registry" / "departments" / f"{path.replace('/', '-')}.yaml", {
            "jurisdiction": path,
            "departments": [{"slug": s, "name": name, "aliases": list(aliases)} for s, (name, aliases) in chosen]})

    slots = [(path, city, year) for path, city in cities for year in YEARS]
    list_count = max(1, min(len(slots), n // ITEMS_PER_LIST))
    slots = sorted(rng.sample(slots, list_count))
    per_list = [n // list_count + (1 if k < n % list_count else 0) for k in range(list_count)]
    for (path, city, year), count in zip(slots, per_list):
        write_list(out, rng, pool, path, city, year, count, city_departments[path])


def write_list(out: Path, rng: random.Random, pool: Pool, path: str, city: str, year: int, count: int,
               departments: list) -> None:
    list_id = f"{path.replace('/', '-')}-{year}"
    title = f"{city}{year}年重点民生实事项目清单"
    folder = out / "content" / list_id
    folder.mkdir()
    source = [title, "", f"{city}人民政府办公室 {year}年3月1日", ""]
    for number in range(1, count + 1):
        item_title = rng.choice(pool.titles)
        body = "\n\n".join(rng.sample(pool.sentences, rng.randint(1, 4)))
        deadline = rng.choice(pool.deadlines)
        lead = [printed(rng, departments)]
        partners = [printed(rng, departments) for _ in range(rng.randint(0, 3))]
        if rng.random() < 0.1:
            partners.append(rng.choice(pool.generic))
        partners = [p for p in dict.fromkeys(partners) if p not in lead]
        first = len(source) + 1
        source += [f"{number}. {item_title}", body.replace("\n\n", "\n"), f"完成时限:{deadline}",
                   f"牵头部门:{'、'.join(lead)}" + (f" 配合部门:{'、'.join(partners)}" if partners else ""), ""]
        front = {"number": number, "title": item_title, "category": rng.choice(pool.categories),
                 "deadline": deadline, "lead": lead, "partners": partners,
                 "source_lines": [first, len(source) - 1],
                 "flags": ["redacted"] if "**" in item_title + body else []}
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False, default_flow_style=None) \
            + "---\n" + body + "\n"
        (folder / f"{number:02d}.md").write_text(text, encoding="utf-8")
    (out / "sources" / f"{list_id}.txt").write_text("\n".join(source) + "\n", encoding="utf-8")
    dump(folder / "_list.yaml", {"jurisdiction": path, "year": year, "title": title,
                                 "publisher": f"{city}人民政府办公室", "published": f"{year}-03-01",
                                 "source": f"sources/{list_id}.txt"})


def printed(rng: random.Random, departments: list) -> str:
    _, (name, aliases) = rng.choice(departments)
    return rng.choice((name,) + tuple(aliases))


def dump(path: Path, data) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    # Dates stay dates: safe_dump quotes "2021-03-01" strings, which the schema would then reject.
    path.write_text(re.sub(r"published: '(\d{4}-\d\d-\d\d)'", r"published: \1", text), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of items")
    parser.add_argument("dir", type=Path, help="project folder to (re)create")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    make(args.n, args.dir, args.seed)
    print(f"wrote {args.n} items to {args.dir / 'content'}")


if __name__ == "__main__":
    main()
