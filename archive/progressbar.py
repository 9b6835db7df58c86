"""A one-line progress bar for builds run in a terminal."""
from __future__ import annotations

import sys
import time


class ProgressBar:
    """One line on stderr, redrawn at most ten times a second."""

    def __init__(self, total: int, unit: str = "页"):
        self.total, self.done, self.drawn, self.unit = total, 0, 0.0, unit

    def advance(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.drawn > 0.1 or self.done == self.total:
            self.drawn = now
            filled = 30 * self.done // self.total
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} {self.unit}")
            sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
