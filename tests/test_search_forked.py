"""The index stage with its postings computed and written in a forked child (search_index.Beside, the
clean build's second core) writes what one process writes, the build's Writer claims what the child wrote,
and the memo the child saved serves the next build's patch."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import archive.search_index as search_index
from archive.cache import BuildCache
from archive.commands.build import build_site, cache_folder, load_content
from contentfixture import ROOT

ITEMS = 60


def build(content: Path, out: Path, forked: bool, monkeypatch) -> None:
    # a child from the first item on, or never
    monkeypatch.setattr(search_index, "PARALLEL_FROM", 1 if forked else 10 ** 9)
    cache = BuildCache.open(cache_folder(out))
    archive, problems = load_content(content, None, cache.documents)
    assert archive is not None, problems
    build_site(archive, content.parent, out, jobs=2, cache=cache)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_an_index_written_beside_a_forked_child_is_the_one_process_index(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), str(ITEMS), str(corpus)],
                   check=True, capture_output=True)
    content = corpus / "content"
    forked, alone = tmp_path / "a" / "site", tmp_path / "b" / "site"
    calls = []
    real = search_index.Beside.__call__
    monkeypatch.setattr(search_index.Beside, "__call__", lambda self, fn: calls.append(1) or real(self, fn))
    for edit in range(2):
        build(content, forked, True, monkeypatch)
        build(content, alone, False, monkeypatch)
        a, b = files(forked), files(alone)
        assert sorted(a) == sorted(b) and [p for p in a if a[p] != b[p]] == [], edit
        # the child's files are in the listing the build keeps of its output, as the parent's are
        listed = BuildCache.open(cache_folder(forked)).tree(forked, forked.name)["files"]
        assert {p for p in a if p.startswith("search/i/")} <= listed.keys()
        item = sorted(content.rglob("*.md"))[ITEMS // 2]
        item.write_text(item.read_text(encoding="utf-8") + "\n新增一句用于测试的正文。\n", encoding="utf-8")
    # the clean build forked; the rebuild after one edit patched the child's postings (no child)
    assert calls == [1]


def test_postings_scanned_and_sorted_in_small_steps_are_the_same(monkeypatch):
    """A part's characters found a few ranks at a time (postings.SCAN), in parts of a few pairs, give the
    postings one scan and one part give."""
    import random

    from archive.search import postings as module

    rng = random.Random(7)
    alphabet = "养老服务建设社区医疗ab𠀀" + module.SEP
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(120)]
    zones = ([min(3, len(t)) for t in texts], [0] * len(texts), 8)
    whole = module.postings(texts, zones)
    monkeypatch.setattr(module, "SCAN", 13)
    monkeypatch.setattr(module, "PART_ENTRIES", 50)
    steps = module.postings(texts, zones)
    assert whole.keys.tolist() == steps.keys.tolist() and whole.ndocs.tolist() == steps.ndocs.tolist()
    assert [whole.payload(n) for n in range(len(whole.keys))] == [steps.payload(n) for n in range(len(steps.keys))]
    assert ([whole.positions(n) for n in range(len(whole.keys))]
            == [steps.positions(n) for n in range(len(steps.keys))])
