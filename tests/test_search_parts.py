"""The postings computed a part at a time, each part's characters found a few ranks at a time, are the
postings computed at once."""
from __future__ import annotations


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


def test_postings_computed_by_two_processes_are_the_ones_one_process_computes(monkeypatch):
    import numpy as np

    import archive.search.postings as P
    monkeypatch.setattr(P, "PART_ENTRIES", 50)          # many parts, so the child gets some
    texts = ["民生实事养老服务", "养老院改造提升", "城市更新与老旧小区改造", "ｆｕｌｌ width 与 养老"] * 30
    zones = ([3] * len(texts), [2] * len(texts), 64)
    assert len(P._parts(P.ranked(texts, zones))) > 4
    one, two = P.ranked_postings(P.ranked(texts, zones)), P.ranked_postings(P.ranked(texts, zones), jobs=2)
    for field in ("keys", "ndocs", "starts", "lengths", "data", "pos_starts", "pos_lengths", "pos_data"):
        assert np.array_equal(getattr(one, field), getattr(two, field)), field
