"""Progress on an item: the status codes and report words (registry/status.yaml), the build's as-of date,
the checks on an item's `progress` entries, and what is derived from them (overdue).

An item's status is its latest entry's code, or 未见通报 with none (model.Item.status); whether it is
overdue depends on the as-of date, so the build decides it once, here, for the whole archive.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml

from .content import Document
from .model import Item, Progress
from .problems import Problem

CHINA = dt.timezone(dt.timedelta(hours=8))     # Asia/Shanghai: UTC+8, no daylight saving since 1991
ENTRY_KEYS = ("date", "status", "as_printed", "percent", "text", "source")
PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")
_WEB = re.compile(r"https?://[^\s<>\"]+$")


@dataclass(frozen=True)
class Status:
    code: str
    slug: str
    closes: bool = False
    help: str = ""


@dataclass(frozen=True)
class Statuses:
    codes: dict[str, Status]         # the codes an entry may use, registry order
    none: Status                     # 未见通报
    rules: tuple[dict, ...]          # report words → code, first match wins

    @property
    def all(self) -> list[Status]:
        """Every status a page may count, 未见通报 last."""
        return [*self.codes.values(), self.none]

    def slug(self, code: str) -> str:
        return self.codes[code].slug if code in self.codes else self.none.slug

    def closes(self, code: str) -> bool:
        return code in self.codes and self.codes[code].closes


def load_statuses(path: Path) -> Statuses:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    codes = {c["code"]: Status(c["code"], c["slug"], bool(c.get("closes")), c.get("help", "")) for c in data["codes"]}
    return Statuses(codes, Status(**data["none"]), tuple(data["words"]))


def as_of_argument(text: str) -> dt.date:
    """`--as-of` on the command line."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应写成 YYYY-MM-DD，如 2022-10-31，现在是“{text}”") from None


def as_of_date(given: str | None = None, environ=os.environ) -> dt.date:
    """`--as-of YYYY-MM-DD`, else SOURCE_DATE_EPOCH (reproducible builds), else today in China."""
    if given:
        return dt.date.fromisoformat(given)
    epoch = environ.get("SOURCE_DATE_EPOCH")
    now = dt.datetime.fromtimestamp(int(epoch), CHINA) if epoch else dt.datetime.now(CHINA)
    return now.date()


def map_words(statuses: Statuses, words: str) -> tuple[str | None, int | float | None]:
    """The code a report's status words map to (None: an editor must decide), and the percent they print."""
    found = PERCENT.search(words)
    percent = _number(found.group(1)) if found else None
    for rule in statuses.rules:
        if "word" in rule and rule["word"] in words:
            return rule["code"], percent
        if "whole" in rule and rule["whole"] == words.strip():
            return rule["code"], percent
        if rule.get("percent") == "full" and percent == 100 or rule.get("percent") == "partial" and (
                percent is not None and percent < 100):
            return rule["code"], percent
    return None, percent


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def is_overdue(item: Item, as_of: dt.date, statuses: Statuses) -> bool:
    """The machine deadline is before the as-of date and no report says done, changed or ended."""
    return item.deadline is not None and item.deadline < as_of and not statuses.closes(item.status)


# --- checking the entries ----------------------------------------------------------------------

@dataclass
class Checker:
    """What judges one item's entries: where they are, the vocabulary, the date, the sources."""
    doc: Document
    statuses: Statuses
    as_of: dt.date
    line_count: Callable[[str], int | None]     # lines of a file under sources/, None if there is none
    help: dict                                  # registry/schema.yaml `progress`: help per entry field
    problems: list[Problem]

    def error(self, n: int, key: str, message: str, hint: str) -> None:
        lines = self.doc.lines
        line = lines.get(f"progress[{n}].{key}") or lines.get(f"progress[{n}]") or lines.get("progress")
        field = f"progress[{n}].{key}" if key else f"progress[{n}]"
        self.problems.append(Problem(self.doc.path, line, field, f"第 {n} 条进展：{message}", hint))


def check_progress(checker: Checker, value: list) -> tuple[Progress, ...] | None:
    """The entries, oldest first, or None after reporting every problem found in them."""
    entries, ok = [], True
    for n, entry in enumerate(value, 1):
        progress = _entry(checker, n, entry)
        if progress is None:
            ok = False
            continue
        if entries and progress.date < entries[-1].date:
            checker.error(n, "date", f"日期 {progress.date} 早于上一条的 {entries[-1].date}",
                          "progress 按日期从早到晚排列：把这一条移到日期更早的条目前面")
            ok = False
        entries.append(progress)
    return tuple(entries) if ok else None


def _entry(c: Checker, n: int, entry) -> Progress | None:
    if not isinstance(entry, dict):
        c.error(n, "", f"应是“字段: 值”的组合，现在是“{entry}”",
                "每条以“- date: 2022-10-31”开头，下面对齐写 status、as_printed、percent、text、source")
        return None
    before = len(c.problems)
    for key in entry:
        if key not in ENTRY_KEYS:
            c.error(n, str(key), f"未知字段“{key}”", f"可用的字段：{', '.join(ENTRY_KEYS)}")
    for key in ("date", "status", "source"):
        if entry.get(key) is None:
            c.error(n, key, f"缺少必填字段“{key}”", f"加上 {key}: …（{c.help[key]}）")
    date, status, percent = entry.get("date"), entry.get("status"), entry.get("percent")
    if date is not None:
        _check_date(c, n, date)
    if status is not None and status not in c.statuses.codes:
        _unknown_status(c, n, status)
    if percent is not None and (isinstance(percent, bool) or not isinstance(percent, (int, float))):
        c.error(n, "percent", f"应为 0 到 100 的数字（不加 %），现在是“{percent}”", c.help["percent"])
    elif percent is not None and not 0 <= percent <= 100:
        c.error(n, "percent", f"百分比 {percent} 超出 0–100", "照报告写完成的百分数，如 60；报告没写数字就不写 percent")
    for key in ("as_printed", "text"):
        if entry.get(key) is not None and not isinstance(entry[key], str):
            c.error(n, key, f"应为文字，现在是“{entry[key]}”；数字形式的文字要加引号", c.help[key])
    source = _source(c, n, entry["source"]) if entry.get("source") is not None else None
    if len(c.problems) > before:
        return None
    return Progress(date=date, status=status, as_printed=entry.get("as_printed") or "", percent=percent,
                    text=entry.get("text") or "", **source)


def _check_date(c: Checker, n: int, date) -> None:
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        c.error(n, "date", f"应为日期 YYYY-MM-DD，现在是“{date}”", c.help["date"])
    elif date > c.as_of:
        c.error(n, "date", f"日期 {date} 晚于本次生成的状态截止日期 {c.as_of}",
                f"核对报告的截至日期；若无误，生成时用 --as-of {date} 或更晚的日期")


def _unknown_status(c: Checker, n: int, status) -> None:
    codes = "、".join(c.statuses.codes)
    hint = f"status 只能写 {codes} 之一"
    code, _ = map_words(c.statuses, str(status))
    if code:
        hint += f"；“{status}”像是报告的原话：写 status: {code}，原话写在 as_printed: {status}"
    c.error(n, "status", f"未知的状态代码“{status}”", hint)


def _source(c: Checker, n: int, source) -> dict | None:
    if not isinstance(source, dict) or not ("path" in source or "url" in source):
        c.error(n, "source", f"出处应写 {{path: sources/…, lines: [起, 止]}} 或 {{url: …, title: …}}，现在是“{source}”",
                c.help["source"])
        return None
    allowed = ("path", "lines") if "path" in source else ("url", "title", "publisher")
    for key in source:
        if key not in allowed:
            c.error(n, "source", f"出处中不能有“{key}”", "保存在 sources/ 的文件写 path 和 lines；网页写 url、title、publisher")
    if "path" in source:
        return _kept_source(c, n, source.get("path"), source.get("lines"))
    url, title = source.get("url"), source.get("title")
    if not isinstance(url, str) or not _WEB.match(url):
        c.error(n, "source", f"网址“{url}”不是 http:// 或 https:// 开头的网址", "照浏览器地址栏复制完整网址")
    if not isinstance(title, str) or not title.strip():
        c.error(n, "source", "网页出处缺少 title", "写上网页的标题，如 title: 关于2022年民生实事进展情况的通报")
    publisher = source.get("publisher")
    if publisher is not None and not isinstance(publisher, str):
        c.error(n, "source", f"publisher 应为文字，现在是“{publisher}”", "写发布机关或媒体的名称")
    return {"url": url, "title": title, "publisher": publisher or ""}


def _kept_source(c: Checker, n: int, path, lines) -> dict | None:
    count = c.line_count(path) if isinstance(path, str) else None
    if count is None:
        c.error(n, "source", f"找不到原文文件“{path}”", "报告原文放在 sources/ 下，这里写 sources/文件名.txt")
        return None
    if (not isinstance(lines, list) or len(lines) != 2 or not all(type(v) is int for v in lines)
            or not 1 <= lines[0] <= lines[1]):
        c.error(n, "source", f"lines 应为起止行号 [起, 止]（起 ≥ 1，止 ≥ 起），现在是“{lines}”",
                "写这一条在报告原文中的起止行号，如 lines: [12, 14]")
        return None
    if lines[1] > count:
        c.error(n, "source", f"原文 {path} 只有 {count} 行，行号 {lines[1]} 超出范围", "对照报告原文改正起止行号")
        return None
    return {"source": path, "lines": (lines[0], lines[1])}
