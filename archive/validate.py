"""Validate what was read and build the model: raw documents → Archive, plus every problem found.

Two phases, as in Pelican: the whole model is built (and judged) before anything is written.
The schema an editor can read lives in registry/schema.yaml; this module enforces it.
"""
from __future__ import annotations

import copy
import datetime as dt
import os
import re
import stat
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable

from .cache import rules_stamp
from .collector import paused
from .content import Cached, Document, RawList, read_lists, read_tree
from .deadlines import parse_deadline
from .model import Archive, DeptRef, Item, ItemList
from .problems import WARNING, Problem
from .progress import Checker, Statuses, as_of_date, check_progress, is_overdue, load_statuses
from .registry import Registry, load_registry
from .schema import load_schema

MAX_BODY_CHARS = 200_000


@dataclass
class Rules:
    """What judges content: the registries, the field schema, the project root sources resolve from, and
    the date statuses hold as of (a progress entry may not be dated after it)."""
    registry: Registry
    schema: dict
    root: Path
    statuses: Statuses
    as_of: dt.date
    line_counts: dict[str, int | None] = field(default_factory=dict)    # source path → lines, read once
    counted: Callable[[Path], int] | None = None     # with a build cache: its line counts (ContentMemo)
    sources: Path | None = None                      # sources/, resolved

    def line_count(self, source: str) -> int | None:
        """Lines of a file under sources/; None when the path leads elsewhere or to nothing."""
        if source not in self.line_counts:
            path = self._source_file(source)
            if path is None:
                self.line_counts[source] = None
            else:
                self.line_counts[source] = self.counted(path) if self.counted else path.read_bytes().count(b"\n") + 1
        return self.line_counts[source]

    def _source_file(self, source: str) -> Path | None:
        """The file a source path names, if it is one inside sources/ (symlinks followed)."""
        if "\x00" in source:                     # never in a file name
            return None
        if self.sources is None:
            self.sources = (self.root / "sources").resolve()
        folder, _, name = source.partition("/")
        if folder == "sources" and name and "/" not in name and name not in (".", ".."):
            # the usual path: a plain file right in sources/ is inside it, no need to resolve every component
            try:
                if stat.S_ISREG(os.lstat(self.sources / name).st_mode):
                    return self.sources / name
            except OSError:
                return None
        path = (self.root / source).resolve()
        return path if path.is_relative_to(self.sources) and path.is_file() else None


def load_rules(root: Path, as_of: dt.date | None = None, memo=None) -> tuple[Rules, list[Problem]]:
    """`as_of` defaults to SOURCE_DATE_EPOCH, else today in China (progress.as_of_date). With the build
    cache's `memo` (cache.ContentMemo), registries whose files did not change are not parsed again."""
    def load():
        registry, problems = load_registry(root / "registry", root)
        schema, schema_problems = load_schema(root)
        return registry, schema, load_statuses(root / "registry" / "status.yaml"), problems + schema_problems

    if memo is None:
        registry, schema, statuses, problems = load()
        return Rules(registry, schema, root, statuses, as_of or as_of_date()), problems
    registries, (registry, schema, statuses, problems) = memo.registries(root / "registry", load)
    rules = Rules(registry, schema, root, statuses, as_of or as_of_date(), counted=memo.line_count)
    memo.begin(rules_stamp(registries, rules.as_of), rules.registry)
    return rules, list(problems)


def build_archive(root: Path, content_dir: Path, rules: Rules | None = None,
                  as_of: dt.date | None = None, memo=None) -> tuple[Archive, list[Problem]]:
    """`root` holds registry/ and sources/; `content_dir` holds the list folders. Pass `rules` already
    loaded (and their problems already reported) to skip re-reading the registries, and the build cache's
    `memo` (cache.ContentMemo) to parse only changed files and validate only changed folders."""
    rules, problems = (rules, []) if rules else load_rules(root, as_of, memo)
    if memo is not None and rules.counted is None:      # rules loaded without the memo: stamp them now
        registries, _ = memo.registries(root / "registry", lambda: (rules.registry, rules.schema, rules.statuses, []))
        memo.begin(rules_stamp(registries, rules.as_of), rules.registry)
    with paused():    # every list is checked by the reader that read it: at scale, on both cores
        found: list[Problem] = []         # the validation's, reported after all the reading's
        lists, read_problems = read_tree(content_dir, root, memo, then=partial(_check_folder, rules, memo),
                                         registry=rules.registry,
                                         after=lambda c: _learn(c, rules, found, memo))
        problems += read_problems + found
        lists = _finish_lists(lists, problems)
    if memo is not None:
        memo.settle()
    registry = rules.registry
    return Archive(registry.jurisdictions, registry.departments, lists, registry.generic_names,
                   rules.as_of), problems


def build_lists(rules: Rules, raw_lists: list[RawList | Cached], problems: list[Problem],
                memo=None) -> list[ItemList]:
    """Validated lists, sorted; what is wrong goes into `problems`. Checks across lists (one list per
    jurisdiction, year and batch) see only the lists given. `Cached` folders come from the `memo`."""
    with paused():
        lists = [_cached_list(raw, rules, problems, memo) if isinstance(raw, Cached) else
                 _build_list(raw, rules, problems, memo) for raw in raw_lists]
    return _finish_lists(lists, problems)


def _finish_lists(lists: list[ItemList | None], problems: list[Problem]) -> list[ItemList]:
    lists = [item_list for item_list in lists if item_list]
    _check_unique_lists(lists, problems)
    _report_unresolved(lists, problems)
    lists.sort(key=lambda lst: (lst.jurisdiction.path, lst.year, lst.batch or 0))
    return lists


@dataclass
class _Checked:
    """A list folder validated by the reader that read it (at scale a forked one), for the build process."""
    rel: str
    item_list: ItemList | None
    problems: list[Problem]                 # the validation's (the reading's are returned apart, first)
    payload: bytes | None = None            # with a memo: the list and its problems as the memo stores them
    key: str = ""                           # … its folder key, and its folder (to read it again, if it must be)
    folder: Path | None = None
    entry: dict | None = None               # … what the memo recorded of the folder (ContentMemo.used)
    sources: dict = field(default_factory=dict)     # … and of the sources' line counts it counted


def _check_folder(rules: Rules, memo, raw: RawList | Cached, folder: Path) -> _Checked:
    """In the reader: the folder's list validated, or a cached one's stored model read. With a memo, the
    list comes back as the memo stores it, unpickled once, by the build process."""
    problems: list[Problem] = []
    if memo is None:
        return _Checked(raw.rel, _build_list(raw, rules, problems), problems)
    counted, memo.sources_used = memo.sources_used, {}       # what this folder adds, for the build process
    try:
        payload = memo.cached_payload(raw.rel, raw.key, rules.line_count, raw.stats) \
            if isinstance(raw, Cached) else None
        if payload is not None:
            checked = _Checked(raw.rel, None, problems, payload)
        elif isinstance(raw, Cached):
            checked = _Checked(raw.rel, _cached_list(raw, rules, problems, memo, again=True), problems)
        else:
            checked = _Checked(raw.rel, None, problems, _validate_and_remember(raw, rules, memo)[2])
        checked.key, checked.folder = raw.key, folder
        checked.entry, checked.sources = memo.used.get(raw.rel), memo.sources_used
        return checked
    finally:
        counted.update(memo.sources_used)
        memo.sources_used = counted


def _learn(checked: _Checked, rules: Rules, problems: list[Problem], memo) -> ItemList | None:
    """In the build process: what the reader recorded, and the list unpickled (validated again, here, if
    a registry object it names is gone)."""
    if memo is not None:
        memo.learn(checked.rel, checked.entry, checked.sources)
    if checked.payload is None:
        problems += checked.problems
        return checked.item_list
    found = memo.load_cached(checked.payload, checked.key)
    if found is None:
        folder = checked.folder
        return _cached_list(Cached(folder.name, checked.rel, checked.key, folder), rules, problems, memo, again=True)
    item_list, list_problems = found
    problems += list_problems
    return item_list


def _cached_list(cached: Cached, rules: Rules, problems: list[Problem], memo, again: bool = False) -> ItemList | None:
    """The list as validated by an earlier build; read and validated again if that cannot be used (its
    reading problems were already reported from the cache: the same bytes give the same ones). `again`:
    it is known that it cannot."""
    found = None if again else memo.cached_list(cached.rel, cached.key, rules.line_count, cached.stats)
    if found is not None:
        item_list, list_problems = found
        problems += list_problems
        return item_list
    read, _ = read_lists([(cached.folder, cached.rel)], memo, reuse=False)
    return _build_list(read[0], rules, problems, memo) if read else None


def _build_list(raw: RawList, rules: Rules, problems: list[Problem], memo=None) -> ItemList | None:
    if memo is None:
        return _validate_list(raw, rules, problems)
    item_list, found, _ = _validate_and_remember(raw, rules, memo)
    problems += found
    return item_list


def _validate_and_remember(raw: RawList, rules: Rules, memo) -> tuple[ItemList | None, list[Problem], bytes]:
    """(the list, its problems, both as the memo stored them): remembered with the line counts of the
    sources it consulted."""
    consulted: dict[str, int | None] = {}

    def line_count(source: str) -> int | None:
        consulted[source] = rules.line_count(source)
        return consulted[source]

    recording = copy.copy(rules)
    recording.line_count = line_count
    found: list[Problem] = []
    item_list = _validate_list(raw, recording, found)
    payload = memo.remember_list(raw.rel, raw.key, (item_list, found), consulted, raw.problems, raw.stats)
    return item_list, found, payload


# --- lists -------------------------------------------------------------------------------------

def _validate_list(raw: RawList, rules: Rules, problems: list[Problem]) -> ItemList | None:
    meta, registry = raw.meta, rules.registry
    if meta is None or not _check_fields(meta, rules.schema["list"], rules.schema, problems):
        return None
    data = meta.data
    jurisdiction = registry.jurisdictions.get(data["jurisdiction"])
    if jurisdiction is None:
        problems.append(_at(meta, "jurisdiction", f"未知的行政区划“{data['jurisdiction']}”",
                            "写 registry/jurisdictions.yaml 中已有的路径（如 shandong/weifang），或先在那里登记"))
        return None
    source_lines = rules.line_count(data["source"])
    if source_lines is None:
        problems.append(_at(meta, "source", f"找不到原文文件“{data['source']}”",
                            "原文放在 sources/ 下，这里写 sources/文件名.txt"))
        return None
    if data.get("source_url") and not re.match(r"https?://[^\s<>\"]+$", data["source_url"]):
        # Pages link to it: anything but a web address (javascript:, data:) must never become a link.
        problems.append(_at(meta, "source_url", f"原文网址“{data['source_url']}”不是 http:// 或 https:// 开头的网址",
                            "照浏览器地址栏复制完整网址；没有网址就写空字符串 \"\""))
        return None
    item_list = ItemList(
        id=raw.id, jurisdiction=jurisdiction, year=data["year"], batch=data.get("batch"),
        title=data["title"], publisher=data["publisher"], published=data.get("published"),
        source=data["source"], source_url=data.get("source_url") or "", note=data.get("note") or "",
    )
    for doc in raw.items:
        item = _build_item(doc, item_list, rules, source_lines, problems)
        if item:
            item_list.items.append(item)
    _check_unique_numbers(item_list, problems)
    item_list.items.sort(key=lambda item: item.number)
    return item_list


def _check_unique_lists(lists: list[ItemList], problems: list[Problem]) -> None:
    seen: dict[str, ItemList] = {}
    for item_list in lists:
        if item_list.url in seen:
            other = seen[item_list.url]
            problems.append(Problem(f"{_folder(item_list)}/_list.yaml", None, "batch",
                                    f"与 {_folder(other)} 是同一行政区划、同一年份、同一批次的清单",
                                    "同一年有多批时用 batch 区分（第一批 1，第二批 2）"))
        seen[item_list.url] = item_list


def _folder(item_list: ItemList) -> str:
    return item_list.items[0].path.rsplit("/", 1)[0] if item_list.items else item_list.id


# --- items -------------------------------------------------------------------------------------

def _build_item(doc: Document, item_list: ItemList, rules: Rules, source_lines: int,
                problems: list[Problem]) -> Item | None:
    registry, schema = rules.registry, rules.schema
    if not _check_fields(doc, schema["item"], schema, problems):
        return None
    data = doc.data
    flags = tuple(data.get("flags") or ())
    first, last = data["source_lines"]
    if last > source_lines:
        problems.append(_at(doc, "source_lines", f"原文只有 {source_lines} 行，行号 {last} 超出范围",
                            "对照原文改正起止行号"))
        return None
    if not data["title"] and "fragment" not in flags:
        problems.append(_at(doc, "title", "标题为空", "写上原文标题；若确是没有标题的残段，在 flags 中加 fragment"))
    if "uncertain" in flags and not data.get("note"):
        problems.append(_at(doc, "note", "标记了 uncertain 却没有说明", "在 note 中写明哪些字段存疑、为什么"))
    if not doc.body.strip() and "fragment" not in flags:
        problems.append(_at(doc, "", "正文为空（仍会生成页面）", "补上原文的事项内容", line=doc.body_line,
                            severity=WARNING))
    if len(doc.body) > MAX_BODY_CHARS:
        problems.append(_at(doc, "", f"正文有 {len(doc.body):,} 字，超过上限 {MAX_BODY_CHARS:,}",
                            "一个文件只放一条事项；检查是否误粘贴了整份文件", line=doc.body_line))
        return None
    deadline_text = data.get("deadline") or ""
    deadline, understood = parse_deadline(deadline_text, item_list.year, registry.no_date_phrases)
    if not understood:
        problems.append(_at(doc, "deadline", f"无法从完成时限“{deadline_text}”得出日期（照原文保留，不显示日期）",
                            "若原文如此，无需处理；常见写法如 2021年12月底、长期坚持", severity=WARNING))
    progress = ()
    if data.get("progress"):
        checker = Checker(doc, rules.statuses, rules.as_of, rules.line_count, schema["progress"], problems)
        progress = check_progress(checker, data["progress"])
        if progress is None:
            return None
    jurisdiction = item_list.jurisdiction.path
    item = Item(
        list=item_list, number=data["number"], title=data["title"], category=data.get("category") or "",
        body=doc.body, deadline_text=deadline_text, deadline=deadline,
        lead=[_ref(registry, jurisdiction, name) for name in data.get("lead") or ()],
        partners=[_ref(registry, jurisdiction, name) for name in data.get("partners") or ()],
        source_lines=(first, last), flags=flags, note=data.get("note") or "",
        status_text=data.get("status") or "", path=doc.path, progress=progress,
    )
    item.overdue = is_overdue(item, rules.as_of, rules.statuses)
    return item


def _ref(registry: Registry, jurisdiction: str, printed: str) -> DeptRef:
    if registry.is_generic(printed):
        return DeptRef(printed, None, generic=True)
    return DeptRef(printed, registry.resolve(jurisdiction, printed))


def _check_unique_numbers(item_list: ItemList, problems: list[Problem]) -> None:
    by_number: dict[int, list[Item]] = defaultdict(list)
    for item in item_list.items:
        by_number[item.number].append(item)
    for number, items in by_number.items():
        if len(items) > 1:
            files = "、".join(item.path for item in items)
            for item in items[1:]:
                problems.append(Problem(item.path, None, "number", f"序号 {number} 在本清单中重复：{files}",
                                        "每条事项的序号在清单内唯一；核对原文后改正"))
            item_list.items = [item for item in item_list.items if item not in items[1:]]


def _report_unresolved(lists: list[ItemList], problems: list[Problem]) -> None:
    unresolved: dict[tuple[str, str], list[str]] = defaultdict(list)
    for item_list in lists:
        for item in item_list.items:
            for ref in (*item.lead, *item.partners):
                if ref.department is None and not ref.generic:
                    unresolved[(item_list.jurisdiction.path, ref.printed)].append(item.path)
    for (jurisdiction, name), paths in sorted(unresolved.items()):
        registry_file = f"registry/departments/{jurisdiction.replace('/', '-')}.yaml"
        problems.append(Problem(paths[0], None, "lead/partners",
                                f"部门名称“{name}”在 {jurisdiction} 的部门登记表中找不到，用于：{'、'.join(sorted(set(paths)))}",
                                f"在 {registry_file} 中登记这个部门，或把它加为已有部门的 aliases",
                                severity=WARNING))


# --- fields ------------------------------------------------------------------------------------

def _check_fields(doc: Document, fields: dict, schema: dict, problems: list[Problem]) -> bool:
    ok = True
    for key in doc.data:
        if key not in fields:
            problems.append(_at(doc, str(key), f"未知字段“{key}”", f"可用的字段：{', '.join(fields)}"))
            ok = False
    for key, spec in fields.items():
        if key not in doc.data or doc.data[key] is None:
            if spec.get("required") and key in doc.data:     # `key:` written, nothing after it
                problems.append(_at(doc, key, f"必填字段“{key}”是空的", f"在 {key}: 后面填上：{spec['help']}"))
                ok = False
            elif spec.get("required"):
                problems.append(_at(doc, key, f"缺少必填字段“{key}”", f"加上一行 {key}: …（{spec['help']}）",
                                    line=1))
                ok = False
            continue
        message = _type_error(doc.data[key], spec["type"], schema["flags"])
        if not message and "min" in spec and doc.data[key] < spec["min"]:
            message = f"不能小于 {spec['min']}，现在是 {doc.data[key]}"
        if message:
            problems.append(_at(doc, key, message, spec["help"]))
            ok = False
    return ok


def _type_error(value, kind: str, known_flags: list[str]) -> str:
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return f"应为整数（不加引号），现在是“{value}”"
    elif kind == "string":
        if not isinstance(value, str):
            return f"应为文字，现在是 {type(value).__name__}“{value}”；数字或日期形式的文字要加引号"
    elif kind == "date":
        if not isinstance(value, dt.date):
            return f"应为日期 YYYY-MM-DD，现在是“{value}”"
    elif kind == "names":
        if isinstance(value, str):
            sep = "，把用“、”分隔的名称拆开" if "、" in value else ""
            return f"应为名称列表，如 [甲, 乙]，现在是一段文字“{value}”{sep}"
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            return f"应为名称列表，如 [甲, 乙]，现在是“{value}”"
    elif kind == "line_range":
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
                or not 1 <= value[0] <= value[1]):
            return f"应为起止行号 [起, 止]（起 ≥ 1，止 ≥ 起），现在是“{value}”"
    elif kind == "progress":
        if not isinstance(value, list):
            return f"应为进展条目的列表（每条以“- date:”开头），现在是“{value}”"
    elif kind == "flags":
        if not isinstance(value, list) or not all(v in known_flags for v in value):
            return f"应为标记列表，只能用 {', '.join(known_flags)}，现在是“{value}”"
    return ""


def _at(doc: Document, field: str, message: str, hint: str, *, line: int | None = None,
        severity: str = "error") -> Problem:
    return Problem(doc.path, line or doc.lines.get(field), field, message, hint, severity)
