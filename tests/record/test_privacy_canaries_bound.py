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
from auditor.record.privacy_canaries import LARGEST_FINITE, check_canaries

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
    1e-6 (the bisection's step) is not. Never infinite, never past 53 ln 2 (R3 #3: the
    oracle's check of an infinite bound could never run). rel 1e-9: scipy's and the math sums'
    last digits."""
    p = 1.0 - confidence
    assert 0.0 <= bound <= LARGEST_FINITE
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


@pytest.mark.parametrize(("r", "delta", "confidence"), [
    (2**62, 0.0, 0.0), (2**62, 0.0, 0.5), (2**62, 0.0, 0.95), (2**62, 0.0, 1 - 1e-15),
    (20_000, 1e-5, 0.0)])  # fmt: skip
def test_no_bound_passes_53_ln_2_where_q_rounds_to_1(r, delta, confidence):
    """R3 #3: past 53 ln 2 = 36.7368, q = 1 / (1 + e^-eps) is 1.0 in float and its p-value
    rejects nothing, so every guess right of the most guesses (2^62 at delta 0; with a delta at
    confidence 0, where any p-value below 1 rejects) stops one bisection step below it, and the
    read-back's largest bound is that, not 512."""
    assert 1.0 / (1.0 + math.exp(-math.nextafter(LARGEST_FINITE, 99))) == 1.0
    assert p_value_dp_audit(r, r, r, math.nextafter(LARGEST_FINITE, 99), delta) == 1.0
    ceiling = epsilon_lower_bound(r, r, r, delta=delta, confidence=confidence)
    assert LARGEST_FINITE - 1e-6 <= ceiling <= LARGEST_FINITE


def test_past_10_to_the_8_guesses_at_delta_0_the_ceiling_is_recomputed_the_bound_held_below():
    """R16 #1: at 10^8 guesses and more the ceiling was only held in [0, 512] (1.0 in place of
    17.3 read back). At delta 0 its p-value is one mass, q^r, recomputed at any r (R3 #3: it
    was only up to 10^10, a ceiling of 100 read back at 10^11); the bound, summed over some
    standard deviations (20 s at 10^12), is held below it past 10^8. The writer's float q is
    within 1e-6 of the closed form up to 10^10 guesses (36.74 for 41.88 at 2^62, where q
    rounds to 1): the read-back holds a file to what the writer writes."""
    with pytest.raises(AuditorInputError, match="epsilon_ceiling: 1.0 is not the bound of m, r, r"):
        check_canaries(_canaries(10**8, 1.0), source="a.json")
    for r in (10**10, 10**11, 2**62):
        ceiling = epsilon_lower_bound(r, r, r)
        closed = math.log(0.05 ** (1 / r) / -math.expm1(math.log(0.05) / r))
        assert ceiling == pytest.approx(closed, abs=1e-6) or r > 10**10
        check_canaries(_canaries(r, ceiling, bound=3.0), source="a.json")
        for wrong in (5.0, 30.0, 100.0):
            with pytest.raises(AuditorInputError, match=f"epsilon_ceiling: {wrong} is not the bo"):
                check_canaries(_canaries(r, wrong, bound=3.0), source="a.json")
        top = f"{ceiling + 1e-6:.6g}".replace(".", r"\.")
        with pytest.raises(AuditorInputError, match=rf"bound: 40.0 is outside \[0, {top}\]"):
            check_canaries(_canaries(r, ceiling, bound=40.0), source="a.json")
    with pytest.raises(AuditorInputError, match="3.0 is not the bound of m, r, correct"):
        check_canaries(_canaries(10**8, epsilon_lower_bound(10**8, 10**8, 10**8), bound=3.0),
                       source="a.json")  # fmt: skip


@pytest.mark.parametrize("r", [20_001, 10**15])
def test_past_what_is_recomputed_with_a_delta_the_bounds_are_held_in_range_not_summed(r):
    """With a delta past 20,000 guesses (masses summed over all of them) the ceiling is held in
    [0, 53 ln 2] (R3 #3: it was [0, 512]), the bound in [0, the ceiling]: no stall."""
    check_canaries(_canaries(r, 5.0, delta=1e-5), source="a.json")
    check_canaries(_canaries(r, 5.0, bound=0.0, delta=1e-5), source="a.json")
    for wrong in (36.8, 600.0):
        with pytest.raises(AuditorInputError, match=rf"epsilon_ceiling: {wrong} is outside"):
            check_canaries(_canaries(r, wrong, delta=1e-5), source="a.json")
    with pytest.raises(AuditorInputError, match=r"bound: 5.5 is outside \[0, 5"):
        check_canaries(_canaries(r, 5.0, bound=5.5, delta=1e-5), source="a.json")


def _null_bound(r: int, ceiling: float, delta: float = 0.0) -> dict:
    audit = _canaries(r, ceiling, delta=delta)
    audit["privacy"]["canaries"]["epsilon_lower_bound"] = None
    return audit


@pytest.mark.parametrize(("r", "delta"), [(10**9, 0.0), (20_001, 1e-5), (10**8, 0.0), (40, 0.0)])
def test_a_null_bound_is_refused_unless_the_ceiling_is_0(r, delta):
    """R3 #2: the writer writes the bound null only where the ceiling is 0 (powerless); past
    10^8 guesses at delta 0 (and past 20,000 with a delta) a null beside a ceiling of 19.6 was
    read back, and the summary dropped its canary line."""
    ceiling = 5.0 if delta > 0 else epsilon_lower_bound(r, r, r)
    why = "epsilon_lower_bound: (None is not the bound|null beside a ceiling of .*: auditor wr)"
    with pytest.raises(AuditorInputError, match=why):
        check_canaries(_null_bound(r, ceiling, delta), source="a.json")
    if delta > 0:  # a ceiling of 0 as read, the bound null beside it: as the writer writes it
        audit = _null_bound(r, 0.0, delta)
        audit["privacy"]["canaries"]["undefined"] = {"epsilon_lower_bound": "powerless"}
        check_canaries(audit, source="a.json")
    m, r = 10, 4  # 0.5^4 > 5%: ceiling 0, the bound null
    powerless = {"status": "ok", "m": m, "r": r, "k_plus": 2, "k_minus": 2, "correct": 4,
                 "delta": delta, "confidence": 0.95, "epsilon_ceiling": 0.0,
                 "epsilon_lower_bound": None, "kinds": {},
                 "undefined": {"epsilon_lower_bound": "powerless"}}  # fmt: skip
    check_canaries({"privacy": {"canaries": powerless}}, source="a.json")
