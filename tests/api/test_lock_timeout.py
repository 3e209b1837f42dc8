"""``lock_timeout=`` of ``regate``, ``rerender``, ``audit_predictions`` and
``AuditResult.write``: how long a write waits for another writer of its run folder. It was
read only once the folder was held by someone else: ``"x"`` was a TypeError from inside
run_folder after the audit's work, and NaN waited for ever ("giving up after nan s"). Each is
one line naming ``lock_timeout`` before any work, and nothing is written."""

from __future__ import annotations

import decimal
import fractions
import threading

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import auditor
from auditor.errors import AuditorInputError
from auditor.run_folder import locked


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame({"y": rng.integers(0, 2, 300), "p": rng.integers(0, 2, 300),
                         "group": rng.choice(["a", "b"], 300)})  # fmt: skip


@pytest.fixture(scope="module")
def run_dir(frame, tmp_path_factory):
    out = tmp_path_factory.mktemp("lock") / "run"
    auditor.audit_predictions(frame, y_true="y", y_pred="p", sensitive=["group"], out_dir=out)
    return out


CALLS = {
    "regate": lambda run, frame, out, wait: auditor.regate(run, out_dir=out, lock_timeout=wait),
    "rerender": lambda run, frame, out, wait: auditor.rerender(run, out_dir=out,
                                                               lock_timeout=wait),
    "write": lambda run, frame, out, wait: auditor.AuditResult.load(run).write(
        out, lock_timeout=wait),
    "audit_predictions": lambda run, frame, out, wait: auditor.audit_predictions(
        frame, y_true="y", y_pred="p", sensitive=["group"], out_dir=out, lock_timeout=wait),
    # took none: lock_timeout=5 was a raw TypeError (R11 #9)
    "audit_model": lambda run, frame, out, wait: auditor.audit_model(
        LogisticRegression().fit(frame[["p"]], frame["y"]), data=frame, target="y",
        sensitive=["group"], features=["p"], out_dir=out, lock_timeout=wait, progress=False),
}  # fmt: skip


@pytest.mark.parametrize(
    "wait", ["x", float("nan"), -1, True, None, "5",
             pytest.param(-(10**400), id="-10**400"), decimal.Decimal("NaN"),
             decimal.Decimal("sNaN"), decimal.Decimal("-1")],
)  # fmt: skip
@pytest.mark.parametrize("call", CALLS)
def test_a_wait_that_is_no_number_of_seconds_is_one_line(run_dir, frame, tmp_path, call, wait):
    with pytest.raises(AuditorInputError) as err:
        CALLS[call](run_dir, frame, tmp_path / "out", wait)
    assert err.value.field == "lock_timeout", str(err.value)
    assert str(err.value).startswith("lock_timeout: a number of seconds, 0 or more")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("wait", [0, 0.0, np.float64(0.0), np.int64(0)])
@pytest.mark.parametrize("call", CALLS)
def test_a_held_folder_is_given_up_after_the_seconds_given(run_dir, frame, tmp_path, call, wait):
    out = tmp_path / "out"
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with locked(out, timeout=5):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    held.wait(10)
    try:
        with pytest.raises(AuditorInputError) as err:
            CALLS[call](run_dir, frame, out, wait)
    finally:
        release.set()
        holder.join(10)
    assert err.value.field in {"out_dir", "folder"}, str(err.value)
    assert "0.0 s" in str(err.value) or "0 s" in str(err.value), str(err.value)


def test_infinity_is_a_wait_as_long_as_it_takes(run_dir, tmp_path):
    result = auditor.regate(run_dir, out_dir=tmp_path / "g", lock_timeout=float("inf"))
    assert result.run_dir == tmp_path / "g" and (tmp_path / "g" / "audit.json").is_file()


@pytest.mark.parametrize(
    "wait", [10**400, fractions.Fraction(10**400), decimal.Decimal("2"), decimal.Decimal("1e400")],
    ids=["10**400", "Fraction(10**400)", "Decimal(2)", "Decimal(1e400)"],
)
def test_a_decimal_or_an_int_past_floats_range_is_taken(run_dir, tmp_path, wait):
    """10**400 raised OverflowError from the check itself; Decimal("2") was refused as 'a
    number of seconds ... got Decimal('2')'. Each is a number of seconds (past float's range:
    as long as it takes)."""
    result = auditor.regate(run_dir, out_dir=tmp_path / "g", lock_timeout=wait)
    assert (result.run_dir / "audit.json").is_file()


BAD_RULE = """name = "lock"
[data]
source = "digits"
[[gates.rules]]
metric = "performance.nope"
max = 1
"""


@pytest.mark.parametrize("wait", ["x", float("nan"), -1])
def test_run_checks_its_wait_first(tmp_path, wait):
    """auditor.run(lock_timeout=nan) was not checked (NaN waited for ever once the folder was
    held): it is refused first, before the config's own rules are judged."""
    path = tmp_path / "c.toml"
    path.write_text(BAD_RULE, encoding="utf-8")
    with pytest.raises(AuditorInputError) as err:
        auditor.run(path, out_dir=tmp_path / "out", lock_timeout=wait, progress=False)
    assert str(err.value).startswith("lock_timeout: a number of seconds, 0 or more"), err.value
    assert not (tmp_path / "out").exists()
