"""Postings patched after a few items changed are the postings computed afresh, byte for byte."""
import random

import numpy as np

from archive.search.patch import joined, patch_tails, unvarints
from archive.search.postings import postings, varints
from archive.search.text import SEP

Z = 16


def zoned(rng, alphabet):
    """A text as writer.py joins one: title zone, lead zone, body, with their lengths."""
    title = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 5)))
    lead = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 4)))
    body = "".join(rng.choice(alphabet + SEP) for _ in range(rng.randint(0, 80)))
    return title + SEP + lead + SEP + body, len(title), len(lead)


def columns(rows):
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def patch(old, changed, before, after, z):
    """The patched postings in memory, as the memo holds them without a folder."""
    found = patch_tails(old, changed, before, after, z)
    return None if found is None else joined(*found[:3])


def same(a, b):
    assert a.keys.tolist() == b.keys.tolist()
    assert a.ndocs.tolist() == b.ndocs.tolist()
    for n in range(len(a.keys)):
        assert a.payload(n) == b.payload(n) and a.positions(n) == b.positions(n), n


def test_varints_decode_to_what_was_encoded():
    values = np.array([0, 1, 127, 128, 16383, 16384, 2 ** 40, 5], dtype=np.int64)
    assert unvarints(varints(values)[0]).tolist() == values.tolist()
    assert unvarints(np.empty(0, np.uint8)).tolist() == []


def test_patched_postings_equal_fresh_ones(monkeypatch):
    monkeypatch.setattr("archive.search.postings.PART_ENTRIES", 300)
    rng = random.Random(3)
    alphabet = "养老服务建设社区医疗ab𠀀"
    rows = [zoned(rng, alphabet) for _ in range(200)]
    old = postings(columns(rows)[0], zones=(*columns(rows)[1:], Z))
    for round_ in range(6):
        changed = sorted(rng.sample(range(len(rows)), rng.randint(1, 5)))
        if round_ == 3:
            changed = [0, len(rows) - 1]             # the first and last items
        new_rows = list(rows)
        for d in changed:
            # new characters and keys appear, old ones vanish (an item emptied too)
            new_rows[d] = zoned(rng, alphabet + "新字") if round_ != 4 else ("" + SEP + SEP, 0, 0)
        got = patch(old, np.array(changed), columns([rows[d] for d in changed]),
                    columns([new_rows[d] for d in changed]), Z)
        want = postings(columns(new_rows)[0], zones=(*columns(new_rows)[1:], Z))
        same(got, want)
        rows, old = new_rows, got


def test_a_patch_that_removes_a_character_from_every_item_drops_its_keys():
    rows = [("甲乙" + SEP + SEP + "丙", 2, 0), ("甲" + SEP + SEP + "丁", 1, 0)]
    old = postings(columns(rows)[0], zones=(*columns(rows)[1:], Z))
    new_rows = [("乙" + SEP + SEP + "丙", 1, 0), ("" + SEP + SEP + "丁", 0, 0)]
    got = patch(old, np.array([0, 1]), columns(rows), columns(new_rows), Z)
    same(got, postings(columns(new_rows)[0], zones=(*columns(new_rows)[1:], Z)))
    assert ord("甲") << 21 not in got.keys.tolist()


def test_the_memo_patches_a_few_edits_and_computes_afresh_otherwise(tmp_path, monkeypatch):
    import archive.search.cache as memo_module
    from archive.search.cache import IndexMemo
    from archive.search.writer import ZONE, Doc, doc_text

    rng = random.Random(8)
    words = ["养老服务", "社区医疗", "建设", "民政局", "改造老旧小区", "Ａｂｃ"]

    def doc(n):
        return Doc(list_index=0, url_suffix=f"{n:02d}/", title=rng.choice(words),
                   lead_names=[rng.choice(words)], blocks=[" ".join(rng.choices(words, k=8)) for _ in range(3)])

    calls = []

    def counted(*args):
        found = patch_tails(*args)
        calls.extend([1] if found is not None else [])
        return found
    monkeypatch.setattr(memo_module, "patch_tails", counted)
    warnings = []
    memo = IndexMemo(tmp_path / "search", lambda: "v1", lambda: warnings.append(1))
    docs = [doc(n) for n in range(120)]

    def check(expect_patch: bool):
        calls.clear()
        got, chars = memo.postings(docs, doc_text, ZONE)
        rows = [doc_text(d) for d in docs]
        same(got, postings([r[0] for r in rows], zones=([r[1] for r in rows], [r[2] for r in rows], ZONE)))
        assert chars == sum(len(r[0]) for r in rows)
        assert bool(calls) == expect_patch
    check(False)                                     # nothing cached
    check(False)                                     # nothing changed: the postings as they were
    docs[5] = doc(5)
    docs[77].blocks = docs[77].blocks + ["新的一段"]
    check(True)
    check(False)
    docs[:60] = [doc(n) for n in range(60)]          # half the items: afresh
    check(False)
    docs.insert(3, doc(3))                           # one more item renumbers the rest: afresh
    check(False)
    docs[0] = doc(0)
    check(True)
    monkeypatch.setattr("archive.search.patch.MAX_TOUCHED", 3)
    docs[2] = doc(2)
    check(False)                                     # the edit touches too many keys: afresh
    docs[4] = doc(4)
    check(False)
    monkeypatch.undo()
    assert not warnings
    memo = IndexMemo(tmp_path / "search", lambda: "v2", lambda: warnings.append(1))
    docs[1] = doc(1)
    check(False)                                     # made by other code: not used, not damaged
    assert not warnings


def test_an_items_key_depends_on_its_text_not_on_which_objects_hold_it():
    """Blocks parsed from a page and the same blocks read back from the cache are equal strings held by
    different objects, shared or not: marshal's default format writes back-references by identity."""
    from archive.search.cache import doc_key
    from archive.search.writer import Doc

    word = "".join(["序号"])
    shared = Doc(list_index=0, url_suffix="01/", title=word, lead_names=[word, word], blocks=[word, word])
    apart = Doc(list_index=0, url_suffix="01/", title="序号", lead_names=["序" + "号", "序号"[:]],
                blocks=["".join("序号"), str("序号")])
    assert doc_key(shared) == doc_key(apart)
    assert doc_key(shared) != doc_key(Doc(list_index=0, url_suffix="01/", title=word, lead_names=[word, word],
                                          blocks=[word, word + "。"]))


def test_an_index_written_with_the_memo_is_the_index_written_afresh(tmp_path, monkeypatch):
    """With the memo, a rebuild keeps the fragments, shards and larger keys' files no edit reached (by
    digest, without their bytes) and writes the rest: every file is what an index written afresh holds.
    The folder the build writes into is the one before last (the spare), so some kept files are stale."""
    from archive.search.cache import IndexMemo
    from archive.search.writer import Doc, Tables, write_index
    from archive.writer import digest

    monkeypatch.setattr("archive.search.writer.SPLIT_BYTES", 32)      # larger keys' files in a small index,
    monkeypatch.setattr("archive.search.writer.SHARD_TARGET_BYTES", 200)   # and shards an edit leaves alone
    rng = random.Random(5)
    alphabet = [chr(0x4E00 + 7 * n) for n in range(150)]
    common = ["".join(rng.sample(alphabet, 2)) for _ in range(30)]  # in about 20 items each: files of their own

    def doc(n):
        return Doc(list_index=0, url_suffix=f"{n:02d}/", title="".join(rng.sample(alphabet, 4)),
                   lead_names=[rng.choice(common)],
                   blocks=["".join(rng.sample(alphabet, 15)) + rng.choice(common) for _ in range(2)])
    tables = Tables(lists=[{"u": "/a/", "t": "", "j": 0, "y": 2020}], jurisdictions=[{"n": "", "u": "/"}],
                    facets=[], names={})
    memo = IndexMemo(tmp_path / "search", lambda: "v1", lambda: 1 / 0)
    folders = [{}, {}]                                  # path → bytes: the site and its spare
    docs = [doc(n) for n in range(300)]
    kept = []
    for round_ in range(6):
        held, files = folders[round_ % 2], {}

        def put(path, data):
            files[path] = data
            return digest(data)

        def keep(path, found):
            if path in held and digest(held[path]) == found:
                files[path] = held[path]
                kept.append(path)
                return True
            return False
        write_index(put, docs, tables, memo=memo, keep=keep)
        fresh = {}
        write_index(fresh.__setitem__, docs, tables)
        assert files.keys() == fresh.keys() and [p for p in fresh if files[p] != fresh[p]] == [], round_
        folders[round_ % 2] = files
        for d in rng.sample(range(len(docs)), 2):       # two items edited (a patch: under 2% is 6 items)
            docs[d] = doc(d)
    assert {p.split("/")[0] for p in kept} >= {"f", "s", "k", "p"}, "nothing of some kind was kept"


def test_the_memo_appends_edits_to_its_payload_files_and_compacts_them(tmp_path):
    """A patch appends the changed texts and touched keys' payloads to the memo's files (their old bytes
    stay behind); once those outweigh the live ones, the file is written afresh, compacted. Every round's
    postings are the ones computed afresh; a damaged payload file is reported once and not used."""
    from archive.search.cache import IndexMemo
    from archive.search.writer import ZONE, Doc, doc_text

    rng = random.Random(11)
    words = ["养老服务", "社区医疗", "建设", "民政局", "改造老旧小区", "幼儿园", "道路"]

    def doc(n):
        return Doc(list_index=0, url_suffix=f"{n:02d}/", title=rng.choice(words), lead_names=[rng.choice(words)],
                   blocks=["".join(rng.choices(words, k=rng.randint(3, 12))) for _ in range(2)])

    def files():
        return {p.name.rsplit(".", 1)[0]: (p.name, p.stat().st_size) for p in (tmp_path / "search").iterdir()
                if p.name.count(".") == 2}

    warnings = []
    memo = IndexMemo(tmp_path / "search", lambda: "v1", lambda: warnings.append(1))
    docs = [doc(n) for n in range(200)]

    def check():
        got, chars = memo.postings(docs, doc_text, ZONE)
        rows = [doc_text(d) for d in docs]
        same(got, postings([r[0] for r in rows], zones=([r[1] for r in rows], [r[2] for r in rows], ZONE)))
        assert chars == sum(len(r[0]) for r in rows)
    check()
    appended = compacted = 0
    for _ in range(60):
        before = files()
        docs[rng.randrange(len(docs))] = doc(0)
        check()
        after = files()
        assert after.keys() == {"texts.utf8", "postings.items", "postings.pos"}, after   # old files deleted
        for stem, (name, size) in after.items():
            appended += name == before[stem][0] and size > before[stem][1]
            compacted += name != before[stem][0] and size < before[stem][1]
    assert appended and compacted, (appended, compacted)
    assert not warnings
    for stem in ("postings.items", "texts.utf8"):
        path = tmp_path / "search" / files()[stem][0]
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 1
        path.write_bytes(bytes(data))
        docs[rng.randrange(len(docs))] = doc(0)
        check()
        assert len(warnings) == 1, stem
        warnings.clear()
