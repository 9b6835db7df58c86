"""Read the content tree: files → front matter, body and line numbers. No meaning yet.

    content/<list-id>/_list.yaml      list metadata
    content/<list-id>/*.md            one item each: `---` front matter `---` then Markdown

Everything an editor can get wrong in the *form* of a file is reported here, with its line:
encoding, unclosed front matter, tabs, full-width colons, duplicated keys, YAML syntax.
"""
from __future__ import annotations

import multiprocessing
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import frontmatter
from .cache.content import dump_model, load_model
from .problems import Problem

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LIST_FILE = "_list.yaml"
MAX_BYTES = 1_000_000
PARALLEL_FROM = 200      # list folders; below this, starting workers costs more than it saves
_KEY = re.compile(r"([^\s#\-][^:：]*?)\s*(:(?=\s|$)|：)")


@dataclass
class Document:
    path: str                                       # repo-relative
    data: dict
    lines: dict[str, int] = field(default_factory=dict)   # key → line in the file
    body: str = ""
    body_line: int = 1


@dataclass
class RawList:
    id: str                                         # folder name
    meta: Document | None
    items: list[Document]
    rel: str = ""                                   # repo-relative folder
    key: str = ""                                   # with a build cache: its files' paths and bytes
    problems: list[Problem] = field(default_factory=list)    # its files' reading problems
    stats: str | None = None                        # with a build cache: its files' stat digest, if it can vouch for them


KNOWN = "known"     # a folder's files have the stat the cache recorded (not sent back from the readers again)


@dataclass
class Cached:
    """A list folder whose files are, byte for byte, those an earlier build validated under the same rules:
    nothing in it was parsed, and its list comes from the build cache (archive/cache/)."""
    id: str
    rel: str
    key: str
    folder: Path
    stats: str | None = KNOWN     # its files' stat digest (ContentMemo.stats) if not the one recorded, None
                                  # when it cannot vouch for them


_MEMO = None     # the build cache's content part (cache.ContentMemo) while read_tree runs; forked readers inherit it
_THEN = None     # what a reader does with each folder it read (validate.py: validates it), while read_lists runs


def read_tree(content_dir: Path, root: Path, memo=None, then=None, registry=None,
              after=None) -> tuple[list, list[Problem]]:
    """`memo`: what earlier builds made of each folder (archive/cache/): an unchanged folder comes back as
    `Cached`, and a file not in it is parsed. `then`, `registry`, `after`: see `read_lists`."""
    problems: list[Problem] = []
    base = _rel(content_dir, root)
    folders = []
    for entry in sorted(content_dir.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            folders.append((entry, f"{base}/{entry.name}"))
        elif entry.suffix == ".md":
            problems.append(Problem(f"{base}/{entry.name}", None, "", "条目文件不在任何清单文件夹中",
                                    f"把它移到 {content_dir.name}/<清单>/ 文件夹里，与该清单的 {LIST_FILE} 放在一起"))
    lists, found = read_lists(folders, memo, then=then, registry=registry, after=after)
    return lists, problems + found


def read_lists(folders: list[tuple[Path, str]], memo=None, reuse: bool = True, then=None,
               registry=None, after=None) -> tuple[list, list[Problem]]:
    """Read list folders, each given with its repo-relative name (`Cached` ones only with a memo and `reuse`).
    `then(RawList | Cached, folder)`, if given, is called by the reader that read the folder (a forked one at scale,
    so that checking the lists shares both cores too) and its result is returned in the folder's place,
    pickled with the registry's objects by name (`registry`: the one they are found again in). `after(result)`,
    if given, is called in this process on each folder's result, in order, as soon as it is back (while the
    readers read on) and its return value is returned in the result's place."""
    global _MEMO, _THEN
    outer = _MEMO, _THEN          # (a reader may read a folder again, with nothing to do `then`)
    _MEMO, _THEN = memo, then
    try:
        return _read_lists(folders, reuse, registry, after)
    finally:
        _MEMO, _THEN = outer


def _read_lists(folders: list[tuple[Path, str]], reuse: bool, registry, after) -> tuple[list, list[Problem]]:
    lists, problems = [], []
    for raw, found, damaged in _map(_read_list, [(*f, reuse) for f in folders], registry):
        problems += found
        if _MEMO is not None:
            _MEMO.damaged |= damaged
        if raw and after is not None:
            raw = after(raw)
        if raw:
            lists.append(raw)
    return lists, problems


def _map(function, args: list, registry):
    """Parsing YAML is most of the build's reading time: at scale, both cores share the folders. The results
    come back in order as the readers finish them (this process would otherwise idle until the last)."""
    if len(args) < PARALLEL_FROM:
        yield from map(function, args)
        return
    with multiprocessing.get_context("fork").Pool(2) as pool:
        for found in pool.imap(_pickled, args, chunksize=16):
            yield load_model(found, registry)


def _pickled(args: tuple[Path, str, bool]) -> bytes:
    """In a forked reader: its result pickled as the build cache pickles a list, each jurisdiction and
    department by its name (unpickled as copies they would not be the registry's objects)."""
    return dump_model(_read_list(args))


def _read_list(args: tuple[Path, str, bool]):
    """One list folder: (what `_THEN` made of it, else RawList | Cached | None; its reading problems;
    whether a cached file was damaged): a forked reader's memo is its own."""
    raw, problems = _read_folder(*args)
    if raw is not None and _THEN is not None:
        raw = _THEN(raw, args[0])
    damaged = False
    if _MEMO is not None:
        damaged, _MEMO.damaged = _MEMO.damaged, False
    return raw, problems, damaged


def _read_folder(folder: Path, rel: str, reuse: bool) -> tuple[RawList | Cached | None, list[Problem]]:
    problems: list[Problem] = []
    with os.scandir(folder) as found:      # the entries' types without a stat each: 100,000 files at scale
        entries = sorted(found, key=lambda e: e.name)
    items = [e.name for e in entries if e.name.endswith(".md") and not e.name.startswith(".")]
    if not any(e.name == LIST_FILE for e in entries):
        for name in items:
            problems.append(Problem(f"{rel}/{name}", None, "", f"所在文件夹没有 {LIST_FILE}，条目不属于任何清单",
                                    f"在 {rel}/ 中加上 {LIST_FILE}（写明行政区划、年份、标题、来源），或把文件移到已有清单的文件夹"))
        return None, problems
    for entry in entries:
        if entry.is_dir() and not entry.name.startswith("."):
            problems.append(Problem(f"{rel}/{entry.name}", None, "", "清单文件夹里不应再有子文件夹，其中的文件不会被读取",
                                    "把条目文件直接放在清单文件夹里"))
    if _MEMO is not None:
        # stat before reading: a file written meanwhile then has another stat next time, and is read again
        stats = _MEMO.stats([(name, os.stat(os.path.join(folder, name))) for name in [LIST_FILE, *items]])
        known = _MEMO.unchanged(rel, stats) if reuse else None
        if known is not None:          # nothing in it was written since a build read it: not read at all
            return Cached(folder.name, rel, known, folder), problems + _MEMO.index[rel]["problems"]
    files = [(f"{rel}/{name}", _read_bytes(folder, name)) for name in [LIST_FILE, *items]]
    if _MEMO is None:
        found: list[Problem] = []
        meta = _parse_list_meta(files[0][1], files[0][0], found)
        docs = [doc for doc in (_parse_item(raw, path, found) for path, raw in files[1:]) if doc]
        return RawList(folder.name, meta, docs, rel, "", found), problems + found
    raw, docs = _read_with_memo(folder, rel, files, reuse)
    raw.stats = stats                      # (a Cached one's too: they were not the ones recorded)
    if docs is not None:                   # written by the reader that parsed them
        _MEMO.keep_documents(rel, docs)
    if isinstance(raw, Cached):
        return raw, problems + _MEMO.index[rel]["problems"]
    return raw, problems + raw.problems


def _read_bytes(folder: Path, name: str) -> bytes:
    with open(os.path.join(folder, name), "rb") as f:
        return f.read()


def _read_with_memo(folder: Path, rel: str, files: list[tuple[str, bytes]], reuse: bool):
    """(Cached or RawList, the folder's parses if any had to be made or dropped, else None)."""
    keys = [_MEMO.key(path, raw) for path, raw in files]
    folder_key = _MEMO.key(rel, "\0".join(keys).encode())
    if reuse and _MEMO.knows(rel, folder_key):
        return Cached(folder.name, rel, folder_key, folder), None
    known, parses, found, new = _MEMO.documents(rel), {}, [], False
    for n, ((path, raw), key) in enumerate(zip(files, keys)):
        if key not in known:
            file_problems: list[Problem] = []
            known[key] = (_parse_list_meta if n == 0 else _parse_item)(raw, path, file_problems), file_problems
            new = True
        parses[key] = known[key]
        found += known[key][1]
    docs = [parses[k][0] for k in keys]
    raw_list = RawList(folder.name, docs[0], [d for d in docs[1:] if d], rel, folder_key, found)
    return raw_list, (parses if new or len(parses) != len(known) else None)


def _parse_list_meta(raw: bytes, rel: str, problems: list[Problem]) -> Document | None:
    text = decode(raw, rel, problems)
    if text is None:
        return None
    return _parse_yaml(text, rel, 1, problems)


def _parse_item(raw: bytes, rel: str, problems: list[Problem]) -> Document | None:
    text = decode(raw, rel, problems)
    if text is None:
        return None
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.append(Problem(rel, 1, "", "文件没有以 front matter 开头",
                                "第一行写 ---，然后是字段（如 number: 1），再写一行 --- 结束，之后是正文"))
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        problems.append(Problem(rel, 1, "", "front matter 没有结束（找不到第二个 --- 行）",
                                "在字段之后、正文之前加一行 ---"))
        return None
    doc = _parse_yaml("\n".join(lines[1:end]), rel, 2, problems)
    if doc is None:
        return None
    doc.body = "\n".join(lines[end + 1:]).strip("\n")
    doc.body_line = end + 2
    return doc


def decode(raw: bytes, rel: str, problems: list[Problem]) -> str | None:
    """UTF-8 (with or without BOM, any line endings) or a refusal that says how to convert."""
    if len(raw) > MAX_BYTES:
        problems.append(Problem(rel, None, "", f"文件有 {len(raw):,} 字节，超过上限 {MAX_BYTES:,}",
                                "一个文件只放一条事项；检查是否误粘贴了整份文件"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(rel, raw[:exc.start].count(b"\n") + 1, "", _encoding_message(raw),
                                f"用编辑器“另存为 UTF-8”，或运行：iconv -f GB18030 -t UTF-8 '{rel}' -o 新文件"))
        return None
    if "\x00" in text:
        problems.append(Problem(rel, text[:text.index("\x00")].count("\n") + 1, "", "文件含有空字符（NUL）",
                                "删掉这个字符；文件可能已损坏，请从原文重新复制"))
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _encoding_message(raw: bytes) -> str:
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return "文件不是 UTF-8 编码，也无法识别为 GBK/GB18030"
    return "文件不是 UTF-8 编码（看起来是 GBK/GB18030，常见于中文 Windows 的记事本）"


def _parse_yaml(text: str, rel: str, first_line: int, problems: list[Problem]) -> Document | None:
    fast = frontmatter.load(text, first_line)     # the usual shapes, without PyYAML's constructor (or None)
    if fast is not None:                          # (then nothing below would find a problem)
        return Document(rel, *fast)
    lines, form_ok = {}, True
    for offset, line in enumerate(text.split("\n")):
        number = first_line + offset
        if "\t" in line:
            problems.append(Problem(rel, number, "", "含有制表符（Tab）", "YAML 只能用空格缩进；把 Tab 换成空格"))
            form_ok = False
        match = _KEY.match(line)
        if not match or line[0].isspace():
            continue
        key = match.group(1)
        if match.group(2) == "：":
            problems.append(Problem(rel, number, key, "字段名后用了全角冒号“：”",
                                    f"改成半角冒号加空格：{key}: …"))
            form_ok = False
        elif key in lines:
            problems.append(Problem(rel, number, key, f"字段“{key}”重复出现（第 {lines[key]} 行已有）",
                                    "只保留一个，删掉另一个"))
            form_ok = False
        else:
            lines[key] = number
    if not form_ok:
        return None
    alias = _first_alias(text) if "*" in text else None
    if alias is not None:
        # An alias repeats a value by reference; a few nested ones expand to billions of values.
        problems.append(Problem(rel, first_line + alias, "", "用了 YAML 别名（*名称）",
                                "front matter 不用锚点和别名（&、*），把值照原文写出来；以 * 开头的文字要用引号括起来"))
        return None
    try:
        data = yaml.load(text, Loader=Loader)
    except yaml.YAMLError as exc:
        # An unclosed bracket or quote is noticed lines later; point at where it was opened.
        opened = "flow" in (getattr(exc, "context", None) or "") or "quoted" in (getattr(exc, "context", None) or "")
        mark = getattr(exc, "context_mark" if opened else "problem_mark", None)
        line = first_line + mark.line if mark else None
        reason = getattr(exc, "problem", None) or str(exc)
        problems.append(Problem(rel, line, "", f"YAML 格式错误：{reason}",
                                "检查这一行的冒号、引号和缩进；含冒号或以符号开头的文字要用引号括起来"))
        return None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(Problem(rel, first_line, "", "front matter 应是“字段: 值”的列表", "每行写一个 字段: 值"))
        return None
    if any(isinstance(v, list) and any(isinstance(e, dict) for e in v) for v in data.values()):
        _entry_lines(text, first_line, lines)
    return Document(rel, data, lines)


def _entry_lines(text: str, first_line: int, lines: dict[str, int]) -> None:
    """Lines of the entries of a list of mappings (`progress: - date: …`), so that a problem in one entry
    names its line: `progress[2]` is the second entry, `progress[2].date` its date. Only files with such
    a list pay for composing the YAML a second time."""
    node = yaml.compose(text, Loader=Loader)
    for key, value in node.value:
        if not isinstance(value, yaml.SequenceNode):
            continue
        for n, entry in enumerate(value.value, 1):
            name = f"{key.value}[{n}]"
            lines[name] = first_line + entry.start_mark.line
            if isinstance(entry, yaml.MappingNode):
                for sub, _ in entry.value:
                    lines[f"{name}.{sub.value}"] = first_line + sub.start_mark.line


def _first_alias(text: str) -> int | None:
    """0-based line of the first YAML alias, if any (syntax errors are left to yaml.load to report)."""
    try:
        for token in yaml.scan(text, Loader=Loader):
            if isinstance(token, yaml.AliasToken):
                return token.start_mark.line
    except yaml.YAMLError:
        pass
    return None


def _rel(path: Path, root: Path) -> str:
    try:
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        return path.as_posix()

