"""The verbs. Each command module has `add_arguments(parser)` and `run(args) -> int`."""
from __future__ import annotations

import argparse
import importlib

COMMANDS = {
    "build": "archive.commands.build",
    "check": "archive.commands.check",
    "import": "archive.commands.import_cmd",
    "serve": "archive.commands.serve",
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        argv = ["build", *argv]
    parser = argparse.ArgumentParser(prog="build.py")
    sub = parser.add_subparsers(dest="command", required=True)
    modules = {}
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        modules[name] = module
        module.add_arguments(sub.add_parser(name, help=module.__doc__.splitlines()[0]))
    args = parser.parse_args(argv)
    try:
        return modules[args.command].run(args)
    except KeyboardInterrupt:
        return 130
