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
