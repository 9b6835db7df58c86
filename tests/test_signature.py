"""Page signatures (archive/pages/signature.py) are never wrong: for every page that has one, an unchanged
signature comes with an unchanged context. A wrong signature would leave a stale page behind the build
cache's back, so this is checked page by page, on a small generated corpus and on the real content, across
the edits of tests/test_cache.py and others that reach a context by other roads (a list's title, a
jurisdiction's name, a department's name, the status registry, a progress report, a source text, the
as-of date).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from archive.commands.build import topics_file
from archive.model import Department, DeptRef, Item, ItemList, Jurisdiction, Progress
from archive.pages import load_topics, plan
from archive.pages.signature import DEPARTMENT_FIELDS, ITEM_FIELDS, LIST_FIELDS, REF_FIELDS
from archive.validate import build_archive
from contentfixture import ROOT
from test_cache import EDITS as BUILD_EDITS, ITEMS, first_item

AS_OF = dt.date(2023, 6, 30)


def snapshot(root: Path, code: Path, as_of: dt.date = AS_OF) -> dict[str, tuple[str, str]]:
    """URL → (signature, context as JSON) of every page that has a signature."""
    archive, problems = build_archive(root, root / "content", as_of=as_of)
    assert not [p for p in problems if p.is_error], problems
    templates = {p.name for p in (code / "templates").glob("*.html")}
    pages = plan(archive, load_topics(topics_file(root)), root, templates, lambda: {})
    found = {}
    for page in pages:
        signature = page.signature()
        if signature is not None:
            found[page.url] = (signature, json.dumps(page.context(), ensure_ascii=False, sort_keys=True))
    return found


# --- edits beyond test_cache's: each reaches some context through something other than an item file --

def retitle_list(code, root):
    path = first_item(root).parent / "_list.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["title"] += "（修订）"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def rename_jurisdiction(code, root):
    """The display name of the jurisdiction of the first list (crumbs, full names, other lists' similar rows)."""
    jurisdiction = yaml.safe_load((first_item(root).parent / "_list.yaml").read_text(encoding="utf-8"))
    path = root / "registry" / "jurisdictions.yaml"
    text = path.read_text(encoding="utf-8")
    entries = yaml.safe_load(text)
    node = {"children": entries}
    for slug in jurisdiction["jurisdiction"].split("/"):
        node = next(n for n in node["children"] if n["slug"] == slug)
    node["display_name"] = node["name"] + "（测试）"
    path.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")


def rename_department(code, root):
    """Every department of the first list's jurisdiction gets a new name (the old one stays an alias)."""
    jurisdiction = yaml.safe_load((first_item(root).parent / "_list.yaml").read_text(encoding="utf-8"))["jurisdiction"]
    path = root / "registry" / "departments" / f"{jurisdiction.replace('/', '-')}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for d in data["departments"]:
        d["aliases"] = list(d.get("aliases") or []) + [d["name"]]
        d["name"] += "（新名）"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def report_progress(code, root):
    """Progress on the first item of each of two lists: a status, the counts, the overdue listings."""
    for path in [sorted(f.glob("*.md"))[0] for f in sorted((root / "content").iterdir())[:2]]:
        head, sep, body = path.read_text(encoding="utf-8").partition("\n---\n")
        entry = ("progress:\n  - date: 2022-10-31\n    status: 已完成\n    as_printed: 已完成\n"
                 "    source: {url: https://example.org/report, title: 进展通报, publisher: 测试}")
        path.write_text(head + "\n" + entry + sep + body, encoding="utf-8")


def change_status_registry(code, root):
    path = root / "registry" / "status.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("slug: yiwancheng", "slug: wancheng"), encoding="utf-8")


def edit_source_text(code, root):
    path = sorted((root / "sources").glob("*.txt"))[0]
    path.write_text(path.read_text(encoding="utf-8").replace("\n", "\n（测试）", 1), encoding="utf-8")


EDITS = BUILD_EDITS + [retitle_list, rename_jurisdiction, rename_department, report_progress,
                       change_status_registry, edit_source_text]


@pytest.fixture(params=["generated", "real"])
def project(request, tmp_path):
    code = tmp_path / "code"
    for name in ("templates", "static"):
        shutil.copytree(ROOT / name, code / name)
    root = tmp_path / "root"
    if request.param == "generated":
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), str(ITEMS), str(root)],
                       check=True, capture_output=True)
    else:
        for name in ("content", "registry", "sources"):
            shutil.copytree(ROOT / name, root / name)
    return code, root


CODE_ONLY = ("change_included_template", "change_site_yaml", "change_stylesheet")    # no context reads them


def test_an_unchanged_signature_means_an_unchanged_context(project):
    code, root = project
    before = snapshot(root, code)
    for edit in EDITS:
        edit(code, root)
        after = snapshot(root, code)
        check(before, after, edit.__name__)
        before = after
    check(before, snapshot(root, code, as_of=dt.date(2031, 1, 1)), "a later as-of date")


def check(before: dict, after: dict, name: str) -> None:
    common = before.keys() & after.keys()
    stale = [url for url in common if before[url][0] == after[url][0] and before[url][1] != after[url][1]]
    assert not stale, f"after {name}, same signature but another context: {stale[:5]}"
    contexts = sum(before[url][1] != after[url][1] for url in common)
    signatures = sum(before[url][0] != after[url][0] for url in common)
    print(f"{name}: {contexts} contexts and {signatures} signatures of {len(common)} changed")
    if name not in CODE_ONLY:
        assert contexts > 0, f"{name} changed no context: this check would prove nothing"
    if name == "edit_item":         # a handful of pages, not the site
        assert signatures < len(common) // 4, (signatures, len(common))


def test_signatures_are_the_same_in_every_process(tmp_path):
    """They are kept between builds: nothing in them may depend on the process (hash seeds, ids)."""
    script = ("import sys, hashlib; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
              "from test_signature import snapshot; "
              "s = snapshot(Path(sys.argv[2]), Path(sys.argv[2])); "
              "print(hashlib.sha256(repr(sorted((u, v[0]) for u, v in s.items())).encode()).hexdigest(), len(s))")
    outputs = []
    for seed in ("1", "2"):
        result = subprocess.run([sys.executable, "-c", script, str(Path(__file__).parent), str(ROOT)],
                                capture_output=True, text=True, cwd=ROOT,
                                env=os.environ | {"PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1] and int(outputs[0].split()[1]) > 10


def test_model_digests_cover_every_field():
    """A field added to the model must be added to the digests (or it would not reach any signature)."""
    assert set(ITEM_FIELDS) == {f.name for f in dataclasses.fields(Item)} - {"list"}
    assert set(LIST_FIELDS) == {f.name for f in dataclasses.fields(ItemList)} - {"items", "jurisdiction"}
    assert set(REF_FIELDS) == {f.name for f in dataclasses.fields(DeptRef)}
    assert set(DEPARTMENT_FIELDS) == {f.name for f in dataclasses.fields(Department)}
    for cls in (Jurisdiction, Department, DeptRef, Progress):      # digested by repr(): every field shown
        assert all(f.repr for f in dataclasses.fields(cls)), cls
        assert cls.__repr__ is not object.__repr__ and cls.__dataclass_params__.repr, cls
