"""The measuring harness of the scale-out test and bench-scale (tests/scale_stack.py): the collector of the fakes'
process is held while a run is measured, and given back afterwards, for the tests that run after it."""

from __future__ import annotations

import gc

import pytest

from tests.scale_stack import collector_held


def test_the_collector_is_held_while_a_run_is_measured_and_given_back() -> None:
    kept = [[index] for index in range(1_000)]  # objects that exist when the run starts
    assert gc.isenabled()
    with collector_held():
        assert not gc.isenabled()
        assert gc.get_freeze_count() >= len(kept)  # a full collection no longer walks them
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_the_collector_is_given_back_when_the_run_fails() -> None:
    with pytest.raises(RuntimeError), collector_held():
        raise RuntimeError("the run failed")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
