"""relaxcore.validate_args: the scoped default of validate_args=None.

Context manager and decorator; nested scopes; restored after exceptions; per thread
(contextvars) including a decorated function entered from two threads at once; asyncio
tasks; explicit arguments win; the classes that validate in their own constructors
(RebarRelaxation, DecoupledStraightThroughGumbelSoftmax) follow the scope too.
"""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest

import relaxcore as rc


def _raises_on_invalid(backend=None) -> bool:
    scale = -1.0 if backend is None else backend.asarray([-1.0])
    try:
        d = rc.Normal(0.0, scale)
    except ValueError as err:
        assert "scale" in str(err)
        return True
    assert d.validate_args is False
    return False


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # log of an invalid scale, on purpose
def test_default_is_on_and_the_scope_switches_it_off(backend):
    assert _raises_on_invalid(backend)
    with rc.validate_args(False):
        assert not _raises_on_invalid(backend)
        # the invalid-input policy applies: NaN for the invalid member, never a number
        d = rc.Normal(backend.asarray([0.0, 0.0]), backend.asarray([-1.0, 1.0]))
        lp = backend.to_numpy(d.log_prob(backend.asarray([0.5, 0.5])))
        assert np.isnan(lp[0]) and np.isfinite(lp[1])
    assert _raises_on_invalid(backend)


def test_nesting_explicit_arguments_and_exceptions():
    with rc.validate_args(False):
        with rc.validate_args(True):
            assert _raises_on_invalid()
        assert not _raises_on_invalid()
        with pytest.raises(ValueError, match="scale"):
            rc.Normal(0.0, -1.0, validate_args=True)  # an explicit argument wins
    with rc.validate_args(True):
        rc.Normal(0.0, -1.0, validate_args=False)
    with pytest.raises(KeyError):
        with rc.validate_args(False):
            raise KeyError("leaves the scope")
    assert _raises_on_invalid()


def test_decorator_and_reuse_of_one_instance():
    off = rc.validate_args(False)

    @off
    def build():
        return _raises_on_invalid()

    assert build() is False and build() is False
    assert _raises_on_invalid()
    with off:  # the same object as a context manager, after its use as a decorator
        with off:
            assert not _raises_on_invalid()
        assert not _raises_on_invalid()
    assert _raises_on_invalid()


def test_scope_is_per_thread():
    inside, done = threading.Event(), threading.Event()
    seen = {}

    def switched_off():
        with rc.validate_args(False):
            inside.set()
            done.wait(10)
            seen["off thread"] = _raises_on_invalid()

    worker = threading.Thread(target=switched_off)
    worker.start()
    assert inside.wait(10)
    seen["other thread"] = _raises_on_invalid()  # while the worker is inside its scope
    done.set()
    worker.join(10)
    assert seen == {"off thread": False, "other thread": True}


def test_decorated_function_entered_by_two_threads_at_once():
    """The first thread in leaves first: each call must restore its own thread's state."""
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    results, errors = {}, []

    @rc.validate_args(False)
    def work(role):
        if role == "first":
            first_in.set()
            second_in.wait(10)
        else:
            second_in.set()
            first_out.wait(10)
        results[role, "inside"] = _raises_on_invalid()

    def run(role):
        try:
            work(role)
            results[role, "after"] = _raises_on_invalid()
        except Exception as err:  # noqa: BLE001  (reported below)
            errors.append(err)
        finally:
            if role == "first":
                first_out.set()

    first = threading.Thread(target=run, args=("first",))
    first.start()
    assert first_in.wait(10)
    second = threading.Thread(target=run, args=("second",))
    second.start()
    first.join(20)
    second.join(20)
    assert errors == []
    assert results == {
        ("first", "inside"): False,
        ("first", "after"): True,
        ("second", "inside"): False,
        ("second", "after"): True,
    }


def test_asyncio_tasks_inherit_and_isolate():
    async def check_later(event):
        await event.wait()
        return _raises_on_invalid()

    async def main():
        event = asyncio.Event()
        with rc.validate_args(False):
            off_task = asyncio.create_task(check_later(event))
        on_task = asyncio.create_task(check_later(event))
        event.set()
        return await off_task, await on_task

    assert asyncio.run(main()) == (False, True)


def test_constructors_with_their_own_checks_follow_the_scope():
    with pytest.raises(ValueError, match="lambd"):
        rc.RebarRelaxation(0.3, -0.5)
    with pytest.raises(ValueError, match="temperature_forward"):
        rc.DecoupledStraightThroughGumbelSoftmax(-1.0, 1.0, logits=np.zeros(3))
    with rc.validate_args(False):
        rc.RebarRelaxation(0.3, -0.5)
        rc.DecoupledStraightThroughGumbelSoftmax(-1.0, 1.0, logits=np.zeros(3))


def test_refuses_a_non_boolean():
    with pytest.raises(TypeError, match="enabled must be True or False"):
        rc.validate_args("no")
