"""The CRM snapshot pauses the cyclic garbage collector while it decodes and tables, then restores it."""

from __future__ import annotations

import gc

import pytest

from relate_pipeline.crm.fetch import collector_paused


@pytest.fixture
def collector_restored():
    was_enabled = gc.isenabled()
    yield
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_is_off_inside_and_back_on_after(collector_restored):
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_failure_inside_still_switches_the_collector_back_on(collector_restored):
    gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("listing failed")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off(collector_restored):
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
