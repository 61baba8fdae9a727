"""geo.bulk: the cyclic collector is paused inside a bulk step and left as it was found."""

import gc

import pytest

from geo.bulk import cyclic_gc_paused


@pytest.fixture(autouse=True)
def restore_gc():
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def test_paused_inside_and_enabled_again_after_even_on_error():
    gc.enable()
    with pytest.raises(ValueError), cyclic_gc_paused():
        assert not gc.isenabled()
        raise ValueError("a failed import")
    assert gc.isenabled()


def test_a_nested_step_leaves_it_to_the_outer_one():
    gc.enable()
    with cyclic_gc_paused():
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_caller_stays_off():
    gc.disable()
    with cyclic_gc_paused():
        pass
    assert not gc.isenabled()


def test_as_a_decorator():
    @cyclic_gc_paused()
    def step():
        return gc.isenabled()

    gc.enable()
    assert step() is False and gc.isenabled()
