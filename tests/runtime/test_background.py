"""Background calls: the value or the exception comes back in the caller's thread; the call
really runs beside the caller; ``inline`` runs in the caller's thread; ``work_in_flight`` says
whether one is still running."""

from __future__ import annotations

import threading
import time

import pytest

from auditor.runtime import Background, work_in_flight


def test_the_value_comes_back_with_the_calls_seconds():
    job = Background(lambda a, *, b: (a, b, threading.current_thread().name), 1, b=2)
    a, b, thread = job.result()
    assert (a, b) == (1, 2) and thread != threading.current_thread().name
    assert job.seconds >= 0 and job.started <= time.perf_counter()


def test_the_exception_is_raised_in_the_caller():
    boom = ValueError("no column 'x'")
    job = Background(lambda: (_ for _ in ()).throw(boom))
    with pytest.raises(ValueError) as caught:
        job.result()
    assert caught.value is boom


def test_the_call_runs_while_the_caller_works():
    started, release = threading.Event(), threading.Event()

    def call() -> str:
        started.set()
        release.wait(10)
        return "done"

    job = Background(call)
    assert started.wait(10)  # running before anyone asked for its result
    assert work_in_flight()
    release.set()
    assert job.result() == "done"
    assert not job.running()


def test_inline_runs_here_and_raises_here():
    job = Background.inline(lambda: threading.current_thread().name)
    assert job.result() == threading.current_thread().name and not job.running()
    with pytest.raises(ZeroDivisionError):
        Background.inline(lambda: 1 / 0)
