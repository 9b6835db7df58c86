"""Render and write pages in parallel: this process plus forked children, each taking a contiguous share of
the plan. Children inherit the model instead of receiving it pickled, and die with the build."""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import traceback

from . import collector
from .pages import Page
from .writer import Writer, output_path

BATCH = 200          # pages per unit of work handed to a render worker

_JOB: tuple = ()     # (pages, env, writer, keys, texts): set before forking so workers inherit them instead of pickling


def render(env, page: Page, context: dict | None = None) -> bytes:
    context = page.context() if context is None else context
    return env.get_template(page.template).render(context, page_url=page.url).encode()


def _render_batch(bounds: tuple[int, int]) -> tuple[int, int, int, list]:
    """Write a batch of pages; returns how many, how many were rendered, their bytes, and what the writer
    learnt about each (the parent's writer needs it when a child did the writing), with the visible text
    of each rendered page `texts` reads (None for the others): its normalised text and fragment (search/handover.py)."""
    pages, env, writer, keys, texts = _JOB
    written, rendered, learnt = 0, 0, []
    for page in pages[bounds[0]:bounds[1]]:
        path = output_path(page.url)
        key, context = keys.of(page) if keys else (None, None)
        size = writer.reuse(path, key) if key else None
        text = None
        if size is None:
            html = render(env, page, context)
            size = writer.put(path, html, key)
            rendered += 1
            # read while the HTML is in memory: the index stage then reads no page back from the disk
            text = texts.read(html, page.template, path, writer) if texts is not None else None
        written += size
        learnt.append((path, writer.files[path], key, text))
    return bounds[1] - bounds[0], rendered, written, learnt


def write_pages(pages: list[Page], env, writer: Writer, jobs: int, step=None, keys=None,
                texts=None) -> tuple[int, int]:
    """Render and write every page; with `jobs` > 1, this process and jobs − 1 forked children share the
    batches. This process renders too: every process holding the model is one more (partial) copy of it,
    as a child's refcount updates copy the memory pages it touches. `step(n)` hears of every n pages done;
    `keys` (a `cache.PageKeys`) lets the writer reuse a page whose inputs have not changed. Returns the bytes
    of all pages and how many were rendered. `texts` (a `search.handover.ItemTexts`): each rendered
    item page's normalised text, by path, for the index stage, its display fragment written by the worker."""
    global _JOB
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)             # compile once, before forking, so workers share the compiled code
    _JOB = (pages, env, writer, keys, texts)
    batches = [(start, min(start + BATCH, len(pages))) for start in range(0, len(pages), BATCH)]
    steps = _Steps(step, writer, texts)
    jobs = max(1, min(jobs, len(batches)))
    children, frozen = [], False
    try:
        if jobs == 1:
            return _collect(map(_render_batch, batches), steps), steps.rendered
        # The garbage collector writes to every object it scans: frozen objects are never scanned, so
        # children don't copy the whole model just by collecting garbage. No collection first: the plan was
        # made with the collector paused and left none to find (0 objects freed, 0.2 s at 100,000 items).
        collector.freeze()
        frozen = True
        context = multiprocessing.get_context("fork")
        results = context.Queue()
        shares = Shares(len(batches), jobs, context)
        children = [context.Process(target=_child, args=(batches, shares, k, results), daemon=True)
                    for k in range(1, jobs)]
        for child in children:
            child.start()
        written, mine = 0, 0
        for k in iter(lambda: shares.take(0), None):
            written += _collect([_render_batch(batches[k])], steps)
            mine += 1
        for _ in range(len(batches) - mine):
            outcome = _next_result(results, children)
            if isinstance(outcome, str):
                raise RuntimeError(f"a render worker failed:\n{outcome}")
            written += _collect([outcome], steps)
        return written, steps.rendered
    finally:
        for child in children:              # on failure or Ctrl-C, stop writing before the caller cleans up
            if child.is_alive():
                child.terminate()
            child.join()
        _JOB = ()
        if frozen:
            collector.unfreeze()     # (the build may have frozen the model before: see collector.py)


def _next_result(results, children):
    while True:
        try:
            return results.get(timeout=1)
        except queue.Empty:
            if any(child.exitcode not in (None, 0) for child in children):   # killed: it can't report
                raise RuntimeError("a render worker died") from None


def _child(batches: list[tuple[int, int]], shares: "Shares", k: int, results) -> None:
    # Ctrl-C reaches the children too: only the parent handles it (aborts, exits 130), no worker tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    parent = os.getppid()
    try:
        for taken in iter(lambda: shares.take(k), None):
            if os.getppid() != parent:      # the build was killed: don't write into what it left behind
                os._exit(1)
            results.put(_render_batch(batches[taken]))
    except BaseException:
        results.put(traceback.format_exc())


class Shares:
    """Which process renders which batch. Each has a contiguous share of the batches and takes them from its
    front; one whose share is done takes from the back of the share with the most left. Contiguous, because
    the plan keeps each jurisdiction's pages together, so a process touches (and copies) mostly its own
    jurisdictions' items; shared, because the shares' costs differ: the first holds the pages across
    jurisdictions (topics, years), and at 100,000 items its process finished 8.5 s after the other's."""

    def __init__(self, count: int, jobs: int, context):
        bounds = [(k * count // jobs, (k + 1) * count // jobs) for k in range(jobs)]
        self._bounds = context.Array("l", [b for pair in bounds for b in pair])   # next, end of each share

    def take(self, k: int) -> int | None:
        """The next batch for process `k`, or None when every batch is taken."""
        with self._bounds.get_lock():
            b = self._bounds.get_obj()
            if b[2 * k] < b[2 * k + 1]:
                b[2 * k] += 1
                return b[2 * k] - 1
            most = max(range(0, len(b), 2), key=lambda j: b[j + 1] - b[j])
            if b[most] == b[most + 1]:
                return None
            b[most + 1] -= 1
            return b[most + 1]


def _die_with_parent() -> None:
    """Linux: have the kernel kill this worker when the build dies, even by SIGKILL."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)       # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass                                 # elsewhere, the per-batch parent check above suffices


class _Steps:
    """Hears of each finished batch: advances the progress and records what a child wrote."""

    def __init__(self, step, writer: Writer, texts=None):
        self.step, self.writer, self.texts, self.rendered = step, writer, texts, 0

    def advance(self, count: int, rendered: int, learnt: list) -> None:
        self.rendered += rendered
        for path, found, key, text in learnt:
            self.writer.files[path] = found
            if key is not None:
                self.writer.keys[path] = key
            if text is not None:
                self.texts.learn(path, text, self.writer)
        if self.step:
            self.step(count)


def _collect(results, steps: _Steps) -> int:
    total = 0
    for count, rendered, written, learnt in results:
        total += written
        steps.advance(count, rendered, learnt)
    return total
