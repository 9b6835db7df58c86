"""Chart geometry: a horizontal bar chart as plain numbers the SVG template only has to print.

Charts are static SVG written by the build (the site runs no chart JavaScript, and its CSP forbids inline
styles, so every colour is an attribute). The viewBox is narrow on purpose: each bar's label sits on its
own line above the bar, so a chart drawn 320 units wide stays legible on a 375 px phone, and on wide
screens several charts stand side by side. All numbers are integers or fixed-precision strings, so the
same counts always give the same bytes.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

WIDTH = 320             # viewBox width; the stylesheet scales the chart down, never up
FONT = 15               # label and value size in viewBox units
ROW = 42                # label line + bar + gap
BAR = 12
TOP = 6
BAR_FILL = "#2f6690"
OTHER_FILL = "#8a96a3"  # 其他 / unknown buckets: grey, so they don't read as one more category
TEXT_FILL = "#1d2329"
MUTED_FILL = "#5a6470"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    url: str = ""
    other: bool = False   # a bucket (其他, 未写), drawn grey


def text_width(text: str, size: int = FONT) -> float:
    """Rough advance width: CJK and full-width characters take an em, the rest about 0.6 em."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.6 for c in text)


def fit(text: str, width: float, size: int = FONT) -> str:
    """`text` cut with an ellipsis to fit `width`; the full label is in the table beside the chart."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def bar_chart(key: str, title: str, desc: str, bars: list[Bar], unit: str = "项") -> dict:
    """Everything the chart template prints: the SVG's size, one row per bar, and the table's rows.

    `key` makes the ids of <title>/<desc> unique on a page that shows several charts."""
    total = sum(b.value for b in bars)
    top = max((b.value for b in bars), default=0) or 1
    value_room = text_width(str(top)) + 8
    span = WIDTH - value_room
    rows = []
    for n, b in enumerate(bars):
        y = TOP + n * ROW
        length = round(span * b.value / top) if b.value else 0
        rows.append({
            "label": b.label, "short": fit(b.label, WIDTH), "value": b.value, "url": b.url,
            "share": f"{100 * b.value / total:.1f}%" if total else "0.0%",
            "label_y": y + FONT, "bar_y": y + FONT + 6, "bar_w": max(length, 1 if b.value else 0),
            "value_x": max(length, 1) + 6, "value_y": y + FONT + 6 + BAR - 1,
            "fill": OTHER_FILL if b.other else BAR_FILL,
        })
    return {
        "key": key, "title": title, "desc": desc, "unit": unit, "total": total,
        "width": WIDTH, "height": TOP + len(bars) * ROW, "font": FONT, "bar": BAR,
        "text_fill": TEXT_FILL, "muted_fill": MUTED_FILL, "rows": rows,
    }


def top_bars(counts: dict[str, int], limit: int, rest_label: str = "其他", labels: dict[str, str] | None = None,
             urls: dict[str, str] | None = None, buckets: tuple[str, ...] = ()) -> list[Bar]:
    """The `limit` largest counts (ties by label, for stable bytes), then one bar for the rest. Keys are
    shown as `labels[key]` where given. `buckets` (like “原文未写”) are not ranked: they go last, grey."""
    labels, urls = labels or {}, urls or {}
    ranked = sorted((k for k in counts if k not in buckets), key=lambda k: (-counts[k], labels.get(k, k), k))
    bars = [Bar(labels.get(k, k), counts[k], urls.get(k, "")) for k in ranked[:limit]]
    rest = sum(counts[k] for k in ranked[limit:])
    if rest:
        bars.append(Bar(f"{rest_label}（{len(ranked) - limit}个）", rest, other=True))
    bars += [Bar(k, counts[k], other=True) for k in buckets if counts.get(k)]
    return bars
