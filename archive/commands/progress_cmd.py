"""Add progress from a report kept in sources/ to the items of one list: one entry per matched item.

    build.py progress sources/report.txt --list weifang-2022 --date 2022-10-31 [--dry-run]

Rows are matched by number where the report numbers them as the list does, else by title; rows that
match nothing, match ambiguously, or whose status words map to no code are listed and never written.
Re-running on the same report and date changes nothing.
"""
from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from ..content import read_lists
from ..problems import report as report_problems
from ..progress import as_of_argument
from ..progress_import import Match, already_there, append_entries, entry, entry_lines, match_rows, read_report
from ..validate import build_lists, load_rules
from .args import content_dir, folder_name, source_file

HERE = Path(__file__).resolve().parents[2]


EXAMPLES = """示例：
  python build.py progress sources/报告.txt --list weifang-2022 --date 2022-10-31 --dry-run   先看匹配结果
  python build.py progress sources/报告.txt --list weifang-2022 --date 2022-10-31             写入各事项的 progress
"""


def add_arguments(parser) -> None:
    parser.add_argument("report", type=source_file, help="进展报告的文本，先照原样保存在 sources/ 下")
    parser.add_argument("--list", required=True, dest="list_id", type=folder_name, help="清单文件夹名，如 weifang-2022")
    parser.add_argument("--date", required=True, type=as_of_argument, metavar="YYYY-MM-DD",
                        help="报告的截至日期")
    parser.add_argument("--content", type=content_dir, default=str(HERE / "content"),
                        help="内容文件夹（它的上一级有 registry/ 和 sources/）")
    parser.add_argument("--dry-run", action="store_true", help="只显示将写入的内容，不写文件")


def run(args) -> int:
    content = args.content.resolve()
    root = content.parent
    path = args.report.resolve()
    if not path.is_file():
        return _refuse(f"找不到报告文件 {args.report}")
    if not path.is_relative_to((root / "sources").resolve()):
        return _refuse(f"报告要先照原样保存在 sources/ 下，再从那里导入：cp '{args.report}' sources/")
    source = path.relative_to(root.resolve()).as_posix()
    folder = content / args.list_id
    if not (folder / "_list.yaml").is_file():
        return _refuse(f"找不到清单 {args.list_id}（{folder}/_list.yaml）")
    rules, problems = load_rules(root)
    if args.date > rules.as_of:
        return _refuse(f"--date {args.date} 晚于今天 {rules.as_of}：写报告的截至日期")
    lists = _read_list(rules, folder, content, problems)
    if lists is None:
        return 1
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return _refuse(f"{source} 不是 UTF-8 编码：iconv -f GB18030 -t UTF-8 转换后另存，原文内容不变")
    rows, unplaced = read_report(text.replace("\r\n", "\n").split("\n"), rules.statuses)
    matches = match_rows(rows, lists.items)
    writes = plan(matches, args.date, source)
    show(source, lists, rows, matches, writes, unplaced, args.dry_run)
    if not args.dry_run:
        for item_path, entries in writes["write"].items():
            file = root / item_path
            file.write_text(append_entries(file.read_text(encoding="utf-8"), entries), encoding="utf-8")
    return 0


def _refuse(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def _read_list(rules, folder: Path, content: Path, problems):
    raw, found = read_lists([(folder, f"{content.name}/{folder.name}")])
    lists = build_lists(rules, raw, problems + found)
    errors = [p for p in problems + found if p.is_error]
    if errors or not lists:
        report_problems(errors, sys.stderr)
        print("清单本身有错误，先修正（build.py check），再导入进展。", file=sys.stderr)
        return None
    return lists[0]


def plan(matches: list[Match], date, source: str) -> dict:
    """What to write and what to list: entries per item file, and the rows set aside, each with why."""
    out = {"write": defaultdict(list), "done": [], "written": [], "skipped": []}
    per_item = defaultdict(list)
    for m in matches:
        if m.item is not None:
            per_item[m.item.id].append(m)
    for m in matches:
        if m.item is None:
            out["skipped"].append((m, m.why))
        elif len(per_item[m.item.id]) > 1:
            lines = "、".join(f"第 {o.row.lines[0]} 行" for o in per_item[m.item.id])
            out["skipped"].append((m, f"报告中有多行（{lines}）对应第 {m.item.number} 项，请核对原文后手写"))
        elif already_there(m.item, date, source):
            out["done"].append(m)
        elif m.row.code is None and not m.row.as_printed:
            out["skipped"].append((m, f"报告对第 {m.item.number} 项只有叙述，没有写出状态用语：核对原文后手写"))
        elif m.row.code is None:
            out["skipped"].append((m, f"状态用语“{m.row.as_printed}”无法对应到状态代码：核对原文后手写，"
                                      "或在 registry/status.yaml 的 words 中加上它"))
        elif m.item.progress and m.item.progress[-1].date > date:
            out["skipped"].append((m, f"第 {m.item.number} 项已有更晚的通报（{m.item.progress[-1].date}），"
                                      "这一条要按日期插到前面，请手写"))
        else:
            out["write"][m.item.path].append(entry(m.row, date, source))
            out["written"].append(m)
    return out


def show(source, lst, rows, matches, writes, unplaced, dry_run: bool) -> None:
    print(f"报告 {source}：读出 {len(rows)} 行事项；清单 {lst.id} 有 {len(lst.items)} 项。")
    verb = "将写入" if dry_run else "写入"
    print(f"{verb} {len(writes['written'])} 条：")
    for m in writes["written"]:
        row = m.row
        how = "按序号" if m.by == "number" else "按标题"
        extra = "，".join(x for x in (f"“{row.as_printed}”" if row.as_printed else "",
                                      f"{row.percent:g}%" if row.percent is not None else "") if x)
        print(f"  第 {m.item.number} 项 {m.item.title} ← 报告第 {row.lines[0]} 行（{how}）：{row.code}"
              + (f"（{extra}）" if extra else ""))
    if dry_run:
        for item_path, entries in writes["write"].items():
            print(f"\n{item_path} 的 progress 将加上：")
            print("\n".join(entry_lines(entries)))
    if writes["done"]:
        print(f"已经写入过、不再重复的 {len(writes['done'])} 条：" +
              "、".join(f"第 {m.item.number} 项" for m in writes["done"]))
    if writes["skipped"]:
        print(f"未写入的 {len(writes['skipped'])} 行（不作猜测，请编辑核对报告原文）：")
        for m, why in writes["skipped"]:
            print(f"  报告第 {m.row.lines[0]} 行“{m.row.title}”：{why}")
    if unplaced:
        print(f"报告中没有归入任何事项的 {len(unplaced)} 行：")
        for line, text, _ in unplaced:
            print(f"  第 {line} 行：{text}")
