"""Turn a published list (plain text) into item files for an editor to review.

Reads SOURCE (UTF-8, GBK/GB18030, with or without BOM, any line endings), recognises its
items and writes content/<list-id>/NN.md plus a _list.yaml to complete by hand. Lines it
could not place in an item or in the list's metadata are reported on stderr with their
line numbers. Existing files that differ (an editor's corrections) are never overwritten
without --force; re-running on an unchanged source changes nothing.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from archive.importer import SourceDecodeError, WriteRefused, decode_bytes, parse, plan_list, write_list
from archive.importer.review import render_review

from .args import folder_name, output_folder, source_file

EXAMPLES = """示例：
  python build.py import sources/名称.txt --dry-run --json       先看识别出的事项，不写文件
  python build.py import sources/名称.txt --list-id weifang-2022  写入 content/weifang-2022/
  python build.py import sources/名称.txt --list-id weifang-2022 --force   覆盖与识别结果不同的事项文件
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", type=source_file, help="the source document, a .txt file")
    parser.add_argument("--out", type=output_folder, default="content", help="content folder (default: content)")
    parser.add_argument("--list-id", type=folder_name, help="list folder name (default: the source file's stem)")
    parser.add_argument("--dry-run", action="store_true", help="parse only, write nothing")
    parser.add_argument("--json", action="store_true", help="print the parsed items as a JSON array")
    parser.add_argument("--force", action="store_true",
                        help="overwrite item files that differ from what the importer would write")
    parser.add_argument("--review", metavar="FILE.html",
                        help="also write a self-contained HTML page to check the import: the source coloured "
                             "by item, the items read, uncertain fields marked")
    parser.add_argument("--verbose", action="store_true",
                        help="also list the lines used as list metadata (preamble, headings, tables)")


def _source_ref(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def run(args) -> int:
    path = Path(args.source)
    try:
        data = path.read_bytes()
    except OSError as e:
        print(f"import: cannot read {path}: {e.strerror}", file=sys.stderr)
        return 2
    try:
        text, encoding = decode_bytes(data)
    except SourceDecodeError as e:
        print(f"import: {path}: {e}", file=sys.stderr)
        return 2
    result = parse(text)
    err = sys.stderr
    if encoding not in ("utf-8",):
        print(f"import: {path}: decoded as {encoding}", file=err)
    for notice in result.notices:
        print(f"import: note: {notice}", file=err)
    if args.verbose:
        for no, line, role in result.metadata_lines:
            print(f"{path}:{no}: list metadata ({role}): {line}", file=err)
    for no, line, why in result.unplaced:
        print(f"{path}:{no}: not placed ({why}): {line}", file=err)
    print(f"import: {path}: {len(result.items)} items, {len(result.unplaced)} lines not placed"
          + (f" (read as: {', '.join(result.readers)})" if result.readers else ""), file=err)

    if args.json:
        json.dump([it.as_json() for it in result.items], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    if args.review:
        Path(args.review).write_text(render_review(result, text, _source_ref(path)), encoding="utf-8")
        print(f"import: review page written to {args.review}", file=err)
    if not result.items:
        print(f"import: 错误：{path} 中没有读出任何事项，未写入任何文件。读到的是：", file=err)
        for line in result.diagnosis:
            print(f"{path}: {line}", file=err)
        print("import: 请确认这是一份事项清单或进展报告；若版式未被识别，可在 archive/importer/labels.yaml "
              "或 columns.yaml 中补充标签或列名后重试，或手工录入。", file=err)
        return 1
    if args.dry_run:
        return 0
    folder = Path(args.out) / (args.list_id or path.stem)
    plan = plan_list(result, folder, _source_ref(path))
    for n in plan.duplicates:
        print(f"import: warning: number {n} occurs more than once; later ones are written as {n:02d}-2.md …",
              file=err)
    try:
        report = write_list(plan, force=args.force)
    except WriteRefused as e:
        print(f"import: {e}", file=err)
        return 1
    if not report["written"]:
        print(f"import: {folder}: unchanged, nothing written", file=err)
    else:
        for p in report["written"]:
            print(f"import: wrote {p}", file=err)
    for p in report["kept"]:
        print(f"import: kept {p} as it is (list metadata is the editor's)", file=err)
    for p in report["extra"]:
        print(f"import: note: {p} was not written by this import (kept)", file=err)
    return 0
