"""What every command's options must hold, checked before a command runs: one line in Chinese, never a traceback.

Each function here is an argparse `type=`: it returns the value or raises ArgumentTypeError with what is
wrong and what to write instead; `Parser.error` prints that as the command's only line of output.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path


class CommandError(Exception):
    """A problem with what the editor asked for (not with the content): printed as one line, exit status 2."""


def _wrong(message: str) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(message)


def content_dir(value: str) -> Path:
    """A project's content folder: exists, is a folder, and its parent holds registry/schema.yaml."""
    path = Path(value).expanduser()
    if not path.exists():
        raise _wrong(f"找不到文件夹 {value}：写项目里的 content 文件夹，如 --content content")
    if not path.is_dir():
        raise _wrong(f"{value} 是文件，这里要写文件夹（项目里的 content 文件夹）")
    root = path.resolve().parent
    if not (root / "registry" / "schema.yaml").is_file():
        raise _wrong(f"{value} 的上一级 {root} 里没有 registry/schema.yaml：content 文件夹要放在项目里，"
                     "与 registry/ 和 sources/ 并列")
    return path


def site_dir(value: str) -> Path:
    """An output folder the build may replace: missing, empty, or a site an earlier build wrote. Anything
    else (content/, the project itself) would be deleted by the swap, so it is refused."""
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise _wrong(f"{value} 是文件，这里要写输出文件夹（如 site）")
    if path.is_dir() and any(path.iterdir()) and not (path / "index.html").is_file():
        raise _wrong(f"{value} 已有别的文件，不像生成的网站；生成时会整个替换它，请换一个空文件夹或不存在的文件夹")
    return path


def source_file(value: str) -> Path:
    path = Path(value).expanduser()
    if path.is_dir():
        raise _wrong(f"{value} 是文件夹，这里要写原文文件（如 sources/名称.txt）")
    if not path.is_file():
        raise _wrong(f"找不到原文文件 {value}：先把原文放进 sources/，再写它的路径")
    return path


def existing_dir(value: str) -> Path:
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise _wrong(f"{value} 是文件，这里要写文件夹")
    if not path.is_dir():
        raise _wrong(f"找不到文件夹 {value}")
    return path


def folder_name(value: str) -> str:
    """A list folder's name: one path segment, so nothing is written outside the content folder."""
    if not value.strip() or value.startswith(".") or any(c in value for c in "/\\\x00") or value != value.strip():
        raise _wrong(f"“{value}”不能用作清单文件夹名：写一个名称，不含 / 和 \\，不以 . 开头，如 weifang-2022")
    return value


def output_folder(value: str) -> Path:
    """A folder to write into: created when missing, but never a file."""
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise _wrong(f"{value} 是文件，这里要写文件夹")
    return path


def positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise _wrong(f"“{value}”不是整数") from None
    if number < 1:
        raise _wrong(f"要写不小于 1 的整数，现在是 {number}")
    return number


def year(value: str) -> int:
    number = positive(value)
    if not 1949 <= number <= 2100:
        raise _wrong(f"年份 {number} 不对：写四位年份，如 2022")
    return number


def port(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise _wrong(f"端口“{value}”不是整数，如 8000") from None
    if not 0 <= number <= 65535:
        raise _wrong(f"端口 {number} 超出范围：写 1024 到 65535 之间的数，如 8000")
    return number


# argparse's own messages (Python 3.11–3.13), as an editor should read them.
_MESSAGES = [
    (r"unrecognized arguments: (.*)", "不认识的选项或参数：{0}（用 --help 查看可用选项）"),
    (r"the following arguments are required: (.*)", "缺少必填参数：{0}（用 --help 查看示例）"),
    (r"argument (\S+): expected one argument", "选项 {0} 后面要写一个值"),
    (r"argument (\S+): invalid choice: '?([^' ]*)'? \(choose from (.*)\)", "选项 {0} 不能取“{1}”，可选：{2}"),
    (r"argument (\S+): invalid \S+ value: '(.*)'", "选项 {0} 的值“{1}”不对"),
    (r"argument (\S+): ignored explicit argument '(.*)'", "选项 {0} 不带值，去掉“={1}”"),
    (r"ambiguous option: (\S+) could match (.*)", "选项 {0} 有歧义，可能是：{1}"),
    (r"argument (-\S+): (.*)", "选项 {0}：{1}"),
    (r"argument (\S+): (.*)", "参数 {0}：{1}"),
]


def chinese(message: str) -> str:
    for pattern, template in _MESSAGES:
        match = re.fullmatch(pattern, message, re.DOTALL)
        if match:
            return template.format(*match.groups())
    return message


class Parser(argparse.ArgumentParser):
    """argparse with a one-line Chinese error and help that ends in examples."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", help="显示本帮助和示例")

    def error(self, message: str):
        print(f"{self.prog}: {chinese(message)}", file=sys.stderr)
        sys.exit(2)
