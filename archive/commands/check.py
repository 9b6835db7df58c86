"""Validate all content without building: fields, registries, departments, deadlines, encodings."""
from __future__ import annotations

import sys

from ..problems import github_annotation, ordered, report, summary
from ..progress import as_of_argument
from ..validate import build_archive
from .args import content_dir
from .build import HERE

EXAMPLES = """示例：
  python build.py check                        检查 content/ 下的全部清单
  python build.py check --strict               警告也算不通过（用于 CI）
  python build.py check --format github        输出 GitHub Actions 能标在改动行上的注释
  python build.py check --as-of 2022-12-31     按 2022 年底判断进展状态和逾期
"""


def add_arguments(parser) -> None:
    parser.add_argument("--content", type=content_dir, default=str(HERE / "content"),
                        help="内容文件夹（它的上一级有 registry/ 和 sources/）")
    parser.add_argument("--strict", action="store_true", help="警告也算不通过")
    parser.add_argument("--format", choices=("text", "github"), default="text",
                        help="text：给人读（默认）；github：每个问题一行 ::error file=…,line=…::…")
    parser.add_argument("--as-of", type=as_of_argument, default=None, metavar="YYYY-MM-DD",
                        help="进展状态和是否逾期按这一天算（默认：SOURCE_DATE_EPOCH，否则中国的今天）")


def run(args) -> int:
    content = args.content.resolve()
    archive, problems = build_archive(content.parent, content, as_of=args.as_of)
    if args.format == "github":
        for problem in ordered(problems):
            print(github_annotation(problem))
    else:
        report(problems, sys.stderr, with_summary=False)
    failed = any(p.is_error or args.strict for p in problems)
    items = sum(len(lst.items) for lst in archive.lists)
    print(f"检查了 {len(archive.lists)} 份清单、{items} 条事项：{summary(problems)}，{'未通过' if failed else '通过'}")
    return 1 if failed else 0
