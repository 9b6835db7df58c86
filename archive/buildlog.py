"""What a build tells whoever runs it while it runs.

On a terminal a long stage draws a progress bar on stderr and nothing else; elsewhere (CI, Netlify's log)
a bar would be hundreds of carriage returns, so each stage prints one line on stdout when it ends, with
its time, and the log reads as a table of where the minutes went.

    log = BuildLog.for_stream(sys.stdout)
    with log.stage("生成页面", total=len(pages)) as step:
        ...; step(200)          # 200 more of `total` done
"""
from __future__ import annotations

import sys
import time
from contextlib import contextmanager

from .progressbar import ProgressBar

BAR_FROM = 1000          # a stage with fewer steps than this finishes before a bar would help


class BuildLog:
    def __init__(self, *, lines=None, bars: bool = False):
        self.lines = lines          # stream for one line per stage, or None
        self.bars = bars            # progress bars on stderr
        self.timings: list[tuple[str, float]] = []

    @classmethod
    def for_terminal(cls, is_tty: bool, lines=None) -> "BuildLog":
        """Bars on a terminal, stage lines on `lines` (stdout) elsewhere."""
        return cls(bars=True) if is_tty else cls(lines=lines or sys.stdout)

    @classmethod
    def quiet(cls) -> "BuildLog":
        return cls()

    @contextmanager
    def stage(self, name: str, total: int = 0, unit: str = "页"):
        """Time a stage; yields `step(n)`, which advances its bar (a no-op without one)."""
        bar = ProgressBar(total, unit) if self.bars and total >= BAR_FROM else None
        started = time.perf_counter()
        try:
            yield bar.advance if bar else _ignore
        finally:
            if bar:
                bar.close()
        seconds = time.perf_counter() - started
        self.timings.append((name, seconds))
        if self.lines is not None:
            print(f"{name}：{seconds:.2f} 秒" + (f"（{total:,} {unit}）" if total else ""), file=self.lines,
                  flush=True)

    def note(self, text: str) -> None:
        """A line worth reading wherever the build runs (what the cache reused)."""
        stream = self.lines if self.lines is not None else sys.stderr if self.bars else None
        if stream is not None:
            print(text, file=stream, flush=True)


def _ignore(n: int) -> None:
    pass
