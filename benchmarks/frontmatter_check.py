#!/usr/bin/env python3
"""Every file of content folders read through archive/frontmatter.py's fast path and through PyYAML alone:
the same Document (values with their types, key lines, body) or the same problems, file by file.

    python benchmarks/frontmatter_check.py CONTENT [CONTENT ...]

Prints how many files the fast path took and how many differ (each one named); exits 1 if any does.
tests/test_frontmatter.py holds the fast path to PyYAML on generated and hostile texts; this runs it over
a generated corpus (benchmarks/make_corpus.py), too large for a test.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from archive import content, frontmatter     # noqa: E402
from test_frontmatter import outcome          # noqa: E402


def main() -> int:
    files = taken = 0
    differ = []
    fast_s = slow_s = 0.0
    for folder in map(Path, sys.argv[1:]):
        for path in sorted(folder.glob("*/*")):
            if path.suffix not in (".md", ".yaml"):
                continue
            parse = content._parse_list_meta if path.name == content.LIST_FILE else content._parse_item
            raw, rel = path.read_bytes(), path.relative_to(folder.parent).as_posix()
            started = time.process_time()
            fast = outcome(parse, raw, rel)
            middle = time.process_time()
            with mock.patch.object(frontmatter, "load", lambda *_: None):
                slow = outcome(parse, raw, rel)
            fast_s, slow_s = fast_s + middle - started, slow_s + time.process_time() - middle
            text = content.decode(raw, rel, [])
            files += 1
            taken += text is not None and fast[0] == "doc" and frontmatter.load(_front(text, path)) is not None
            if fast != slow:
                differ.append(rel)
    print(f"{files:,} files, {taken:,} taken by the fast path, {len(differ)} differ; "
          f"CPU {fast_s:.1f} s with the fast path, {slow_s:.1f} s through PyYAML alone")
    for rel in differ[:20]:
        print("differs:", rel)
    return 1 if differ else 0


def _front(text: str, path: Path) -> str:
    if path.name == content.LIST_FILE:
        return text
    lines = text.split("\n")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    return "\n".join(lines[1:end])


if __name__ == "__main__":
    sys.exit(main())
