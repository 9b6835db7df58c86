#!/usr/bin/env python3
"""民生实事档案: one entry point for every verb.

    python build.py                 build site/ (read → validate → model → render → write → index)
    python build.py check           validate content without building
    python build.py import SRC.txt  turn a published list into item files for review
    python build.py serve           build, serve on 127.0.0.1, rebuild on change
    python build.py new list|item|jurisdiction   start a file for an editor to fill in

Every command's --help ends with examples.
"""
import sys

from archive.commands import exit_now, main

if __name__ == "__main__":
    exit_now(main(sys.argv[1:]))
