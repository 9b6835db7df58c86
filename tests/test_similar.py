"""Similar items: other lists only, a shared topic, shared bigrams above the measured threshold, at most 5."""
from __future__ import annotations

import contextlib
import itertools
import math
import re
import unicodedata
from collections import Counter
from pathlib import Path

from hypothesis import given, settings, strategies as st

from archive import similar
from archive.similar import CAP, COMMON, LIMIT, MIN_COMMON, THRESHOLD, Match, bigrams, similar_items

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def pairs_per_block(n):
    """Count the candidate pairs in blocks of about n (the stage's memory bound) for a while."""
    kept, similar._PAIRS = similar._PAIRS, n
    try:
        yield
    finally:
        similar._PAIRS = kept


def test_bigrams_are_han_pairs_within_runs():
    assert bigrams("养老服务，2024年") == {"养老", "老服", "服务", "年"} - {"年"}
    assert bigrams("Ａ养老") == {"养老"}          # NFKC, Latin and digits dropped
    assert bigrams("老") == set()


def test_other_lists_only_and_a_shared_topic_is_required():
    texts = ["提升养老服务能力，建设社区养老服务中心"] * 4
    groups = ["a", "a", "b", "c"]
    topics = [["yanglao"], ["yanglao"], ["yanglao"], ["jiaoyu"]]
    found = similar_items(texts, groups, topics)
    assert [m.index for m in found[0]] == [2]          # 1 is in the same list, 3 shares no topic
    assert [m.index for m in found[3]] == []
    assert found[0][0].score == 1.0


def test_threshold_limit_and_order():
    base = "推进城镇老旧小区改造加装电梯完善配套设施"
    texts = [base] + [base[:len(base) - 2 * k] + "某某其他内容" for k in range(8)] + ["完全不同的一项工作安排"]
    # Unrelated items elsewhere, so that the bigrams above are not "common" (in more than 5% of all items).
    filler = [chr(0x4E00 + 2 * n) + chr(0x4E01 + 2 * n) for n in range(200)]
    groups = [str(n) for n in range(len(texts) + len(filler))]
    topics = [["zhufang"]] * len(texts) + [["other"]] * len(filler)
    found = similar_items(texts + filler, groups, topics)
    scores = [m.score for m in found[0]]
    assert len(found[0]) == LIMIT and scores == sorted(scores, reverse=True)
    assert [m.index for m in found[0]] == [1, 2, 3, 4, 5]
    assert all(s >= THRESHOLD for s in scores) and len(texts) - 1 not in [m.index for m in found[0]]


def test_postings_cap_drops_bigrams_too_common_within_a_topic():
    texts = ["甲乙丙丁"] * 4
    found = similar_items(texts, ["a", "b", "c", "d"], [["t"]] * 4, cap=3)
    assert found == [(), (), (), ()]                    # every bigram is in 4 items, more than the cap
    found = similar_items(texts, ["a", "b", "c", "d"], [["t"]] * 4, cap=4)
    assert all(len(f) == 3 for f in found)


def test_equal_scores_in_input_order_and_the_limit_cuts_ties_by_position():
    texts = ["甲乙丙丁", "甲乙丙丁", "甲乙丙丁", "甲乙丙丁", "丙丁戊己"]
    found = similar_items(texts, ["a", "b", "c", "d", "e"], [["t"]] * 5, limit=2)
    assert found[0] == (Match(1, 1.0), Match(2, 1.0))          # 3 scores 1.0 too: cut by position
    assert found[3] == (Match(0, 1.0), Match(1, 1.0))
    assert found[4] == (Match(0, 0.5774), Match(1, 0.5774))     # 丙丁 only kept: 1/sqrt(3·1), four times
    assert similar_items(texts, ["a", "b", "c", "d", "e"], [["t"]] * 5, threshold=0.6)[4] == ()


def test_the_threshold_itself_is_enough():
    texts = ["甲乙丙", "乙丙丁", "甲乙丙丁"]     # 0 and 1 share one of their two bigrams: exactly 1/sqrt(2·2)
    assert similar_items(texts, ["a", "b", "a"], [["t"]] * 3, threshold=0.5) == [
        (Match(1, 0.5),), (Match(2, 0.8165), Match(0, 0.5)), (Match(1, 0.8165),)]
    assert similar_items(texts, ["a", "b", "a"], [["t"]] * 3, threshold=0.5000001)[:2] == [(), (Match(2, 0.8165),)]


def test_common_bigrams_are_left_out_everywhere():
    # 甲乙 is in 6 of 20 items, more than max(5, 5 %): it counts for no topic; 丙丁 in 2 does.
    texts = ["甲乙"] * 6 + ["丙丁", "丙丁"] + [chr(0x4E00 + 2 * n) + chr(0x4E01 + 2 * n) for n in range(12)]
    found = similar_items(texts, [str(n) for n in range(20)], [["t"]] * 20)
    assert found[:6] == [()] * 6 and found[6] == (Match(7, 1.0),)


def test_empty_and_han_free_texts_and_no_items():
    assert similar_items([], [], []) == []
    assert similar_items(["", "2024年", "ABC，123", ""], ["a", "b", "c", "d"], [["t"]] * 4) == [()] * 4
    assert similar_items(["养老服务", "养老服务"], ["a", "b"], [[], []]) == [(), ()]


def test_a_pair_in_two_topics_keeps_its_higher_score():
    # In topic x, 戊己 (in items 1 and 2 only) counts for item 1 and lowers the likeness of 0 and 1.
    texts = ["甲乙丙", "甲乙丙戊己", "戊己"]
    found = similar_items(texts, ["a", "b", "c"], [["x", "y"], ["x", "y"], ["x"]], threshold=0.1)
    assert found[0] == (Match(1, 1.0),)                         # y: 甲乙 乙丙 both, nothing else kept
    assert similar_items(texts, ["a", "b", "c"], [["x"], ["x"], ["x"]], threshold=0.1)[0] == (Match(1, 0.8165),)


def test_texts_are_read_once_and_may_be_made_on_the_way():
    texts = ["提升养老服务能力", "提升养老服务水平"]
    assert similar_items(iter(texts), ["a", "b"], [["t"]] * 2) == similar_items(texts, ["a", "b"], [["t"]] * 2)


def reference(texts, groups, topics, threshold, limit, cap):
    """docs/similar.md written out plainly: every pair of a topic compared, nothing indexed or vectorised."""
    grams = []
    for text in texts:
        runs = re.findall(r"[\u3400-\u9fff]+", unicodedata.normalize("NFKC", text))
        grams.append({run[i:i + 2] for run in runs for i in range(len(run) - 1)})
    df = Counter(b for g in grams for b in g)
    useful = [{b for b in g if df[b] <= max(MIN_COMMON, COMMON * len(texts))} for g in grams]
    best = [{} for _ in texts]
    for topic in {slug for slugs in topics for slug in slugs}:
        members = [k for k, slugs in enumerate(topics) if topic in slugs]
        in_topic = Counter(b for k in members for b in useful[k])
        kept = {k: {b for b in useful[k] if 1 < in_topic[b] <= cap} for k in members}
        for k, j in itertools.permutations(members, 2):
            shared = len(kept[k] & kept[j])
            if groups[k] != groups[j] and shared and shared / math.sqrt(len(kept[k]) * len(kept[j])) >= threshold:
                best[k][j] = max(best[k].get(j, 0), shared / math.sqrt(len(kept[k]) * len(kept[j])))
    return [tuple(Match(j, round(s, 4)) for j, s in sorted(b.items(), key=lambda js: (-js[1], js[0]))[:limit])
            for b in best]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text("养老服务社区医疗教育学校改造提升城乡道路12AＡ，\u3400\u9fff\ua000", max_size=16),
                          st.sampled_from("abc"), st.lists(st.sampled_from("xyz"), max_size=3)), max_size=40),
       st.sampled_from([0.1, 0.35, 0.5, 0.8]), st.integers(1, 4), st.sampled_from([2, 3, 6, 10_000]),
       st.sampled_from([5, 1 << 18]))
def test_agrees_with_comparing_all_pairs(rows, threshold, limit, cap, block):
    """Exactly the reference's result: the same matches, the same order, the same rounded scores; with
    the candidate pairs counted in one block or in blocks of a few pairs."""
    texts, groups, topics = zip(*rows) if rows else ((), (), ())
    with pairs_per_block(block):
        found = similar_items(texts, groups, topics, threshold=threshold, limit=limit, cap=cap)
    assert found == reference(texts, groups, topics, threshold, limit, cap)


def test_agrees_with_comparing_all_pairs_on_a_random_corpus():
    """A few hundred items cut from the real content's sentences: many pairs, postings past the cap."""
    import random
    rng = random.Random(7)
    sentences = [s for p in sorted((ROOT / "content").rglob("*.md"))[:40]
                 for s in re.split(r"[。；\n]", p.read_text(encoding="utf-8")) if len(s) > 4]
    texts = ["，".join(rng.sample(sentences, rng.randint(0, 4))) for _ in range(400)]
    groups = [rng.choice("abcdefgh") for _ in texts]
    topics = [rng.sample(["x", "y", "z", "w"], rng.randint(0, 2)) for _ in texts]
    for threshold, cap in ((THRESHOLD, 20), (0.2, 100)):
        with pairs_per_block(5_000):
            found = similar_items(texts, groups, topics, threshold=threshold, cap=cap)
        assert found == reference(texts, groups, topics, threshold, LIMIT, cap)
        assert sum(map(len, found)) > 100


def test_real_content_pairs_either_side_of_the_threshold():
    """Pairs judged in docs/similar.md: the same matter in two cities is found, an unrelated pair is not."""
    from archive.pages import Site, load_topics
    from archive.pages.related import similar_by_item
    from archive.validate import build_archive
    archive, _ = build_archive(ROOT, ROOT / "content")
    site = Site(archive, load_topics(ROOT / "registry" / "topics.yaml"), ROOT)
    similar = {k: [i.id for i in v] for k, v in similar_by_item(site).items()}
    assert "jining-gaoxinqu-2021-04" in similar["heze-2021-1-05"]        # 健全防止返贫动态监测和帮扶机制
    assert "linyi-2021-10" in similar["heze-2021-1-07"]                  # 保障重点群体就业
    assert "weifang-2021-2-21" not in similar.get("unnamed-city-2024-29", [])   # 黑臭水体 ≠ 假冒伪劣食品
    assert "weifang-2021-2-08" not in similar.get("unnamed-city-2024-18", [])   # 救急难 ≠ 社区青年融入
    assert all(len(v) <= LIMIT for v in similar.values())
    assert all(archive_item.split("-")[0] for archive_item in similar)
    lists = {i.id: i.list.id for i in site.items}
    assert all(lists[o] != lists[k] for k, v in similar.items() for o in v)


def test_item_pages_show_similar_items(built_site):
    html = (built_site / "shandong/heze/2021-1/05/index.html").read_text(encoding="utf-8")
    section = html[html.index('<section class="similar"'):]
    assert '<a href="/shandong/jining/jining-gaoxinqu/2021/04/">' in section


def test_best_first_orders_the_same_when_the_keys_do_not_fit_one_integer():
    import numpy as np
    rng = np.random.default_rng(3)
    item, other = rng.integers(0, 6, 300), rng.integers(0, 50, 300)
    score = rng.choice([0.4, 0.5, 0.5000000000000001, 1.0], 300)
    expected = sorted(range(300), key=lambda n: (item[n], -score[n], other[n], n))
    for count in (50, 1 << 40):        # one integer sort; then the lexsort it falls back to
        order = similar._best_first(item, score, other, count)
        assert [(item[n], score[n], other[n]) for n in order] == [(item[n], score[n], other[n]) for n in expected]



@given(st.lists(st.tuples(st.integers(0, 70_000), st.integers(0, (1 << 17) - 1)), max_size=200),
       st.sampled_from([1, 5, 16, 17]))
def test_pairs_grouped_whatever_their_width(found, bits):
    """Counting a pair's shared bigrams needs its copies next to each other, nothing more (similar._group_pairs)."""
    import numpy as np
    pairs = np.array(sorted((r << bits) | (e & ((1 << bits) - 1)) for r, e in found), dtype=np.int64)
    # as the stage makes them: ordered by row only, the earlier rows in posting order
    by_row = np.array([p for _, p in sorted(enumerate(pairs.tolist()), key=lambda n: (n[1] >> bits, -n[0]))],
                      dtype=np.int64)
    grouped = similar._group_pairs(by_row.copy(), bits).tolist()
    assert sorted(grouped) == np.sort(by_row).tolist()                    # the same pairs, as many times
    runs = [p for n, p in enumerate(grouped) if n == 0 or grouped[n - 1] != p]
    assert len(runs) == len(set(grouped))                                 # each in one run


# --- across builds: archive/similar_memo.py ---------------------------------------------------------

EDIT_ROW = st.tuples(st.text("甲乙丙丁戊己庚1，", max_size=8), st.sampled_from("abc"),
                     st.lists(st.sampled_from("xyz"), max_size=2))


@contextlib.contextmanager
def memo_in(folder, share=1.0):
    """A memo in `folder` that updates whatever share of items changed; yields it and a list that
    records each whole computation it saw."""
    from archive import similar_memo
    whole = []
    real, keep = similar_memo.SimilarMemo.sink, similar_memo.SHARE
    similar_memo.SHARE = share
    similar_memo.SimilarMemo.sink = lambda self, *args: whole.append(1) or real(self, *args)
    try:
        yield similar_memo.SimilarMemo(folder, lambda: "code", lambda: warned.append(None)), whole
    finally:
        similar_memo.SimilarMemo.sink, similar_memo.SHARE = real, keep


warned: list = []


@settings(max_examples=300, deadline=None)
@given(st.lists(EDIT_ROW, max_size=30),
       st.lists(st.tuples(st.sampled_from(["text", "group", "topics", "insert", "delete", "move", "nothing"]),
                          st.integers(0, 40), EDIT_ROW), min_size=1, max_size=4),
       st.sampled_from([0.1, 0.35, 0.6]), st.integers(1, 3), st.sampled_from([2, 4, 10_000]))
def test_a_memo_carried_across_edits_gives_what_a_fresh_computation_gives(tmp_path_factory, rows, edits, threshold,
                                                                            limit, cap):
    """The memo, on disk between builds, after edits of every kind: texts (bigrams crossing the common cut
    of max(5, 5 %) with it, or a topic's bounds of 2 and `cap`), lists, topics, items added, removed and
    moved: each result is the reference's."""
    folder = tmp_path_factory.mktemp("memo")
    with memo_in(folder) as (memo, _):
        for kind, at, row in [("nothing", 0, None)] + edits:
            rows = list(rows)
            k = at % len(rows) if rows else 0
            if kind == "insert" or (kind != "nothing" and not rows):
                rows.insert(k, row)
            elif kind == "delete":
                del rows[k]
            elif kind == "move":          # as many items, some at other positions
                rows.insert((k + 7) % len(rows), rows.pop(k))
            elif kind != "nothing":
                part = ["text", "group", "topics"].index(kind)
                rows[k] = tuple(row[n] if n == part else rows[k][n] for n in range(3))
            texts, groups, topics = zip(*rows) if rows else ((), (), ())
            found = similar_items(texts, groups, topics, threshold=threshold, limit=limit, cap=cap, memo=memo)
            assert found == reference(texts, groups, topics, threshold, limit, cap)
    assert not warned


def test_a_memo_updates_on_a_random_corpus(tmp_path):
    """Real sentences, many pairs, postings past the cap: a hundred single edits, each the result of a
    fresh computation (itself the reference's: above), the last checked against the reference too. Most
    are updates; a bigram crossing the common cut (here 5 % of 1,500 items) makes a whole computation."""
    import random
    rng = random.Random(11)
    sentences = [s for p in sorted((ROOT / "content").rglob("*.md"))[:40]
                 for s in re.split(r"[。；\n]", p.read_text(encoding="utf-8")) if len(s) > 4]
    texts = ["，".join(rng.sample(sentences, rng.randint(0, 4))) for _ in range(1500)]
    groups = [rng.choice("abcdefgh") for _ in texts]
    topics = [rng.sample(["x", "y", "z", "w", "v", "u"], rng.randint(0, 2)) for _ in texts]
    with memo_in(tmp_path, share=0.02) as (memo, whole):
        similar_items(texts, groups, topics, threshold=THRESHOLD, cap=20, memo=memo)
        for n in range(100):
            k = rng.randrange(len(texts))
            if n % 10 == 9:
                topics[k] = rng.sample(["x", "y", "z", "w", "v", "u"], rng.randint(0, 2))
            else:
                texts[k] = "，".join(rng.sample(sentences, rng.randint(0, 4)))
            found = similar_items(texts, groups, topics, threshold=THRESHOLD, cap=20, memo=memo)
            assert found == similar_items(texts, groups, topics, threshold=THRESHOLD, cap=20)
    assert found == reference(texts, groups, topics, THRESHOLD, LIMIT, 20)
    assert len(whole) < 20 and sum(map(len, found)) > 300


def test_a_memo_scores_again_a_topic_whose_bigram_became_common_elsewhere(tmp_path):
    """Topic x's items do not change; 甲乙 enters four items of topic z and so 6 of 7 items: it is
    common now (more than max(5, 5 %)), no longer counts in x, and x's scores change."""
    texts = ["甲乙丙丁", "甲乙丙", "丙丁"] + ["庚辛"] * 4
    groups, topics = ["a", "b", "c", "d", "e", "f", "g"], [["x"]] * 3 + [["z"]] * 4
    with memo_in(tmp_path) as (memo, _):
        before = similar_items(texts, groups, topics, threshold=0.1, memo=memo)
        assert before[0] == (Match(1, 0.8165), Match(2, 0.5774))
        for filler in ("甲乙", "庚辛"):
            texts[3:] = [filler] * 4
            found = similar_items(texts, groups, topics, threshold=0.1, memo=memo)
            assert found == reference(texts, groups, topics, 0.1, LIMIT, CAP)
        assert found == before


def test_a_damaged_or_foreign_memo_is_computed_whole(tmp_path):
    texts, groups, topics = ["提升养老服务能力", "提升养老服务水平"], ["a", "b"], [["t"]] * 2
    with memo_in(tmp_path) as (memo, whole):
        first = similar_items(texts, groups, topics, memo=memo)
        assert first[0] and {p.name for p in tmp_path.iterdir()} == {"state.bin", "places.bin"}
        (tmp_path / "places.bin").write_bytes(b"\1" * (tmp_path / "places.bin").stat().st_size)
        texts[1] = "提升养老服务水准"
        assert similar_items(texts, groups, topics, memo=memo) == reference(texts, groups, topics, THRESHOLD, LIMIT, CAP)
        assert warned == [None] and whole == [1, 1]
        warned.clear()
        other = similar_memo_of(tmp_path, "another code")
        assert other.update(texts, groups, topics, THRESHOLD, LIMIT, CAP) is None and not warned


def similar_memo_of(folder, code):
    from archive.similar_memo import SimilarMemo
    return SimilarMemo(folder, lambda: code, lambda: warned.append(None))
