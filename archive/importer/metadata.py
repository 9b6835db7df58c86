"""The list's metadata guessed from its preamble: title, year, batch, publication date."""
from __future__ import annotations

import re
from collections import Counter

from .numbering import cn_to_int
from .text import ends_terminal

_DATE = re.compile(r"(20\d\d)\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})")
_YEAR = re.compile(r"(20\d\d)\s*年")


def detect_metadata(metadata_lines: list[tuple[int, str, str]], raw_lines: list[str]) -> dict:
    pre = [(no, text) for no, text, role in metadata_lines if role == "preamble"]
    title = ""
    for _, text in pre:
        if re.search(r"清单|方案|实事|项目", text) and len(text) <= 80 and not ends_terminal(text):
            title = text
            break
    if not title and pre:
        title = pre[0][1]
    published = ""
    for _, text in pre:
        m = _DATE.search(text)
        if m:
            published = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
            break
    year = None
    m = _YEAR.search(title)
    if m:
        year = int(m.group(1))
    else:
        years = Counter(_YEAR.findall("\n".join(raw_lines)))
        if years:
            year = int(years.most_common(1)[0][0])
        elif published:
            year = int(published[:4])
    batch = None
    m = re.search(r"第\s*([一二三四五六七八九十\d]+)\s*批", title)
    if m:
        batch = int(m.group(1)) if m.group(1).isdigit() else cn_to_int(m.group(1))
    return {"title": title, "year": year, "batch": batch, "published": published}
