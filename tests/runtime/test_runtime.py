"""Thread choice: the cores this process may use and of those the free ones; overrides win."""

from __future__ import annotations

import os

import pytest

from auditor import runtime
from auditor.config import AuditConfig, validate_config
from auditor.errors import AuditorInputError


def test_available_cores_is_the_affinity_set():
    assert runtime.available_cores() == sorted(os.sched_getaffinity(0))


def test_free_cores_is_between_one_and_the_available_count():
    n = runtime.free_cores(seconds=0.01)
    assert 1 <= n <= len(runtime.available_cores())


def test_a_core_busy_in_the_sample_is_not_free(monkeypatch):
    # two CPUs: cpu0 idle the whole sample, cpu1 idle 10% of it
    samples = iter([{0: (0, 0), 1: (0, 0)}, {0: (100, 100), 1: (10, 100)}])
    monkeypatch.setattr(runtime, "_cpu_times", lambda cpus: next(samples))
    monkeypatch.setattr(runtime.time, "sleep", lambda s: None)
    assert runtime.free_cores([0, 1]) == 1


def test_unreadable_proc_stat_counts_every_core(monkeypatch):
    monkeypatch.setattr(runtime, "_cpu_times", lambda cpus: None)
    assert runtime.free_cores([0, 1, 2]) == 3


def test_requested_threads_win():
    assert runtime.choose_threads(3) == 3
    with pytest.raises(ValueError):
        runtime.choose_threads(0)


def test_prepare_environment_keeps_a_users_setting(monkeypatch):
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    runtime.prepare_environment()
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"
    monkeypatch.delenv("OMP_WAIT_POLICY")
    runtime.prepare_environment()
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"


def test_threads_in_config_and_overrides():
    assert AuditConfig().threads is None
    assert AuditConfig().with_overrides(threads=2).threads == 2
    with pytest.raises(AuditorInputError, match="threads"):
        validate_config({"threads": 0}, source="a.toml")


LEAKED = """
import os
from {module} import resource_tracker
resource_tracker.register("/auditor-test-never-made", "{kind}")
os._exit(0)
"""


@pytest.mark.parametrize(
    ("module", "kind"),
    [("joblib.externals.loky.backend", "semlock"), ("multiprocessing", "semaphore")],
)
def test_child_processes_keep_only_the_trackers_leak_warning_off_stderr(monkeypatch, module, kind):
    # a Ctrl-C during the reference models (loky processes, n_jobs = 2) printed its one line,
    # then the resource trackers' "There appear to be 3 leaked semlock objects to clean up at
    # shutdown" (they clean them up themselves) on stderr: four more lines after it. The
    # filter was every "resource_tracker..." warning, an unlink that failed too.
    import subprocess
    import sys

    from auditor.runtime import prepare_environment

    monkeypatch.delenv("PYTHONWARNINGS", raising=False)
    prepare_environment()
    code = LEAKED.format(module=module, kind=kind)  # the tracker outlives it, then cleans up
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ), timeout=60)  # fmt: skip
    assert "There appear to be" not in run.stderr
    assert "/auditor-test-never-made" in run.stderr  # its unlink failed: that one shows
    own = subprocess.run([sys.executable, "-c", "import warnings; warnings.warn("
                          "'resource_tracker: of its own', UserWarning)"], capture_output=True,
                         text=True, env=dict(os.environ), timeout=60)  # fmt: skip
    assert "of its own" in own.stderr  # a program's own warning of that wording too
