"""The canaries' epsilon bound as the read-back recomputes it (r10 #1): every gate, card and
diff of a canary audit imported scipy.special for it (about 0.17 s, 12-25% of a gate). The
writer's :func:`auditor.privacy.canaries.epsilon_lower_bound`, which the read-back calls, now
sums its binomial masses in ``math``; its p-value is scipy's formula's (``bdtrc`` and
``gammaln``, as it was written), its bound is where that p-value flips (checked at the bound
and one bisection step past it, not by a second bisection, R16 #3) on a grid through the
edges, and a gate loads no scipy."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from scipy.special import bdtrc, gammaln, xlog1py, xlogy

from auditor.errors import AuditorInputError
from auditor.privacy.canaries import epsilon_lower_bound, p_value_dp_audit
from auditor.record.privacy_canaries import check_canaries

ROOT = Path(__file__).resolve().parents[2]


def _scipy_p_value(m: int, r: int, v: int, eps: float, delta: float) -> float:
    """The one-run audit's p-value as the writer computed it with scipy.special."""
    q = 1.0 / (1.0 + math.exp(-eps))
    beta = 1.0 if v - 1 < 0 else (float(bdtrc(v - 1, r, q)) if v - 1 < r else 0.0)
    alpha = 0.0
    if delta > 0 and v > 0:
        j = np.arange(v - 1, -1, -1, dtype=np.float64)
        pmf = np.exp(gammaln(r + 1) - gammaln(j + 1) - gammaln(r - j + 1) + xlogy(j, q)
                     + xlog1py(r - j, -q))  # fmt: skip
        alpha = float(np.max(np.cumsum(pmf) / np.arange(1, v + 1)))
    return min(beta + alpha * delta * 2 * m, 1.0)


def _where_the_test_flips(bound: float, m: int, r: int, v: int, delta: float,
                          confidence: float) -> None:  # fmt: skip
    """What the bound means, through scipy's p-value alone (not a second bisection): eps =
    ``bound`` is rejected at ``confidence`` (or is 0, nothing rejected) and eps = ``bound`` +
    1e-6 (the bisection's step) is not; infinite where eps = 512 (the doubling's last) is
    still rejected. rel 1e-9: scipy's and the math sums' last digits."""
    p = 1.0 - confidence
    if math.isinf(bound):
        assert _scipy_p_value(m, r, v, 512.0, delta) < p * (1 + 1e-9)
        return
    assert 0.0 <= bound <= 512.0
    assert bound == 0.0 or _scipy_p_value(m, r, v, bound, delta) < p * (1 + 1e-9)
    assert _scipy_p_value(m, r, v, bound + 1e-6, delta) >= p * (1 - 1e-9)


def _grid():
    for m, r in ((1, 0), (1, 1), (2, 1), (3, 3), (10, 4), (100, 40), (100, 100), (1000, 1000),
                 (5000, 2000), (20_000, 4000), (20_000, 20_000)):  # fmt: skip
        edges = {0, 1, r // 2, 3 * r // 4, 9 * r // 10, r - 1, r}
        for correct in sorted(edges & set(range(r + 1))):
            for delta in (0.0, 1e-5, 0.05) if r < 20_000 else (0.0, 1e-5):
                for confidence in (0.5, 0.95, 0.999) if r < 4000 else (0.95,):
                    yield m, r, correct, delta, confidence


def test_the_bound_is_where_scipys_p_value_flips_over_a_grid_through_the_edges():
    """At every (m, r, correct, delta, confidence): rejected at the bound, not 1e-6 past it
    (the read-back allows 2e-6)."""
    grid = list(_grid())
    assert len(grid) > 200
    for m, r, correct, delta, confidence in grid:
        ours = epsilon_lower_bound(m, r, correct, delta=delta, confidence=confidence)
        try:
            _where_the_test_flips(ours, m, r, correct, delta, confidence)
        except AssertionError as e:
            raise AssertionError((ours, m, r, correct, delta, confidence)) from e


@pytest.mark.parametrize(("m", "r"), [(1, 1), (100, 40), (20_000, 20_000)])
@pytest.mark.parametrize("delta", [0.0, 1e-5])
def test_the_p_value_is_scipys_formula(m, r, delta):
    for v in sorted({0, 1, r // 3, r // 2, 2 * r // 3, r - 1, r}):
        for eps in (0.0, 0.3, 1.0, 2.5, 8.0, 40.0):
            theirs = _scipy_p_value(m, r, v, eps, delta)
            assert p_value_dp_audit(m, r, v, eps, delta) == pytest.approx(theirs, rel=1e-9,
                                                                          abs=1e-300)  # fmt: skip


CHILD = """
import sys
from auditor.cli import exit_code_of
code = exit_code_of(sys.argv[1:])
print("loaded:", ",".join(m for m in ("scipy", "scipy.special") if m in sys.modules) or "none")
"""


def test_a_gate_of_a_canary_audit_loads_no_scipy(privacy_audit, tmp_path):
    """The read-back recomputes the bound (the run's canaries ran) without scipy."""
    canaries = json.loads(privacy_audit.read_text())["privacy"]["canaries"]
    assert canaries["status"] == "ok" and canaries["epsilon_ceiling"] > 0
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CHILD), "gate", str(privacy_audit), "--out",
         str(tmp_path / "gate"), "--exit-zero"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip().endswith("loaded: none"), child.stdout


def _canaries(r: int, ceiling: float, bound: float | None = None, delta: float = 0.0) -> dict:
    return {"privacy": {"canaries": {
        "status": "ok", "m": r, "r": r, "k_plus": r // 2, "k_minus": r - r // 2,
        "correct": r // 2 + 1, "delta": delta, "confidence": 0.95, "epsilon_ceiling": ceiling,
        "epsilon_lower_bound": ceiling if bound is None else bound, "kinds": {}}}}  # fmt: skip


def test_past_10_to_the_8_guesses_at_delta_0_the_ceiling_is_recomputed_the_bound_held_below():
    """R16 #1: at 10^8 guesses and more the ceiling was only held in [0, 512] (1.0 in place of
    17.3 read back). At delta 0 its p-value is one mass, q^r, recomputed up to 10^10 guesses
    (q = 0.05^(1 / r), eps = log(q / (1 - q))); the bound, summed over some standard deviations
    (20 s at 10^12), is held below it past 10^8."""
    with pytest.raises(AuditorInputError, match="epsilon_ceiling: 1.0 is not the bound of m, r, r"):
        check_canaries(_canaries(10**8, 1.0), source="a.json")
    r = 10**10
    ceiling = epsilon_lower_bound(r, r, r)
    q = 0.05 ** (1 / r)
    assert ceiling == pytest.approx(math.log(q / -math.expm1(math.log(0.05) / r)), abs=1e-6)
    check_canaries(_canaries(r, ceiling, bound=3.0), source="a.json")
    with pytest.raises(AuditorInputError, match="epsilon_ceiling: 5.0 is not the bound"):
        check_canaries(_canaries(r, 5.0, bound=3.0), source="a.json")
    with pytest.raises(AuditorInputError, match=r"bound: 30.0 is outside \[0, 21.9287\]"):
        check_canaries(_canaries(r, ceiling, bound=30.0), source="a.json")
    with pytest.raises(AuditorInputError, match="3.0 is not the bound of m, r, correct"):
        check_canaries(_canaries(10**8, epsilon_lower_bound(10**8, 10**8, 10**8), bound=3.0),
                       source="a.json")  # fmt: skip


@pytest.mark.parametrize(("r", "delta"), [(10**10 + 1, 0.0), (10**15, 0.0), (20_001, 1e-5)])
def test_past_what_is_recomputed_the_bounds_are_held_in_range_not_summed(r, delta):
    """With a delta past 20,000 guesses (masses summed over all of them) and at 0 past 10^10,
    the bounds are held in [0, 512]: no stall."""
    check_canaries(_canaries(r, 5.0, delta=delta), source="a.json")
    with pytest.raises(AuditorInputError, match="epsilon_ceiling"):
        check_canaries(_canaries(r, 600.0, delta=delta), source="a.json")
