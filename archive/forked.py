"""One function run in a forked child while this process does something else: a serial stage's work put on
the second core beside another stage that does not need its result yet (commands/build.py: open data beside
the plan).

    job = Forked(fn)        # forks now: the child inherits the model, as the render workers do
    ...                     # this process carries on
    value = job.result()    # what fn() returned (pickled back through a pipe); its failure as RuntimeError
    job.stop()              # in a `finally`: a child still running is killed (the build failed or was stopped)

What the child changes in its own memory is lost: `fn` returns whatever the parent must learn.
"""
from __future__ import annotations

import multiprocessing
import signal
import traceback

from .workers import _die_with_parent


class Forked:
    def __init__(self, fn):
        context = multiprocessing.get_context("fork")
        self._results, send = context.Pipe(duplex=False)
        self._child = context.Process(target=_run, args=(fn, send), daemon=True)
        self._child.start()
        send.close()            # the child's end: the parent's read sees EOF if the child dies

    def result(self):
        try:
            ok, value = self._results.recv()
        except EOFError:
            self._child.join()
            raise RuntimeError(f"a forked worker died (exit code {self._child.exitcode})") from None
        self._child.join()
        if not ok:
            raise RuntimeError(f"a forked worker failed:\n{value}")
        return value

    def stop(self) -> None:
        if self._child.is_alive():
            self._child.terminate()
        self._child.join()
        self._results.close()


def _run(fn, send) -> None:
    # Ctrl-C reaches the child too: only the parent handles it (aborts, exits 130), no worker traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    try:
        outcome = (True, fn())
    except BaseException:
        outcome = (False, traceback.format_exc())
    send.send(outcome)
    send.close()
