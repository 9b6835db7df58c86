"""The verbs. Each command module has a docstring, EXAMPLES, `add_arguments(parser)` and `run(args) -> int`.

Whatever an editor types, the answer is the command's work or one line in Chinese saying what to change
(args.py checks every option before a command runs); never a Python traceback.
"""
from __future__ import annotations

import errno
import importlib
import os
import sys

from ..admin import VendorMismatch
from .args import CommandError, Parser

COMMANDS = {
    "build": "archive.commands.build",
    "check": "archive.commands.check",
    "import": "archive.commands.import_cmd",
    "progress": "archive.commands.progress_cmd",
    "serve": "archive.commands.serve",
    "new": "archive.commands.new",
}


def main(argv: list[str]) -> int:
    name = argv[0] if argv and argv[0] in COMMANDS else "build"
    rest = argv[1:] if argv and argv[0] in COMMANDS else argv
    if rest and name == "build" and not rest[0].startswith("-"):
        print(f"build.py: 不认识的命令“{rest[0]}”：可用的命令有 {'、'.join(COMMANDS)}（python build.py 命令 --help 查看示例）",
              file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[name])
    parser = Parser(prog=f"build.py {name}", description=module.__doc__, epilog=getattr(module, "EXAMPLES", None))
    module.add_arguments(parser)
    args = parser.parse_args(rest)
    try:
        return module.run(args)
    except (CommandError, VendorMismatch) as error:
        print(f"{parser.prog}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except OSError as error:
        print(f"{parser.prog}: {os_error(error)}", file=sys.stderr)
        return 1


def exit_now(status: int) -> None:
    """End the process once a command has returned. At 100,000 items a build holds millions of objects,
    and the interpreter's own exit would free them one by one (2.5 s after every build); the kernel takes
    the whole process back at once. Commands close what they write before returning: only the standard
    streams are left to flush."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(status or 0)


def os_error(error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return "端口已被占用：用 --port 换一个，如 --port 8001"
    what = f" {error.filename}" if error.filename else ""
    reasons = {errno.EACCES: "没有权限", errno.ENOSPC: "磁盘已满", errno.EROFS: "文件系统只读",
               errno.ENOENT: "文件或文件夹不存在", errno.ENOTDIR: "路径中有一段是文件而不是文件夹"}
    return f"无法读写{what}：{reasons.get(error.errno, error.strerror or str(error))}"
