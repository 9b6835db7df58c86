"""Deadline text → a date, only where the text honestly names one.

`2021年12月底` → 2021-12-31; `12月底前完成` → that month's end in the list's year;
`2021年底` → 2021-12-31; `长期坚持` → no date. With several dates ("6月底取得阶段性成效，12月底前完成")
the last one is the completion date.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

_DATE = re.compile(r"(?:(?P<year>\d{4})年)?(?P<month>\d{1,2})月(?:(?P<day>\d{1,2})日)?")
# "2021年", "2021年内完成", "2021年取得重大突破": due within that year. "2021年起" is not a deadline.
_WHOLE_YEAR = re.compile(r"(?P<year>\d{4})年(?!.*(?:月|起|以来|开始|以后|之后)).*")


def parse_deadline(text: str, default_year: int | None,
                   no_date_phrases: tuple[str, ...]) -> tuple[dt.date | None, bool]:
    """Return (date, understood). `understood` is False when the text could not be read at all."""
    text = unicodedata.normalize("NFKC", text).replace(" ", "")
    if not text or any(phrase in text for phrase in no_date_phrases):
        return None, True
    if whole := _WHOLE_YEAR.fullmatch(text):
        return dt.date(int(whole["year"]), 12, 31), True
    # "年底"/"年末" is the end of December; saying so lets one pattern read every form.
    text = re.sub(r"年[底末]", "年12月底", text)
    found, year = None, default_year
    for match in _DATE.finditer(text):
        year = int(match["year"]) if match["year"] else year
        if year is not None:
            found = _to_date(year, int(match["month"]), match["day"]) or found
    return found, found is not None


def _to_date(year: int, month: int, day: str | None) -> dt.date | None:
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return dt.date(year, month, last)
    return dt.date(year, month, int(day)) if 1 <= int(day) <= last else None
