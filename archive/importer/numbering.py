"""Numbering styles of headings and measures, and Chinese numerals (一 → 1)."""
from __future__ import annotations

import re

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100}
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_CN = "[零〇一二两三四五六七八九十百]+"


def cn_to_int(s: str) -> int | None:
    """一 → 1, 十二 → 12, 二十六 → 26, 一百零三 → 103; None if not a Chinese numeral."""
    if not s or any(c not in CN_DIGITS and c not in CN_UNITS for c in s):
        return None
    total, digit = 0, None
    for c in s:
        if c in CN_DIGITS:
            digit = CN_DIGITS[c]
        else:
            total += (1 if digit is None else digit) * CN_UNITS[c]
            digit = None
    return total + (digit or 0)


# Styles, highest level first. The rank is the conventional order of Chinese official
# documents: 一、 > (一) > 1. > (1) > ① > 一是. Patterns run on the matching copy (half-width).
STYLES = (
    ("cn", re.compile(rf"^(?P<n>{_CN})\s*[、.](?!\d)\s*")),
    ("paren_cn", re.compile(rf"^\((?P<n>{_CN})\)\s*")),
    ("arabic", re.compile(r"^(?P<n>\d{1,3})\s*(?:[、.](?!\d)|\s(?=[\u3400-\u9fff“\"]))\s*")),
    ("paren_arabic", re.compile(r"^\((?P<n>\d{1,3})\)\s*")),
    ("circled", re.compile(rf"^(?P<n>[{CIRCLED}])\s*")),
    ("cn_shi", re.compile(rf"^(?P<n>{_CN})是(?=[\u3400-\u9fff“\"])")),    # 一是…二是… paragraphs
)
RANK = {name: i for i, (name, _) in enumerate(STYLES)}

# a measure whose closing bracket was lost in a redaction: "(4****社区…"
REDACTED_MEASURE = re.compile(r"^\((?P<n>\d{1,3})(?=\*)")


def numeral_value(style: str, n: str) -> int | None:
    if style in ("cn", "paren_cn", "cn_shi"):
        return cn_to_int(n)
    if style == "circled":
        return CIRCLED.index(n) + 1
    return int(n)


def match_heading(copy: str):
    """(style, number, end position in the copy) of a numbered line, or None."""
    for style, rx in STYLES:
        m = rx.match(copy)
        if m:
            value = numeral_value(style, m.group("n"))
            if value is not None:
                return style, value, m.end()
    return None
