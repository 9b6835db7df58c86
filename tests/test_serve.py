"""`build.py serve` re-reads only the list whose item was edited, through the same validation as a build."""
from __future__ import annotations

import shutil

import pytest

from archive.commands.serve import Site, edited_lists
from archive.validate import build_archive
from conftest import ROOT


@pytest.fixture
def site(tmp_path):
    for name in ("content", "registry", "sources"):
        shutil.copytree(ROOT / name, tmp_path / name)
    archive, _ = build_archive(tmp_path, tmp_path / "content")
    served = Site(tmp_path / "content", tmp_path / "site")
    served.load(archive, 1)
    return served


def edit(site, folder: str, old: str, new: str):
    path = site.content / folder / "01.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return path


def test_an_edited_item_is_revalidated_and_resolved_against_the_registry(site):
    before = site.state.archive
    path = edit(site, "weifang-2021-2", "lead: [市教育局(市委教育工委)]", "lead: [市财政局]")
    assert edited_lists(site, {path}) == {"weifang-2021-2"}
    archive, problems = site.reread_lists({"weifang-2021-2"})
    assert problems == []
    weifang = next(lst for lst in archive.lists if lst.id == "weifang-2021-2")
    assert weifang.items[0].lead[0].department.key == "shandong/weifang/caizhengju"
    assert [lst.id for lst in archive.lists] == [lst.id for lst in before.lists]
    others = [(a, b) for a, b in zip(archive.lists, before.lists) if a.id != "weifang-2021-2"]
    assert all(a is b for a, b in others), "lists nobody edited are kept, not re-read"


def test_an_edit_that_breaks_an_item_is_reported_with_its_file_and_line(site):
    edit(site, "linyi-2021", "number: 1", "number: 一")
    _, problems = site.reread_lists({"linyi-2021"})
    errors = [p for p in problems if p.is_error]
    assert [(p.path, p.line, p.field) for p in errors] == [("content/linyi-2021/01.md", 2, "number")]


def test_a_changed_list_file_rereads_everything(site):
    changed = {site.content / "linyi-2021" / "_list.yaml"}
    assert edited_lists(site, changed) is None


def test_serve_has_the_open_data_the_feeds_and_a_data_page_that_sizes_them(site):
    from archive.workers import render
    state = site.state
    extras = site.extras(state)
    for path in ("/data/items.json", "/data/items.csv", "/data/linyi-2021.csv", "/data/datapackage.json",
                 "/data/items.schema.json", "/feed.xml", "/shandong/feed.xml"):
        assert extras[path], path
    html = render(state.env, state.pages["/data/"]).decode()
    assert f"{len(extras['/data/items.csv']) / 1024:.1f} KB" in html
