"""How many threads torch uses, chosen from the cores that are really free.

Tiny convolutions and linear layers on two threads spend their time synchronising: with one
of two cores busy with another process, a digits run on torch's default of 2 threads took
10x its idle time, and 4x the same run on 1 thread. So the default is measured, not assumed:

- the cores this process may run on (``os.sched_getaffinity``), not ``os.cpu_count()``;
- of those, the ones idle right now: a 50 ms sample of ``/proc/stat`` (Linux); a core less
  than half idle counts as busy;
- ``OMP_WAIT_POLICY=PASSIVE`` unless the user set it, so a waiting thread sleeps instead of
  spinning on a core another thread (or process) needs. It must be set before torch loads
  its OpenMP runtime: :func:`prepare_environment` runs before torch is imported.

``--threads`` / the config's top-level ``threads`` override the choice; the choice is
recorded in audit.json.
Results do not depend on the thread count (see the seeding tests), only the speed does.

Also the stage timer (:func:`timed`), which logs one line as a stage starts and one as it
ends (logger ``auditor``), :func:`stage_log`, which collects those lines for a run's
``run.log``, and :class:`Background`, one call run on a thread of its own while the caller
does other work (reading a file in pyarrow or hashing it releases the GIL).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")

SAMPLE_SECONDS = 0.05
BUSY_BELOW_IDLE = 0.5  # a core idle less than half the sample is taken by someone else
LOG = logging.getLogger("auditor")
LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"


def available_cores() -> list[int]:
    """The CPUs this process may run on."""
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return list(range(os.cpu_count() or 1))


def _cpu_times(cpus: list[int]) -> dict[int, tuple[int, int]] | None:
    """{cpu: (idle ticks, total ticks)} from /proc/stat, or None where it is unreadable."""
    try:
        lines = Path("/proc/stat").read_text().splitlines()
    except OSError:
        return None
    wanted = {f"cpu{c}": c for c in cpus}
    out: dict[int, tuple[int, int]] = {}
    for line in lines:
        name, _, rest = line.partition(" ")
        if name in wanted:
            ticks = [int(v) for v in rest.split()]
            idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
            out[wanted[name]] = (idle, sum(ticks[:8]))
    return out if len(out) == len(cpus) else None


def free_cores(cpus: list[int] | None = None, *, seconds: float = SAMPLE_SECONDS) -> int:
    """How many of ``cpus`` are mostly idle over a short sample (at least 1)."""
    cpus = available_cores() if cpus is None else cpus
    before = _cpu_times(cpus)
    if before is None:
        return len(cpus)
    time.sleep(seconds)
    after = _cpu_times(cpus)
    if after is None:
        return len(cpus)
    free = 0
    for c in cpus:
        idle = after[c][0] - before[c][0]
        total = after[c][1] - before[c][1]
        if total <= 0 or idle / total >= BUSY_BELOW_IDLE:
            free += 1
    return max(1, free)


def choose_threads(requested: int | None = None) -> int:
    """``requested`` when given, else the number of free cores this process may use."""
    if requested is not None:
        if requested < 1:
            raise ValueError(f"threads must be >= 1, got {requested}")
        return requested
    return free_cores()


# The resource trackers of child processes (loky's reference-model workers) warn on stderr of
# the semaphores they clean up when auditor leaves at once on a Ctrl-C (cli.main's os._exit):
# lines after the one line a signal prints. A warning filter's message field ends at its first
# ":", and every tracker warning starts "resource_tracker:" (an unlink that failed too, which
# stays), so the leak warning is told by its module and the line of its warnings.warn call,
# read from the tracker's source (package, module, file below the package).
LEAK_WARNING = "There appear to be"
TRACKERS = (
    ("multiprocessing", "multiprocessing.resource_tracker", "resource_tracker.py"),
    ("joblib", "joblib.externals.loky.backend.resource_tracker",
     "externals/loky/backend/resource_tracker.py"),
)  # fmt: skip


def tracker_filters() -> list[str]:
    """``PYTHONWARNINGS`` entries that ignore the trackers' leak warning, and it alone."""
    import importlib.util

    filters = []
    for package, module, file in TRACKERS:
        spec = importlib.util.find_spec(package)  # finds, imports nothing
        if spec is None or spec.origin is None:
            continue
        try:
            lines = (Path(spec.origin).parent / file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        starts = [i for i, line in enumerate(lines) if "warnings.warn(" in line]
        for i, end in zip(starts, [*starts[1:], len(lines)], strict=True):
            if LEAK_WARNING in "".join(lines[i : min(end, i + 3)]):  # the call's first lines
                filters.append(f"ignore:resource_tracker:UserWarning:{module}:{i + 1}")
    return filters


def prepare_environment() -> None:
    """Before torch is imported: let idle OpenMP threads sleep rather than spin; child
    processes keep the resource trackers' leak warning (:func:`tracker_filters`) off stderr."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    filters = [f for f in os.environ.get("PYTHONWARNINGS", "").split(",") if f]
    added = [f for f in tracker_filters() if f not in filters]
    if added:
        os.environ["PYTHONWARNINGS"] = ",".join([*filters, *added])


def torch_threads() -> int | None:
    """torch's intra-op thread count, or None where torch was never imported."""
    import sys

    torch = sys.modules.get("torch")
    return int(torch.get_num_threads()) if torch is not None else None


def apply_threads(n: int) -> None:
    """Set torch's intra-op threads to ``n`` (imports torch)."""
    import torch

    if torch.get_num_threads() != n:
        torch.set_num_threads(n)


@contextlib.contextmanager
def timed(timings: dict[str, float], name: str) -> Iterator[None]:
    """Record the wall-clock seconds of the ``with`` block as ``timings[name]`` (4 decimals),
    also when it raises; log "stage NAME: started" and "... done in S s" (or "failed")."""
    LOG.info("stage %s: started", name)
    start = time.perf_counter()
    try:
        yield
    except BaseException:
        timings[name] = round(time.perf_counter() - start, 4)
        LOG.info("stage %s: failed after %.1f s", name, timings[name])
        raise
    timings[name] = round(time.perf_counter() - start, 4)
    LOG.info("stage %s: done in %.1f s", name, timings[name])


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(logging.Formatter(LOG_FORMAT))
        self.addFilter(lambda record: record.name != LOCK_LOG.name)  # the folder's, not the run's
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextlib.contextmanager
def stage_log() -> Iterator[list[str]]:
    """Collect the ``auditor`` logger's lines (INFO and above) of the ``with`` block into the
    list it yields (for ``run.log``); the logger's level is restored after it."""
    handler, level = _Lines(), LOG.level
    LOG.addHandler(handler)
    if LOG.getEffectiveLevel() > logging.INFO:
        LOG.setLevel(logging.INFO)
    try:
        yield handler.lines
    finally:
        LOG.removeHandler(handler)
        LOG.setLevel(level)


_RUNNING: weakref.WeakSet[Background] = weakref.WeakSet()


def work_in_flight() -> bool:
    """True while a :class:`Background` call is still running (nobody waited for it)."""
    return any(b.running() for b in list(_RUNNING))


class Background(Generic[T]):
    """``fn(*args, **kwargs)`` started now on a daemon thread of its own; :meth:`result`
    waits for its value or raises its exception (in the caller's thread, as if called there).

    A caller that ends early (bad input, Ctrl-C) does not wait for it: the command exits
    while it runs (see :func:`work_in_flight`). ``started``: the call's
    ``time.perf_counter()`` at the start; ``seconds``: its wall-clock time once done."""

    def __init__(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> None:
        self._begin()
        self._thread: threading.Thread | None = threading.Thread(
            target=self._run, args=(fn, args, kwargs), daemon=True,
            name=f"auditor-{getattr(fn, '__name__', 'call')}",
        )  # fmt: skip
        _RUNNING.add(self)
        self._thread.start()

    @classmethod
    def inline(cls, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Background[T]:
        """The call made now, in the caller's thread (work that must stay there, such as a
        Dask client's), behind the same interface; its exception is raised here."""
        done = cls.__new__(cls)
        done._begin()
        done._thread = None
        done._value = fn(*args, **kwargs)
        done.seconds = round(time.perf_counter() - done.started, 4)
        return done

    def _begin(self) -> None:
        self._value: Any = None
        self._error: BaseException | None = None
        self.started = time.perf_counter()
        self.seconds = 0.0

    def _run(self, fn: Callable[..., T], args: tuple, kwargs: dict[str, Any]) -> None:
        try:
            self._value = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller by result()
            self._error = exc
        self.seconds = round(time.perf_counter() - self.started, 4)

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def result(self) -> T:
        """The call's value (waits; Ctrl-C interrupts the wait), or its exception raised."""
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


# The run folder's note while another writer holds its lock ("waiting for ..."): a library's,
# through logging, the same from every entry point: a handler the caller set up takes it (in
# its own format), else it is one line on stderr, as Python's last resort would say it; never
# in run.log (it is about the folder, not the run). The command line says it on stderr, or
# under -q nowhere (:func:`lock_notes`).
LOCK_LOG = logging.getLogger("auditor.run_folder")


class _StderrLine(logging.Handler):
    """Each record's message (made one printable line where it is said) as ``auditor: ...``
    on the ``sys.stderr`` of the moment (a test runner's, where one replaced it)."""

    def emit(self, record: logging.LogRecord) -> None:
        sys.stderr.write(f"auditor: {record.getMessage()}\n")
        sys.stderr.flush()


class _LastResort(_StderrLine):
    """:data:`LOCK_LOG`'s own: the line on stderr where no handler of the caller's takes it.
    Python's last resort cannot: inside :func:`stage_log` run.log's handler counts as one."""

    def emit(self, record: logging.LogRecord) -> None:
        if not _caller_takes(record):
            super().emit(record)


def _caller_takes(record: logging.LogRecord) -> bool:
    """Whether the caller set up a handler (not auditor's own: run.log's, this fallback) on
    ``record``'s way up from :data:`LOCK_LOG`, counted as :meth:`logging.Logger.callHandlers`
    counts for Python's last resort: whatever its level (one at ERROR prints nothing, by the
    caller's choice)."""
    logger: logging.Logger | None = LOCK_LOG
    while logger is not None:
        if any(not isinstance(h, _Lines | _LastResort) for h in logger.handlers):
            return True
        logger = logger.parent if logger.propagate else None
    return False


LOCK_LOG.addHandler(_LastResort(logging.WARNING))


@contextlib.contextmanager
def lock_notes(*, quiet: bool) -> Iterator[None]:
    """A command's notes of :data:`LOCK_LOG` for the ``with`` block: one line each on stderr,
    or under ``quiet`` (-q) none; not passed on to a root handler."""
    handler = logging.NullHandler() if quiet else _StderrLine()
    propagate = LOCK_LOG.propagate
    LOCK_LOG.addHandler(handler)
    LOCK_LOG.propagate = False
    try:
        yield
    finally:
        LOCK_LOG.removeHandler(handler)
        LOCK_LOG.propagate = propagate
