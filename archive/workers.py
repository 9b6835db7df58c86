"""Render and write pages in parallel: this process plus forked children, each taking a contiguous share of
the plan. Children inherit the model instead of receiving it pickled, and die with the build."""
from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import queue
import signal
import traceback

from .pages import Page
from .progressbar import ProgressBar
from .writer import Writer, output_path

BATCH = 200          # pages per unit of work handed to a render worker

_JOB: tuple = ()     # (pages, env, writer): set before forking so workers inherit them instead of pickling


def render(env, page: Page) -> bytes:
    return env.get_template(page.template).render(page.context(), page_url=page.url).encode()


def _render_batch(bounds: tuple[int, int]) -> tuple[int, int]:
    pages, env, writer = _JOB
    written = 0
    for page in pages[bounds[0]:bounds[1]]:
        written += writer.put(output_path(page.url), render(env, page))
    return bounds[1] - bounds[0], written


def write_pages(pages: list[Page], env, writer: Writer, jobs: int, progress: bool) -> int:
    """Render and write every page; with `jobs` > 1, this process and jobs − 1 forked children share the
    batches. This process renders too: every process holding the model is one more (partial) copy of it,
    as a child's refcount updates copy the memory pages it touches."""
    global _JOB
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)             # compile once, before forking, so workers share the compiled code
    _JOB = (pages, env, writer)
    batches = [(start, min(start + BATCH, len(pages))) for start in range(0, len(pages), BATCH)]
    bar = ProgressBar(len(pages)) if progress and len(pages) > 5 * BATCH else None
    jobs = max(1, min(jobs, len(batches)))
    children = []
    try:
        if jobs == 1:
            return _collect(map(_render_batch, batches), bar)
        # The garbage collector writes to every object it scans: frozen objects are never scanned, so
        # children don't copy the whole model just by collecting garbage.
        gc.collect()
        gc.freeze()
        context = multiprocessing.get_context("fork")
        results = context.Queue()
        # Contiguous shares: the plan keeps each jurisdiction's pages together, so a child touches (and
        # copies) mostly its own jurisdictions' items. This process takes the first share, which holds the
        # pages across jurisdictions (topics, years) that read items from everywhere.
        shares = [batches[k * len(batches) // jobs:(k + 1) * len(batches) // jobs] for k in range(jobs)]
        children = [context.Process(target=_child, args=(share, results), daemon=True) for share in shares[1:]]
        for child in children:
            child.start()
        written = _collect(map(_render_batch, shares[0]), bar)
        for _ in range(len(batches) - len(shares[0])):
            outcome = _next_result(results, children)
            if isinstance(outcome, str):
                raise RuntimeError(f"a render worker failed:\n{outcome}")
            written += _collect([outcome], bar)
        return written
    finally:
        for child in children:              # on failure or Ctrl-C, stop writing before the caller cleans up
            if child.is_alive():
                child.terminate()
            child.join()
        _JOB = ()
        gc.unfreeze()
        if bar:
            bar.close()


def _next_result(results, children):
    while True:
        try:
            return results.get(timeout=1)
        except queue.Empty:
            if any(child.exitcode not in (None, 0) for child in children):   # killed: it can't report
                raise RuntimeError("a render worker died") from None


def _child(batches: list[tuple[int, int]], results) -> None:
    # Ctrl-C reaches the children too: only the parent handles it (aborts, exits 130), no worker tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    parent = os.getppid()
    try:
        for bounds in batches:
            if os.getppid() != parent:      # the build was killed: don't write into what it left behind
                os._exit(1)
            results.put(_render_batch(bounds))
    except BaseException:
        results.put(traceback.format_exc())


def _die_with_parent() -> None:
    """Linux: have the kernel kill this worker when the build dies, even by SIGKILL."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)       # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass                                 # elsewhere, the per-batch parent check above suffices


def _collect(results, bar) -> int:
    total = 0
    for count, written in results:
        total += written
        if bar:
            bar.advance(count)
    return total
