import datetime as dt

import pytest

from archive.deadlines import parse_deadline

PHRASES = ("长期坚持", "供暖季")


@pytest.mark.parametrize("text, expected", [
    ("2021年12月底", dt.date(2021, 12, 31)),
    ("2021年6月底", dt.date(2021, 6, 30)),
    ("2021年底", dt.date(2021, 12, 31)),
    ("2021年12月底前完成", dt.date(2021, 12, 31)),
    ("2021年6月底取得阶段性成效，12月底前完成", dt.date(2021, 12, 31)),
    ("12月底前", dt.date(2024, 12, 31)),
    ("年底前", dt.date(2024, 12, 31)),
    ("2024年5月31日", dt.date(2024, 5, 31)),
    ("2024年", dt.date(2024, 12, 31)),
    ("2021年取得重大突破", dt.date(2021, 12, 31)),
    ("２０２１年１２月底", dt.date(2021, 12, 31)),
])
def test_dates_derived_where_honest(text, expected):
    assert parse_deadline(text, 2024, PHRASES) == (expected, True)


@pytest.mark.parametrize("text", ["长期坚持", "2021年供暖季前", "2021年11月底取得阶段性成效，长期坚持", ""])
def test_read_but_no_single_date(text):
    assert parse_deadline(text, 2021, PHRASES) == (None, True)


@pytest.mark.parametrize("text", ["下半年", "2021年13月", "2021年2月30日", "尽快", "2021年起"])
def test_unreadable(text):
    assert parse_deadline(text, 2021, PHRASES) == (None, False)
