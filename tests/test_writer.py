"""The writer: one path once, nothing visible until commit, the last good site kept when a build fails."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from archive.writer import DuplicatePath, Writer, output_path
from contentfixture import ITEM, make_project

ROOT = Path(__file__).resolve().parent.parent


def leftovers(folder: Path) -> list[str]:
    """Temporary build folders beside the output (the lock file, the build cache and the spare site it keeps
    are meant to stay), once the previous site's background deletion has had time to finish."""
    for _ in range(50):
        found = sorted(p.name for p in folder.iterdir() if p.name.startswith(".")
                       and not p.name.endswith((".lock", ".spare")) and p.name != ".cache")
        if not found:
            break
        time.sleep(0.1)
    return found


def test_output_paths():
    assert output_path("/") == "index.html"
    assert output_path("/shandong/weifang/2021-2/01/") == "shandong/weifang/2021-2/01/index.html"
    assert output_path("/sitemap.xml") == "sitemap.xml"


def test_refuses_one_path_twice(tmp_path):
    writer = Writer(tmp_path / "site")
    writer.write("a/index.html", b"one")
    with pytest.raises(DuplicatePath):
        writer.write("a/index.html", b"two")
    with pytest.raises(KeyError):
        writer.put("never/claimed.html", b"x")
    writer.abort()


@pytest.fixture
def old_site(tmp_path) -> Path:
    """The last good site: one page that must survive everything but a commit."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "old.html").write_text("old")
    return site


def test_nothing_replaces_the_site_until_commit(tmp_path, old_site):
    site = old_site
    writer = Writer(site)
    writer.write("new.html", b"new")
    assert sorted(p.name for p in site.iterdir()) == ["old.html"]
    writer.commit()
    assert sorted(p.name for p in site.iterdir()) == ["new.html"]
    assert leftovers(tmp_path) == []


def test_abort_leaves_the_site_and_no_temporary_folder(tmp_path, old_site):
    site = old_site
    writer = Writer(site)
    writer.write("new.html", b"new")
    writer.abort()
    assert leftovers(tmp_path) == []
    assert (site / "old.html").read_text() == "old"


def build(content: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out),
                           "--no-index"], capture_output=True, text=True)


def test_content_errors_exit_1_and_keep_the_last_good_site(tmp_path):
    content = make_project(tmp_path)
    out = tmp_path / "out"
    good = build(content, out)
    assert good.returncode == 0, good.stderr
    assert "生成" in good.stdout and "秒" in good.stdout
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (content / "weifang-2021-2" / "02.md").write_text(ITEM.format(number=1), encoding="utf-8")  # number twice
    bad = build(content, out)
    assert bad.returncode == 1
    assert "错误" in bad.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert leftovers(tmp_path) == []


def _unsafe_by_segments(path: str) -> bool:
    """check_path's rule as written before its fast path: split into segments and look at each."""
    return not path or "\\" in path or "\x00" in path or any(part in ("", ".", "..") for part in path.split("/"))


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.text(alphabet="/.\\\x00ab中", max_size=12),
                 st.lists(st.sampled_from(["", ".", "..", ".a", "a.", "a", "中", "index.html", "a\\b", "\x00"]),
                          max_size=5).map("/".join)))
def test_check_path_s_fast_path_never_lets_through_what_the_segments_rule_refuses(path):
    from archive.writer import UnsafePath, _plainly_safe, check_path
    assert not (_plainly_safe(path) and _unsafe_by_segments(path))
    if _unsafe_by_segments(path):
        with pytest.raises(UnsafePath):
            check_path(path)
    else:
        check_path(path)


def test_check_path_s_fast_path_takes_the_paths_a_build_writes():
    from archive.writer import _plainly_safe
    assert all(map(_plainly_safe, ["index.html", "shandong/weifang/2021-2/07/index.html", "search/i/f/3a.bin",
                                   "data/items.json", "_headers", "feed.xml"]))
    assert not any(map(_plainly_safe, [".well-known/x", "a/.b", "a//b", "/a", "a/", "", "a\\b", "a\x00"]))
