"""Random text never crashes or hangs the importer, and every line of it is accounted for:
in an item's source lines, in the list metadata, or in the report of unplaced lines."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from archive.importer import parse

# any Unicode except surrogates (decoded text never holds them)
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)
PIECES = st.sampled_from([
    "|", "||", " | ", "1.", "2、", "(3)", "（4）", "⑤", "一是", "二、", "十二、", "序号", "项目", "牵头单位", "责任单位:",
    "配合单位：", "完成时限:", "当前进度", "是否序时", "；", ";", "。", "、", "(县住建局)", "县教育局", "王某某",
    "— 3 —", "**", "上接第一版", "关键词 教育", "85%", "12月底前", " ", "\u3000", "\t", "1", "17", "进展情况通报"])
LINE = st.one_of(ANY_TEXT, st.lists(st.one_of(PIECES, ANY_TEXT), max_size=12).map("".join))


def accounted(text: str):
    result = parse(text)
    covered = {no for no, _, _ in result.metadata_lines} | {no for no, _, _ in result.unplaced}
    for it in result.items:
        assert isinstance(it.number, int) and it.source_lines[0] <= it.source_lines[1]
        covered.update(range(it.source_lines[0], it.source_lines[1] + 1))
    lines = text.split("\n")
    for no, line in enumerate(lines, 1):
        if line.strip(" \t\u3000\u00a0\ufeff\r"):
            assert no in covered, (no, line)
    assert bool(result.items) or bool(result.diagnosis)
    return result


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, max_size=30))
def test_random_lines_are_all_accounted_for(lines):
    accounted("\n".join(lines) + "\n")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.one_of(PIECES, ANY_TEXT), min_size=1, max_size=6), st.integers(1000, 20000))
def test_one_very_long_line(pieces, repeat):
    accounted("清单\n" + ("".join(pieces) * repeat)[:100_000] + "\n")


@pytest.mark.parametrize("char", ["1", "|", "、", "一", "(", "。", "；", "\u3000", "①", "a", "\n", "：", "局"])
def test_megabytes_of_one_character(char):
    accounted(char * 1_000_000)


@pytest.mark.parametrize("piece", ["1.", "(1)", "一是", "| 1 |", "序号\n", "1\n", "牵头单位:县局 ", "十、"])
def test_a_pattern_repeated_many_times(piece):
    accounted(piece * 50_000)
