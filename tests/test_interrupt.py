"""Builds killed at any moment, and builds started together, never damage the site that is there.

A generated corpus (benchmarks/make_corpus.py) makes the real `build.py` take several seconds; the test
kills it (SIGINT as Ctrl-C sends it to the whole process group, SIGKILL to the build alone) at moments
spread over validation, rendering and writing. The output folder must then be exactly the previous site,
or exactly the new one had the swap already happened: never a mixture, never missing. The next build
must succeed and clean up what the killed one left.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from contentfixture import ROOT

ITEMS = 2000
# The build runs from a copy of the code made once: other work on templates/ or static/ during the
# minutes this file runs must not make two builds of the same content differ.
CODE = ("build.py", "archive", "templates", "static", "registry")
BUILD_PY: Path = ROOT / "build.py"


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0")
        if path.is_file():
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def start_build(content: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(BUILD_PY), "--content", str(content), "--out", str(out),
                             "--no-index"], cwd=BUILD_PY.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True,
                            # a shell running us in the background may have set SIGINT to "ignore", which
                            # children inherit; give the build the Ctrl-C a terminal would
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def build(content: Path, out: Path) -> subprocess.CompletedProcess:
    process = start_build(content, out)
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    return subprocess.CompletedProcess(process.args, 0, stdout, stderr)


def leftovers(folder: Path, seconds: float = 60) -> list[str]:
    """What is beside site/ besides its lock, the build cache and the spare it keeps (archive/cache/),
    once the previous site's background removal has had time."""
    deadline = time.monotonic() + seconds
    while True:
        names = sorted(p.name for p in folder.iterdir() if p.name not in (".site.lock", "site", ".cache", ".site.spare"))
        if not names or time.monotonic() > deadline:
            return names
        time.sleep(0.1)


def end_group(process: subprocess.Popen) -> None:
    """Whatever is left of a build we started (forked render workers included): its own process group."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """(content, out, old digest, new digest): out holds the old site; content now builds the new one."""
    global BUILD_PY
    tmp = tmp_path_factory.mktemp("corpus")
    (tmp / "code").mkdir()
    for name in CODE:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, tmp / "code" / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, tmp / "code" / name)
    BUILD_PY = tmp / "code" / "build.py"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), str(ITEMS), str(tmp / "project")],
                   check=True, capture_output=True, timeout=300)
    content = tmp / "project" / "content"
    started = time.monotonic()
    build(content, tmp / "old")
    seconds = time.monotonic() - started
    if seconds < 2:
        pytest.skip(f"the corpus builds in {seconds:.1f} s: too fast to kill mid-way")
    old = digest(tmp / "old")
    item = sorted(content.glob("*/*.md"))[0]
    item.write_text(item.read_text(encoding="utf-8").replace("title: ", "title: 改过的", 1), encoding="utf-8")
    build(content, tmp / "new")
    new = digest(tmp / "new")
    assert new != old
    return content, tmp / "old", old, new, seconds


def wait_until_written(process: subprocess.Popen, out: Path, pages: int) -> None:
    """Until the build has written `pages` HTML files into its temporary folder (or has ended)."""
    folder = out.parent / f".{out.name}.building-{process.pid}"
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline:
        try:
            if folder.is_dir() and sum(1 for _ in folder.rglob("*.html")) >= pages:
                return
        except OSError:          # swapped into place and being removed while we counted
            return
        time.sleep(0.02)


@pytest.mark.parametrize("sig, fraction", [
    (signal.SIGKILL, 0.0),     # validating and planning: nothing written yet
    (signal.SIGKILL, 0.3), (signal.SIGKILL, 0.9),
    (signal.SIGKILL, 1.0),     # every page written: the last files, then the swap
    (signal.SIGINT, 0.3), (signal.SIGINT, 0.8),
])
def test_killed_build_leaves_the_previous_site(corpus, tmp_path, sig, fraction):
    content, old_site, old, new, seconds = corpus
    out = tmp_path / "site"
    shutil.copytree(old_site, out)
    pages = sum(1 for _ in old_site.rglob("*.html"))
    process = start_build(content, out)
    try:
        if fraction:
            wait_until_written(process, out, int(pages * fraction))
        else:
            time.sleep(0.3)
        if sig == signal.SIGINT:
            os.killpg(process.pid, sig)          # Ctrl-C: the build and its render workers
        else:
            process.send_signal(sig)             # the build alone; its workers are orphaned
        _, stderr = process.communicate(timeout=60)
    finally:
        end_group(process)
    state = digest(out)
    assert state in (old, new), "the output folder is neither the previous site nor the new one"
    assert (out / "index.html").is_file() and (out / "data" / "items.json").is_file()
    if sig == signal.SIGINT:
        assert process.returncode == 130 and "Traceback" not in stderr, stderr
        assert state == old
        assert not list(tmp_path.glob(".site.building-*")), "an interrupted build removes its own temporary folder"
    # The next build succeeds, replaces the site with the new one and removes what a killed build left.
    build(content, out)
    assert digest(out) == new
    assert leftovers(tmp_path) == []


def test_two_builds_at_once_do_not_corrupt_the_site(corpus, tmp_path):
    content, old_site, old, new, seconds = corpus
    out = tmp_path / "site"
    shutil.copytree(old_site, out)
    first = start_build(content, out)
    time.sleep(0.2)
    second = start_build(content, out)
    try:
        results = [p.communicate(timeout=300) for p in (first, second)]
    finally:
        end_group(first)
        end_group(second)
    assert first.returncode == 0 and second.returncode == 0, results
    assert any("另一次生成正在写入" in stderr for _, stderr in results), "the later build says it waits"
    assert digest(out) == new
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("fraction", [0.2, 0.5, 0.8])
def test_killed_while_updating_the_spare(corpus, tmp_path, fraction):
    """With a build cache the build brings the spare (the site before the current one) up to date instead of
    writing a new folder. Killed mid-way, the site stays whole, and the next build trusts nothing of the
    half-updated spare: its output is exactly a clean build's."""
    content, old_site, old, new, seconds = corpus
    project = tmp_path / "project"
    shutil.copytree(content.parent, project)
    content = project / "content"
    out = tmp_path / "out" / "site"
    build(content, out)
    build(content, out)                          # now a spare with a listing exists beside the site
    assert digest(out) == new
    item = sorted(content.glob("*/*.md"))[1]
    item.write_text(item.read_text(encoding="utf-8").replace("title: ", "title: 又改过的", 1), encoding="utf-8")
    process = start_build(content, out)
    try:
        time.sleep(seconds * fraction)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
    finally:
        end_group(process)
    assert digest(out) in (new, digest_of_clean_build(content, tmp_path / "clean" / "site"))
    build(content, out)
    assert digest(out) == digest_of_clean_build(content, tmp_path / "clean" / "site")


def digest_of_clean_build(content: Path, out: Path) -> str:
    if not out.exists():
        build(content, out)
    return digest(out)
