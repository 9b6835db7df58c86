"""The build cache never leaves anything stale: after every kind of edit an editor or a developer makes,
the site a rebuild writes with the cache is, byte for byte and file for file, the site a clean build writes.

A small generated corpus (benchmarks/make_corpus.py) and a copy of the code (templates and site.yaml are
edited too) are built with `build.py` as a user runs it: once incrementally into one folder, and from
nothing into another, after each edit.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from contentfixture import ROOT

ITEMS = 80
CODE = ("build.py", "archive", "templates", "static", "registry")


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under `folder`."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None) for p in folder.rglob("*")}


def differences(a: dict, b: dict) -> list[str]:
    return sorted(p for p in a.keys() | b.keys() if a.get(p, "missing") != b.get(p, "missing"))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    base = tmp_path_factory.mktemp("cache")
    code = base / "code"
    code.mkdir()
    for name in CODE:
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, code / name)
    corpus = base / "corpus"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), str(ITEMS), str(corpus)],
                   check=True, capture_output=True)
    return code, corpus, base


def build(code: Path, corpus: Path, out: Path) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, str(code / "build.py"), "--content", str(corpus / "content"),
                             "--out", str(out)], capture_output=True, text=True, cwd=code)
    assert result.returncode == 0, result.stderr
    return result


def rendered(result: subprocess.CompletedProcess) -> int:
    """Pages rendered again, from the build's summary line."""
    return int(result.stdout.split("重新渲染 ")[1].split(" ")[0])


def check_same_as_clean(code, corpus, base, name: str) -> subprocess.CompletedProcess:
    incremental = build(code, corpus, base / "inc" / "site")
    clean_dir = base / f"clean-{name}"
    build(code, corpus, clean_dir / "site")
    wrong = differences(tree(base / "inc" / "site"), tree(clean_dir / "site"))
    assert not wrong, f"after {name}, stale or missing: {wrong[:10]}"
    shutil.rmtree(clean_dir)
    return incremental


def first_item(corpus: Path) -> Path:
    return sorted((corpus / "content").glob("*/*.md"))[0]


def edit_item(code, corpus):
    path = first_item(corpus)
    path.write_text(path.read_text(encoding="utf-8") + "\n新增一句用于测试的正文。\n", encoding="utf-8")


def edit_keeping_size_and_mtime(code, corpus):
    """A character swapped for another of as many bytes, the file's modification time put back: only its
    ctime (and the racy rule, for an edit within a second of the last build) tells it changed."""
    path = first_item(corpus)
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    body = text.rsplit("\n---\n", 1)[1]
    old = next(c for c in body if "\u4e00" <= c <= "\u9fff" and c != "测")
    path.write_text(text[:-len(body)] + body.replace(old, "测", 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size


def copy_body(code, corpus):
    """An item of another list takes the first item's body: they are similar items now (in this small
    corpus so many bigrams cross the common cut that the similar items are computed whole)."""
    source = first_item(corpus)
    target = sorted(sorted((corpus / "content").iterdir())[-1].glob("*.md"))[0]
    body = source.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    head = target.read_text(encoding="utf-8").split("\n---\n", 1)[0]
    target.write_text(head + "\n---\n" + body, encoding="utf-8")


def add_item(code, corpus):
    folder = sorted((corpus / "content").iterdir())[-1]
    last = sorted(folder.glob("*.md"))[-1].read_text(encoding="utf-8")
    number = max(int(p.stem) for p in folder.glob("*.md")) + 1
    (folder / f"{number:02d}.md").write_text(last.replace(last.split("\n")[1], f"number: {number}", 1),
                                              encoding="utf-8")


def delete_item(code, corpus):
    folder = sorted((corpus / "content").iterdir())[1]
    sorted(folder.glob("*.md"))[-1].unlink()


def rename_lead(code, corpus):
    """An item now prints a lead department under a name the registry does not know yet."""
    path = first_item(corpus)
    text = path.read_text(encoding="utf-8")
    lead = next(line for line in text.split("\n") if line.startswith("lead:"))
    path.write_text(text.replace(lead, "lead: [测试用新名称局]", 1), encoding="utf-8")


def add_alias(code, corpus):
    """…and then the registry learns that name as an alias of a department."""
    list_yaml = yaml.safe_load((first_item(corpus).parent / "_list.yaml").read_text(encoding="utf-8"))
    registry = corpus / "registry" / "departments" / f"{list_yaml['jurisdiction'].replace('/', '-')}.yaml"
    data = yaml.safe_load(registry.read_text(encoding="utf-8"))
    data["departments"][0]["aliases"] = list(data["departments"][0].get("aliases") or []) + ["测试用新名称局"]
    registry.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def change_included_template(code, corpus):
    path = code / "templates" / "_macros.html"
    path.write_text(path.read_text(encoding="utf-8") + "{# edited #}\n<!-- 测试 -->\n", encoding="utf-8")
    page = code / "templates" / "base.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</footer>", "<p>测试页脚</p></footer>", 1),
                    encoding="utf-8")


def change_topics_registry(code, corpus):
    path = corpus / "registry" / "topics.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["topics"][0]["keywords"] = list(data["topics"][0]["keywords"]) + ["服务"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def change_site_yaml(code, corpus):
    path = code / "templates" / "site.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["base_url"] = data["base_url"].rstrip("/") + "/archive-test"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def change_stylesheet(code, corpus):
    path = code / "static" / "site.css"
    path.write_text(path.read_text(encoding="utf-8") + "\n/* edited */\n", encoding="utf-8")


EDITS = [edit_item, edit_keeping_size_and_mtime, copy_body, add_item, delete_item, rename_lead, add_alias, change_included_template,
         change_topics_registry, change_site_yaml, change_stylesheet]


def test_every_edit_rebuilds_to_exactly_the_clean_site(project):
    code, corpus, base = project
    first = build(code, corpus, base / "inc" / "site")
    pages = rendered(first)
    again = check_same_as_clean(code, corpus, base, "nothing")
    assert rendered(again) == 0, "an unchanged project renders nothing again"
    places = base / "inc" / ".cache" / "similar" / "places.bin"
    shards = base / "inc" / ".cache" / "blocks"
    for edit in EDITS:
        written = places.stat().st_ino
        held = {p.name: p.stat().st_ino for p in shards.iterdir()}
        edit(code, corpus)
        result = check_same_as_clean(code, corpus, base, edit.__name__)
        if edit is edit_item:       # the similar-items memo updated: the item's bigrams appended, not written afresh
            assert places.stat().st_ino == written
            # the page text's shards: the edited page's old and new digests' two at most are written again
            now = {p.name: p.stat().st_ino for p in shards.iterdir()}
            assert len(held) > 10 and len([n for n in now if held.get(n) != now[n]]) <= 2, (held, now)
        if edit is edit_item:
            # the item, its list, neighbours, departments, topic, year pages: a handful, not the site
            assert 0 < rendered(result) < pages // 4, result.stdout
        if edit in (change_included_template, change_site_yaml, change_stylesheet):
            assert rendered(result) >= pages * 0.9, result.stdout
    assert "警告：构建缓存" not in result.stderr


def test_a_damaged_or_foreign_cache_is_ignored_with_one_warning(project, tmp_path):
    code, corpus, _ = project
    out = tmp_path / "site"
    build(code, corpus, out)
    expected = tree(out)
    cache = tmp_path / ".cache" / "build.pickle"
    data = cache.read_bytes()
    cache.write_bytes(data[: len(data) // 2])                      # a build killed while saving, a bad disk
    damaged = build(code, corpus, out)
    assert damaged.stderr.count("警告：构建缓存") == 1 and "已损坏" in damaged.stderr, damaged.stderr
    assert differences(tree(out), expected) == []
    key = cache.with_name("build.key")                             # format, code version and digest
    key.write_bytes(json.dumps(json.loads(key.read_bytes()) | {"code": "another version"}).encode())
    foreign = build(code, corpus, out)
    assert foreign.stderr.count("警告：构建缓存") == 1 and "另一版本" in foreign.stderr, foreign.stderr
    assert differences(tree(out), expected) == []
    build(code, corpus, out)                                       # a good cache again
    for kind in ("list", "docs", "json"):                          # one content folder's parts, damaged
        part = sorted((tmp_path / ".cache" / "lists").glob(f"*.{kind}"))[0]
        part.write_bytes(part.read_bytes()[:-3] + b"xyz")
    parts = build(code, corpus, out)
    assert parts.stderr.count("警告：构建缓存") == 1 and "已损坏" in parts.stderr, parts.stderr
    assert differences(tree(out), expected) == []
    build(code, corpus, out)
    for kind in ("json", "csv"):     # read only by open data, in a forked child: warned of once, by the build
        part = sorted((tmp_path / ".cache" / "lists").glob(f"*.{kind}"))[-1]
        part.write_bytes(part.read_bytes()[:-3] + b"xyz")
    parts = build(code, corpus, out)
    assert parts.stderr.count("警告：构建缓存") == 1 and "已损坏" in parts.stderr, parts.stderr
    assert differences(tree(out), expected) == []
    build(code, corpus, out)
    # the similar items' memo, read by a forked child beside the plan, and the index's, read later by the build:
    # one warning, the build's
    for part in (tmp_path / ".cache" / "similar" / "state.bin", tmp_path / ".cache" / "search" / "postings.bin"):
        part.write_bytes(part.read_bytes()[:-3] + b"xyz")
    parts = build(code, corpus, out)
    assert parts.stderr.count("警告：构建缓存") == 1 and "已损坏" in parts.stderr, parts.stderr
    assert differences(tree(out), expected) == []
    build(code, corpus, out)
    # the search index's memo: its tables, and the payload files they name (search/payloads.py)
    for name in ("texts.bin", "postings.bin", "fragments.bin", "outputs.bin", "texts.utf8.*", "postings.items.*",
                 "postings.pos.*"):
        part = next((tmp_path / ".cache" / "search").glob(name))
        data = part.read_bytes()
        part.write_bytes(data[:-5] + bytes(b ^ 1 for b in data[-5:]))
        search = build(code, corpus, out)
        assert search.stderr.count("警告：构建缓存") == 1 and "已损坏" in search.stderr, (name, search.stderr)
        assert differences(tree(out), expected) == []
    build(code, corpus, out)
    for shard in sorted((tmp_path / ".cache" / "blocks").iterdir())[:3]:    # the item pages' text
        shard.write_bytes(shard.read_bytes()[:-3] + b"xyz")
    blocks = build(code, corpus, out)
    assert blocks.stderr.count("警告：构建缓存") == 1 and "已损坏" in blocks.stderr, blocks.stderr
    assert differences(tree(out), expected) == []
    for listing in (tmp_path / ".cache" / "trees").iterdir():      # the lists of the two sites' files
        listing.write_bytes(b"{}")
    untrusted = build(code, corpus, out)
    assert rendered(untrusted) > 0 and differences(tree(out), expected) == []


def test_a_file_changed_by_hand_in_the_site_is_not_copied(project, tmp_path):
    code, corpus, _ = project
    out = tmp_path / "site"
    build(code, corpus, out)
    expected = tree(out)
    page = next(out.glob("*/*/*/*/index.html"))
    page.write_bytes(b"changed by hand")
    build(code, corpus, out)
    build(code, corpus, out)       # the spare, holding the hand-changed file, is brought up to date too
    assert differences(tree(out), expected) == []


def test_a_site_restored_under_other_inodes_is_read_back_not_rendered(project, tmp_path):
    """A deploy on Netlify: `.cache/` and `site/` restored from its build cache (new inodes, new times), no
    spare. Unchanged pages are read back by digest instead of rendered, and nothing stale gets through: a
    page changed after it was listed is rendered again."""
    code, corpus, _ = project
    out = tmp_path / "inc" / "site"
    build(code, corpus, out)
    restored = tmp_path / "restored"
    shutil.copytree(out, restored, copy_function=shutil.copyfile)       # new inodes, new modification times
    shutil.rmtree(out)
    shutil.rmtree(out.parent / f".{out.name}.spare", ignore_errors=True)
    restored.rename(out)
    edit_item(code, corpus)
    tampered = next(p for p in sorted(out.glob("*/*/*/*/index.html")) if "新增一句用于测试的正文" not in p.read_text())
    tampered.write_bytes(b"changed after the listing was written")
    deploy = build(code, corpus, out)
    clean = tmp_path / "clean" / "site"
    pages = rendered(build(code, corpus, clean))
    assert differences(tree(out), tree(clean)) == []
    assert 0 < rendered(deploy) < pages // 4, deploy.stdout


def test_a_folder_is_read_again_only_when_a_file_s_stat_changed_or_was_racy(tmp_path, monkeypatch):
    """Unchanged folders are known by their files' stat (size, mtime, inode, ctime) and not read; a file
    written within the racy window before a build (a coarse clock could give a later write the same times)
    keeps its folder from being vouched for by its stat, so the next build reads it again."""
    from archive import content
    from archive.cache import BuildCache
    from archive.validate import build_archive

    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), "30", str(tmp_path / "c")],
                   check=True, capture_output=True)
    root = tmp_path / "c"
    reads: list[str] = []
    real = content._read_bytes
    monkeypatch.setattr(content, "_read_bytes", lambda folder, name: reads.append(f"{folder.name}/{name}")
                        or real(folder, name))

    def build() -> list[str]:
        reads.clear()
        cache = BuildCache.open(tmp_path / ".cache")
        archive, problems = build_archive(root, root / "content", memo=cache.documents)
        assert not [p for p in problems if p.is_error]
        cache.save()
        return sorted({r.split("/")[0] for r in reads})

    folders = sorted(p.name for p in (root / "content").iterdir())
    time.sleep(BuildCache.open(tmp_path / ".cache").documents.RACY_NS / 1e9 + 0.1)    # the corpus is old now
    assert build() == folders                      # no cache: every folder read
    assert build() == []                           # nothing changed: nothing read
    item = sorted((root / "content" / folders[0]).glob("*.md"))[0]
    item.write_text(item.read_text(encoding="utf-8") + "补", encoding="utf-8")
    assert build() == [folders[0]]                 # the edited folder alone
    assert build() == [folders[0]]                 # written just before the last build: read again
    time.sleep(BuildCache.open(tmp_path / ".cache").documents.RACY_NS / 1e9 + 0.1)
    assert build() == [folders[0]]                 # its stat recorded now that it is old enough…
    assert build() == []                           # …and trusted
    source = next((root / "sources").iterdir())
    source.write_bytes(source.read_bytes() + b"\n")          # a source's line count, also keyed by its stat
    cache = BuildCache.open(tmp_path / ".cache")
    build_archive(root, root / "content", memo=cache.documents)
    assert cache.documents.sources_used.get(str(source.resolve())) is None      # racy: not recorded


def test_a_long_run_of_one_item_edits_appends_to_the_index_memo_and_compacts_it(project, tmp_path):
    """One item edited before each build: the search memo's payload files are appended to (the postings
    patched) until their dead bytes outweigh the live ones, then written compacted; the site stays the
    clean build's throughout."""
    code, corpus, _ = project
    corpus = shutil.copytree(corpus, tmp_path / "corpus")
    items = sorted((corpus / "content").glob("*/*.md"))
    out = tmp_path / "inc" / "site"
    build(code, corpus, out)
    memo = tmp_path / "inc" / ".cache" / "search"
    names = []
    for n in range(8):
        path = items[(7 * n) % len(items)]
        path.write_text(path.read_text(encoding="utf-8") + f"\n第{n}次修改：新增养老服务设施建设内容。\n",
                        encoding="utf-8")
        build(code, corpus, out)
        names.append({p.name.rsplit(".", 1)[0]: (p.name, p.stat().st_size) for p in memo.glob("postings.*.*")})
        if n % 4 == 3:
            clean = tmp_path / f"clean-{n}" / "site"
            build(code, corpus, clean)
            assert differences(tree(out), tree(clean)) == [], n
            shutil.rmtree(clean.parent)
    pairs = [(a["postings.items"], b["postings.items"]) for a, b in zip(names, names[1:])]
    assert any(x[0] == y[0] and y[1] > x[1] for x, y in pairs), names       # appended to
    assert any(x[0] != y[0] and y[1] < x[1] for x, y in pairs), names       # compacted


def test_forked_readers_check_the_lists_as_the_build_process_does(tmp_path, monkeypatch):
    """At scale each list is validated by the forked reader that read it and sent back pickled with the
    registry's objects by name: the same model (the registry's own jurisdictions and departments in it), the
    same problems in the same order, and the same record in the cache as when one process does it all:
    without a cache, with an empty one, with every folder cached, and after an edit."""
    from archive import content
    from archive.cache import BuildCache
    from archive.validate import build_archive

    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), "60", str(tmp_path / "c")],
                   check=True, capture_output=True)
    root = tmp_path / "c"
    item = sorted((root / "content").glob("*/*.md"))[0]
    item.write_text(item.read_text(encoding="utf-8").replace("lead: [", "lead: [不存在的部门, ", 1), encoding="utf-8")
    broken = sorted((root / "content").glob("*/*.md"))[-1]
    broken.write_text(broken.read_text(encoding="utf-8").replace("number:", "number: x\nnumbr:", 1), encoding="utf-8")
    time.sleep(BuildCache.open(tmp_path / ".probe").documents.RACY_NS / 1e9 + 0.1)    # the sources' stat trusted

    def build(forked: bool, cache_dir: Path | None):
        monkeypatch.setattr(content, "PARALLEL_FROM", 1 if forked else 10_000)
        cache = BuildCache.open(cache_dir) if cache_dir else None
        archive, problems = build_archive(root, root / "content", memo=cache.documents if cache else None)
        for lst in archive.lists:
            assert lst.jurisdiction is archive.jurisdictions[lst.jurisdiction.path]
            for i in lst.items:
                assert i.list is lst
                assert all(r.department is archive.departments[r.department.key]
                           for r in (*i.lead, *i.partners) if r.department)
        # (a folder's stat is recorded only once it is older than the racy window: the two builds' times differ)
        record = ({rel: {k: v for k, v in entry.items() if k != "stats"} for rel, entry in cache.documents.used.items()},
                  cache.documents.sources_used) if cache else None
        if cache:
            cache.save()
        return repr(archive), [repr(p) for p in problems], record

    alone = build(False, None)
    assert any("不存在的部门" in p for p in alone[1]) and any("numbr" in p for p in alone[1])
    assert build(True, None) == alone
    for edit in (False, False, True):
        if edit:
            item.write_text(item.read_text(encoding="utf-8") + "补", encoding="utf-8")
        one, forked = build(False, tmp_path / "one"), build(True, tmp_path / "forked")
        assert forked == one
        assert one[:2] == build(False, None)[:2]


def test_page_text_kept_unread_until_needed(tmp_path):
    """The item pages' text (cache/blocks.py): an entry the index lists is kept for the next build without
    its shard being read; a shard is written again only when its entries change (the unread ones then read
    and carried over); a shard changed since it was written is reported as damaged and none of its entries
    is kept; one damaged behind its size and time is reported when read, and its entry is gone."""
    from archive.cache.blocks import BlockStore

    warned = []
    folder = tmp_path / "blocks"
    first = BlockStore(None, lambda: warned.append(1))
    texts = {f"{n:02x}{'0' * 30}": f"文本{n}" for n in range(4)} | {f"00{'1' * 30}": "同一片的另一条"}
    for d, text in texts.items():
        first.put(d, text)
    first.save(folder)
    index = first.index
    assert sorted(index) == ["00", "01", "02", "03"] and len(index["00"][2]) == 2

    def store(index) -> BlockStore:
        found = BlockStore(folder, lambda: warned.append(1), index)
        found._read = lambda name, read=found._read: reads.append(name) or read(name)
        return found

    reads: list[str] = []
    again = store(index)
    assert all(again.keep(d) for d in texts) and not again.keep("ff" + "0" * 30) and reads == []
    inodes = {p.name: p.stat().st_ino for p in folder.iterdir()}
    again.save(folder)
    assert reads == [] and {p.name: p.stat().st_ino for p in folder.iterdir()} == inodes
    edited = store(again.index)                  # one entry of shard 00 replaced: 00 read, written; 01–03 not
    for d in texts:
        if d != f"00{'1' * 30}":
            assert edited.keep(d)
    edited.put("00" + "2" * 30, "新的")
    edited.save(folder)
    assert reads == ["00"] and {p.name for p in folder.iterdir()} == {"00", "01", "02", "03"}
    later = store(edited.index)
    assert later.get("00" + "0" * 30) == "文本0" and later.get("00" + "2" * 30) == "新的"
    assert later.get("00" + "1" * 30) is None and warned == []
    shard = folder / "01"
    shard.write_bytes(shard.read_bytes()[:-3] + b"xyz")             # changed: its size and time tell
    changed = store(edited.index)
    assert not changed.keep("01" + "0" * 30) and changed.keep("02" + "0" * 30) and warned == [1]
    before = (folder / "02").stat()
    (folder / "02").write_bytes((folder / "02").read_bytes()[:-3] + b"xyz")
    os.utime(folder / "02", ns=(before.st_atime_ns, before.st_mtime_ns))   # damaged behind its stat
    hidden = store(edited.index)
    assert hidden.keep("02" + "0" * 30), warned
    assert hidden.get("02" + "0" * 30) is None, (warned, reads)
    assert len(warned) == 3, (warned, reads)
