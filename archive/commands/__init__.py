"""The verbs. Each command module has a docstring, `add_arguments(parser)` and `run(args) -> int`."""
from __future__ import annotations

import argparse
import importlib

COMMANDS = {
    "build": "archive.commands.build",
    "check": "archive.commands.check",
    "import": "archive.commands.import_cmd",
    "progress": "archive.commands.progress_cmd",
    "serve": "archive.commands.serve",
}


def main(argv: list[str]) -> int:
    name = argv[0] if argv and argv[0] in COMMANDS else "build"
    rest = argv[1:] if argv and argv[0] in COMMANDS else argv
    module = importlib.import_module(COMMANDS[name])
    parser = argparse.ArgumentParser(prog=f"build.py {name}", description=module.__doc__)
    module.add_arguments(parser)
    try:
        return module.run(parser.parse_args(rest))
    except KeyboardInterrupt:
        return 130
