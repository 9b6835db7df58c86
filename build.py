#!/usr/bin/env python3
"""民生实事档案: one entry point for every verb.

    python build.py                 build site/ (read → validate → model → render → write → index)
    python build.py check           validate content without building
    python build.py import SRC.txt  turn a published list into item files for review
    python build.py serve           build, serve on 127.0.0.1, rebuild on change
"""
import sys

from archive.commands import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
