"""A progress report → entries appended to the items of a list (`build.py progress`).

    read_report(lines, statuses)      the importer's readers → one Row per item the report speaks of
    match_rows(rows, items)           each row → the list's item, by number or by title, or why not
    entry(row, date, source)          the progress entry (front matter) for a matched row
    append_entries(text, entries)     an item file's text with the entries added to its `progress`

A row is matched by number when the report numbers its rows as the list does (most numbered rows' titles
agree with the list's item of that number); otherwise by title similarity, accepted only above a
threshold and only when no other item comes within a margin of the best (then it is ambiguous, listed
with both candidates, never guessed). The thresholds were measured: benchmarks/progress_match.py,
docs/progress.md.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

import yaml

from .model import Item
from .progress import PERCENT, Statuses, map_words

TITLE_THRESHOLD = 0.7       # similarity a title match must reach (docs/progress.md)
MARGIN = 0.15               # a second candidate this close to the best makes the match ambiguous
NUMBER_AGREES = 0.3         # a numbered row's title must be at least this similar to the item of its number
AGREEING_SHARE = 0.8        # share of numbered rows that must agree for the report to use the list's numbers
MAX_WORDS = 12              # a status phrase (按序时推进, 完成60%) is short; a longer first part is text
_NOISE = re.compile(r"[\W_]+")
_CLAUSE = re.compile(r"([^。，,；;：:\s]{1,12})[。，,；;：:]")


@dataclass
class Row:
    """One item as the report prints it."""
    number: int | None
    title: str
    as_printed: str             # the report's status words, "" when it prints none apart from its text
    code: str | None            # the code they map to (None: an editor must decide)
    percent: int | float | None
    text: str                   # the report's words on the item, as the reader joined them
    lines: tuple[int, int]      # first and last line in the report


@dataclass
class Match:
    row: Row
    item: Item | None = None
    by: str = ""                                   # "number" | "title"
    candidates: list[tuple[Item, float]] = field(default_factory=list)   # best first
    why: str = ""                                  # why not matched, in Chinese


def read_report(lines: list[str], statuses: Statuses) -> tuple[list[Row], list[tuple[int, str, str]]]:
    """The report's rows and its unplaced lines (line, text, why), read by the importer's layout readers."""
    from .importer import read_document       # the importer's readers load their vocabularies on import
    items, unplaced, _ = read_document(lines)
    rows = []
    for it in items:
        if not it.source_lines:
            continue
        as_printed, text = split_status(statuses, it.status)
        code, percent = map_words(statuses, as_printed) if as_printed else (None, None)
        rows.append(Row(it.number, it.title, as_printed, code, percent, text,
                        (it.source_lines[0], it.source_lines[-1])))
    return rows, unplaced


def split_status(statuses: Statuses, status: str) -> tuple[str, str]:
    """(status words, text). The reader joins a report's progress columns with spaces: a short first
    column that reads as status words (maps to a code, prints a figure) is them, the rest the text.
    A paragraph may open with them ("已完成。30所学校……"): then they are that opening clause and the
    text is the whole paragraph, verbatim. A narrative that opens otherwise has no status words."""
    status = status.strip()
    parts = status.split(None, 1)
    if parts and _status_words(statuses, parts[0]):
        return parts[0], parts[1] if len(parts) > 1 else ""
    clause = _CLAUSE.match(status)
    if clause and _status_words(statuses, clause.group(1)):
        return clause.group(1), status
    return "", status


def _status_words(statuses: Statuses, words: str) -> bool:
    """Words of the vocabulary (a rule's word, a percent) with at most two characters besides: 按序时推进,
    进度滞后, 完成60%, 未完成. "已完成主体工程" is text about the works, not the item's status."""
    if len(words) > MAX_WORDS:
        return False
    rest = PERCENT.sub("", words, count=1)
    known = rest != words
    for rule in statuses.rules:
        word = rule.get("word") or rule.get("whole")
        if word and word in rest:
            rest, known = rest.replace(word, "", 1), True
            break
    return known and len(rest) <= 2


def normalise(title: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", title)).lower()


def bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def similarity(a: str, b: str) -> float:
    """Share of the shorter title's character pairs found in the longer one (reports shorten titles:
    课后延时服务 for 高质量实施课后延时服务), damped for very short titles that match anything."""
    x, y = bigrams(normalise(a)), bigrams(normalise(b))
    if not x or not y:
        return 0.0
    small = min(len(x), len(y))
    return len(x & y) / small * min(1.0, small / 4)


def match_rows(rows: list[Row], items: list[Item]) -> list[Match]:
    by_number = {item.number: item for item in items}
    numbered = [r for r in rows if r.number in by_number]
    agreeing = [r for r in numbered if similarity(r.title, by_number[r.number].title) >= NUMBER_AGREES]
    uses_numbers = bool(numbered) and len(agreeing) >= AGREEING_SHARE * len(numbered)
    matches = []
    for row in rows:
        item = by_number.get(row.number) if uses_numbers else None
        if item is not None and similarity(row.title, item.title) >= NUMBER_AGREES:
            matches.append(Match(row, item, "number"))
        else:
            matches.append(_by_title(row, items))
    return matches


def _by_title(row: Row, items: list[Item]) -> Match:
    scored = sorted(((item, similarity(row.title, item.title)) for item in items),
                    key=lambda pair: (-pair[1], pair[0].number))
    best = [(item, score) for item, score in scored[:3] if score >= TITLE_THRESHOLD]
    if not best:
        near = scored[0] if scored else None
        why = f"没有标题相近的事项（最接近：第 {near[0].number} 项，相似度 {near[1]:.2f}）" if near else "清单没有事项"
        return Match(row, candidates=scored[:1], why=why)
    close = [(item, score) for item, score in best if score >= best[0][1] - MARGIN]
    if len(close) > 1:
        names = "、".join(f"第 {item.number} 项（{score:.2f}）" for item, score in close)
        return Match(row, candidates=close, why=f"有不止一个标题相近的事项：{names}")
    return Match(row, best[0][0], "title", candidates=best[:1])


def entry(row: Row, date: dt.date, source: str) -> dict:
    """The front-matter entry for a matched row whose words map to a code."""
    data: dict = {"date": date, "status": row.code}
    if row.as_printed:
        data["as_printed"] = row.as_printed
    if row.percent is not None:
        data["percent"] = row.percent
    if row.text:
        data["text"] = row.text
    data["source"] = {"path": source, "lines": list(row.lines)}
    return data


def already_there(item: Item, date: dt.date, source: str) -> bool:
    """Re-running an import is a no-op: an item holds at most one entry per report and date."""
    return any(p.date == date and p.source == source for p in item.progress)


def entry_lines(entries: list[dict]) -> list[str]:
    """The entries as front-matter lines, in the form the README shows (source on one line)."""
    out = []
    for data in entries:
        for n, (key, value) in enumerate(data.items()):
            out.append(("  - " if n == 0 else "    ") + f"{key}: {_yaml(value)}")
    return out


def _yaml(value) -> str:
    # safe_dump quotes what needs quoting (a text starting with * or containing ": "); flow style keeps
    # the source on one line.
    dumped = yaml.safe_dump(value, allow_unicode=True, width=10 ** 6, default_flow_style=True, sort_keys=False)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def append_entries(text: str, entries: list[dict]) -> str:
    """The item file's text with `entries` appended to its front matter's `progress` list (created at the
    end of the front matter when there is none). Nothing else in the file changes."""
    lines = text.split("\n")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    new = entry_lines(entries)
    start = next((i for i in range(1, end) if re.match(r"progress\s*:", lines[i])), None)
    if start is None:
        return "\n".join(lines[:end] + ["progress:"] + new + lines[end:])
    if lines[start].split(":", 1)[1].strip() not in ("", "[]"):
        raise ValueError("progress 写成了一行（流式列表），无法追加；改成每条以“- date:”开头的写法")
    lines[start] = "progress:"
    after = next((i for i in range(start + 1, end) if lines[i][:1] not in (" ", "\t", "")), end)
    return "\n".join(lines[:after] + new + lines[after:])
