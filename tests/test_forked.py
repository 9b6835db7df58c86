"""archive/forked.py: a function run in a forked child, its result or its failure brought back."""
import os

import pytest

from archive.forked import Forked


def test_the_result_comes_back_and_the_child_sees_the_parents_memory():
    big = {n: str(n) for n in range(10_000)}          # inherited, not pickled to the child
    job = Forked(lambda: (os.getpid(), sum(map(len, big.values()))))
    try:
        pid, total = job.result()
    finally:
        job.stop()
    assert pid != os.getpid()
    assert total == sum(len(str(n)) for n in range(10_000))


def test_a_failure_in_the_child_is_raised_in_the_parent_with_its_traceback():
    def fail():
        raise ValueError("no such list")
    job = Forked(fail)
    with pytest.raises(RuntimeError, match="no such list"):
        job.result()
    job.stop()


def test_a_child_that_dies_without_a_word_is_an_error_not_a_hang():
    job = Forked(lambda: os._exit(3))
    with pytest.raises(RuntimeError, match="exit code 3"):
        job.result()
    job.stop()
