"""Render workers: how the batches are shared out, and that any number of processes writes the same site."""
import multiprocessing

import jinja2
from hypothesis import given, settings, strategies as st

from archive.pages import Page
from archive.workers import Shares, write_pages
from archive.writer import Writer, output_path

FORK = multiprocessing.get_context("fork")


@settings(max_examples=200, deadline=None)
@given(count=st.integers(0, 40), jobs=st.integers(1, 4), turns=st.lists(st.integers(0, 3), max_size=80))
def test_every_batch_is_taken_once_own_share_from_the_front_others_from_the_back(count, jobs, turns):
    shares = Shares(count, jobs, FORK)
    starts = [k * count // jobs for k in range(jobs + 1)]
    front, back = starts[:-1], starts[1:]       # what is left of each share: front[k] <= b < back[k]
    taken: list[int] = []
    for k in [t % jobs for t in turns] + [k for k in range(jobs) for _ in range(count + 1)]:
        batch = shares.take(k)
        left = [back[j] - front[j] for j in range(jobs)]
        if batch is None:
            assert sum(left) == 0
        elif left[k]:
            assert batch == front[k]             # its own share, in order, from the front
            front[k] += 1
        else:                                    # another's, from the back of the one with the most left
            owner = next(j for j in range(jobs) if starts[j] <= batch < starts[j + 1])
            assert left[owner] == max(left) and batch == back[owner] - 1
            back[owner] -= 1
        if batch is not None:
            taken.append(batch)
    assert sorted(taken) == list(range(count))


def test_a_share_is_stolen_from_its_back():
    shares = Shares(10, 2, FORK)                 # shares 0–4 and 5–9
    assert [shares.take(0) for _ in range(5)] == [0, 1, 2, 3, 4]
    assert shares.take(1) == 5
    assert shares.take(0) == 9                   # process 0 is done: it takes from the back of the other share
    assert [shares.take(1) for _ in range(4)] == [6, 7, 8, None]


def _pages(n: int) -> list[Page]:
    return [Page(f"/p/{i}/", "page.html", lambda i=i: {"n": i, "words": "字" * (i % 7)}) for i in range(n)]


def _build(tmp_path, name: str, jobs: int) -> dict[str, bytes]:
    env = jinja2.Environment(loader=jinja2.DictLoader({"page.html": "<p>{{ n }} {{ words }} {{ page_url }}</p>"}))
    pages = _pages(1234)                         # 7 batches: the shares are uneven at 2 and 3 processes
    writer = Writer(tmp_path / name)
    for page in pages:
        writer.claim(output_path(page.url))
    seen = []
    written, rendered = write_pages(pages, env, writer, jobs, step=seen.append)
    writer.commit()
    assert rendered == len(pages) and sum(seen) == len(pages)
    assert set(writer.files) == {output_path(p.url) for p in pages}
    out = tmp_path / name
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}, written


def test_one_two_or_three_processes_write_the_same_files(tmp_path):
    one = _build(tmp_path, "one", 1)
    assert _build(tmp_path, "two", 2) == one
    assert _build(tmp_path, "three", 3) == one
