"""Validate all content without building: fields, registries, departments, deadlines, encodings."""
from __future__ import annotations

import sys
from pathlib import Path

from ..problems import report
from ..progress import as_of_argument
from ..validate import build_archive


def add_arguments(parser) -> None:
    parser.add_argument("--content", type=Path, default=Path("content"),
                        help="content folder (its parent holds registry/ and sources/)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--as-of", type=as_of_argument, default=None, metavar="YYYY-MM-DD",
                        help="statuses and overdue hold as of this date (default: SOURCE_DATE_EPOCH, else today in China)")


def run(args) -> int:
    content = args.content.resolve()
    if not content.is_dir():
        print(f"找不到内容文件夹 {args.content}", file=sys.stderr)
        return 2
    archive, problems = build_archive(content.parent, content, as_of=args.as_of)
    report(problems, sys.stderr)
    errors = [p for p in problems if p.is_error or args.strict]
    items = sum(len(lst.items) for lst in archive.lists)
    print(f"检查了 {len(archive.lists)} 份清单、{items} 条事项：{'未通过' if errors else '通过'}")
    return 1 if errors else 0
