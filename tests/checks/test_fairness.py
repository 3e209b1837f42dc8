"""The fairness engine against fairlearn, its intervals' coverage, bad input, and the check
on the trained digits model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equalized_odds_difference,
    equalized_odds_ratio,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.errors import AuditorInputError
from auditor.fairness import audit_counts, counts_from_arrays, resolve_specs
from auditor.fairness.engine import bootstrap_counts
from auditor.fairness.reference import max_abs_difference, reference_frame


def _random(seed: int, n: int, k: int = 2):
    rng = np.random.default_rng(seed)
    sf = pd.DataFrame(
        {
            "a": rng.choice(["x", "y", "z"], n),
            "b": rng.choice(["p", "q"], n, p=[0.97, 0.03]),
            "c": rng.choice(["u", "v"], n),
        }
    )
    sf.loc[(sf.a == "z") & (sf.b == "q"), "b"] = "p"  # an empty intersection cell
    yt = rng.integers(0, k, n)
    yp = np.where(rng.random(n) < 0.75, yt, rng.integers(0, k, n))
    yt[((sf.a == "x") & (sf.b == "q")).to_numpy()] = 0  # a group with no positives
    return yt, yp, sf


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("seed", [0, 1])
def test_per_group_metrics_equal_metricframe(k, seed):
    yt, yp, sf = _random(seed, 1500, k)
    positive = 1 if k == 2 else None
    table = counts_from_arrays(yt, yp, sf)
    result = audit_counts(
        table, specs=resolve_specs(["a", "b", "c"], "pairs"), positive=positive, n_boot=0
    )
    assert (
        max_abs_difference(result, yt, yp, sf, classes=list(range(k)), positive=positive) <= 1e-12
    )
    empty = next(g for g in result.features["a & b"].groups if g.group == "z & q")
    assert empty.n == 0 and empty.status == "insufficient_data"
    no_pos = next(g for g in result.features["a & b"].groups if g.group == "x & q")
    if k == 2:
        assert np.isnan(no_pos.metrics["recall"].value)
        assert no_pos.metrics["recall"].reason == "the group has no positive rows"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_disparities_equal_fairlearn(seed):
    yt, yp, sf = _random(seed, 2000)
    yt[:] = np.random.default_rng(seed + 100).integers(0, 2, len(yt))  # both classes everywhere
    table = counts_from_arrays(yt, yp, sf)
    for spec in (["a"], ["a", "c"]):
        res = audit_counts(table, specs=[tuple(spec)], positive=1, n_boot=0, min_group_size=1)
        feat = res.features[" & ".join(spec)]
        s = sf[spec] if len(spec) > 1 else sf[spec[0]]
        for method in ("between_groups", "to_overall"):
            d = {k: v[method].value for k, v in feat.disparities.items()}
            kw = dict(sensitive_features=s, method=method)
            assert d["demographic_parity_difference"] == pytest.approx(
                demographic_parity_difference(yt, yp, **kw), abs=1e-12
            )
            assert d["demographic_parity_ratio"] == pytest.approx(
                demographic_parity_ratio(yt, yp, **kw), abs=1e-12
            )
            assert d["equalized_odds_difference"] == pytest.approx(
                equalized_odds_difference(yt, yp, **kw), abs=1e-12
            )
            assert d["equalized_odds_ratio"] == pytest.approx(
                equalized_odds_ratio(yt, yp, **kw), abs=1e-12
            )
            assert d["equal_opportunity_difference"] == pytest.approx(
                equal_opportunity_difference(yt, yp, **kw), abs=1e-12
            )
            mf = reference_frame(yt, yp, sf[spec], classes=[0, 1], positive=1)
            for name, metric in (
                ("accuracy_difference", "accuracy"),
                ("precision_difference", "precision"),
                ("fnr_difference", "fnr"),
            ):
                assert d[name] == pytest.approx(mf.difference(method=method)[metric], abs=1e-12)


def test_small_groups_are_reported_and_left_out_of_disparities():
    yt, yp, sf = _random(3, 600)
    res = audit_counts(counts_from_arrays(yt, yp, sf), specs=[("b",)], positive=1, n_boot=50)
    groups = {g.group: g for g in res.features["b"].groups}
    assert groups["q"].status == "insufficient_data" and groups["q"].n < 30
    dp = res.features["b"].disparities["demographic_parity_difference"]["between_groups"]
    assert dp.status == "insufficient_data" and np.isnan(dp.value)
    assert dp.excluded_groups == ["q"]


def test_disparity_carries_the_smallest_count_it_rests_on():
    """A big group with few positives: its TPR decides the equalized-odds gap, and the gap's
    n is that group's positives, not its rows; selection-rate gaps rest on the rows."""
    rng = np.random.default_rng(0)
    n_a, n_b = 2000, 400
    yt = np.r_[rng.random(n_a) < 0.5, np.zeros(n_b, bool)].astype(int)
    yt[n_a : n_a + 6] = 1  # group b: 400 rows, 6 positives
    yp = yt.copy()
    yp[n_a : n_a + 5] = 0  # b's TPR 1/6 against a's 1.0
    sf = {"s": np.r_[np.full(n_a, "a"), np.full(n_b, "b")]}
    res = audit_counts(counts_from_arrays(yt, yp, sf), specs=[("s",)], positive=1, n_boot=50)
    d = res.features["s"].disparities
    eo = d["equalized_odds_difference"]["between_groups"]
    assert eo.value == pytest.approx(5 / 6) and eo.n == 6
    assert eo.n_source == "b: recall on 6 positives"
    assert d["demographic_parity_difference"]["between_groups"].n == n_b
    assert d["equal_opportunity_difference"]["to_overall"].n == 6


def test_count_bootstrap_equals_row_bootstrap_in_distribution():
    """Multinomial redraw of a group's cells is the row bootstrap within the group."""
    counts = np.array([[[40, 10], [5, 45]]])
    rng = np.random.default_rng(0)
    fast = bootstrap_counts(counts, 4000, rng)[:, 0].reshape(4000, 4)
    rows = np.repeat(np.arange(4), counts.ravel())
    slow = np.stack([np.bincount(rng.choice(rows, rows.size), minlength=4) for _ in range(4000)])
    assert np.allclose(fast.mean(0), slow.mean(0), atol=0.5)
    assert np.allclose(fast.std(0), slow.std(0), rtol=0.08)
    assert (fast.sum(1) == 100).all()


def _coverage(name: str, reps: int, seed: int = 0) -> float:
    """Share of reps whose 95% interval covers the true disparity of a known process:
    two groups of fixed size, base rates 0.3 / 0.5, TPR 0.8 / 0.65, FPR 0.1 / 0.15 (one
    component of equalized odds clearly the larger: a max over a tie has no unbiased estimate)."""
    rng = np.random.default_rng(seed)
    sizes, base, tpr, fpr = (600, 400), (0.3, 0.5), (0.8, 0.65), (0.1, 0.15)
    sel = [b * t + (1 - b) * f for b, t, f in zip(base, tpr, fpr, strict=True)]
    truth = {
        "demographic_parity_difference": abs(sel[0] - sel[1]),
        "equalized_odds_difference": max(abs(tpr[0] - tpr[1]), abs(fpr[0] - fpr[1])),
    }[name]
    hits = 0
    for r in range(reps):
        ys, ps, gs = [], [], []
        for g in range(2):
            y = rng.random(sizes[g]) < base[g]
            p = np.where(y, rng.random(sizes[g]) < tpr[g], rng.random(sizes[g]) < fpr[g])
            (
                ys.append(y.astype(int)),
                ps.append(p.astype(int)),
                gs.append(np.full(sizes[g], f"g{g}")),
            )
        table = counts_from_arrays(
            np.concatenate(ys), np.concatenate(ps), {"g": np.concatenate(gs)}
        )
        d = audit_counts(table, specs=[("g",)], positive=1, n_boot=1000, seed=r).features["g"]
        dis = d.disparities[name]["between_groups"]
        hits += dis.ci_low <= truth <= dis.ci_high
    return hits / reps


@pytest.mark.slow
@pytest.mark.parametrize("name", ["demographic_parity_difference", "equalized_odds_difference"])
def test_intervals_cover_the_true_disparity(name):
    cover = _coverage(name, reps=1000)
    assert 0.93 <= cover <= 0.97, cover


def test_bad_input_is_a_clear_error():
    y = np.array([0, 1, 0, 1])
    with pytest.raises(AuditorInputError, match="length mismatch"):
        counts_from_arrays(y, y[:3], {"s": ["a", "b", "a", "b"]})
    with pytest.raises(AuditorInputError, match="empty or NaN group label at row 2"):
        counts_from_arrays(y, y, {"s": ["a", "b", "", "b"]})
    with pytest.raises(AuditorInputError, match="s: empty or missing group label at row 1"):
        counts_from_arrays(y, y, {"s": ["a", None, "a", "b"]})
    with pytest.raises(AuditorInputError, match="y_true: missing value at row 1"):
        counts_from_arrays(np.array([0, np.nan, 1, 0]), y, {"s": ["a", "b", "a", "b"]})


def test_seeded_intervals_are_reproducible():
    yt, yp, sf = _random(4, 800)
    table = counts_from_arrays(yt, yp, sf)
    a = audit_counts(table, specs=[("a",)], positive=1, n_boot=200, seed=7).to_dict()
    b = audit_counts(table, specs=[("a",)], positive=1, n_boot=200, seed=7).to_dict()
    assert a == b


def test_fairness_check_on_digits(digits_context):
    from auditor.checks.fairness import fairness_check
    from auditor.io import to_json_text
    from auditor.result import audit_schema

    section = fairness_check(digits_context, {})
    assert section["status"] == "ok"
    assert set(section["features"]) == {"digit", "ink_density", "digit & ink_density"}
    assert section["reference_check"]["agrees"]
    g = section["features"]["digit"]["groups"][0]
    acc = g["metrics"]["accuracy"]
    assert acc["ci_low"] <= acc["value"] <= acc["ci_high"] and acc["n"] == g["n"]
    assert sum(x["n"] for x in section["features"]["digit & ink_density"]["groups"]) == section["n"]
    import json

    import jsonschema

    schema = audit_schema()["properties"]["fairness"]["oneOf"][1]
    jsonschema.Draft202012Validator(schema).validate(json.loads(to_json_text(section)))


def test_threshold_optimizer_preview_reduces_the_disparity_it_targets():
    from auditor.fairness.mitigation import threshold_optimizer_preview

    rng = np.random.default_rng(0)

    def split(n):
        g = rng.choice(["a", "b"], n)
        y = (rng.random(n) < np.where(g == "a", 0.3, 0.6)).astype(int)
        score = np.clip(0.35 * y + 0.25 * (g == "b") + 0.4 * rng.random(n), 0, 1)
        return g, y, score

    gv, yv, sv = split(3000)
    gt, yt, st = split(3000)
    out = threshold_optimizer_preview(
        feature="g",
        val_score=sv,
        val_y=yv,
        val_sensitive=gv,
        test_score=st,
        test_y=yt,
        test_pred=(st > 0.5).astype(int),
        test_sensitive=gt,
        n_boot=100,
    )
    before = out["before"]["equalized_odds_difference"]["value"]
    after = out["constraints"]["equalized_odds"]["after"]["equalized_odds_difference"]["value"]
    assert out["constraints"]["equalized_odds"]["status"] == "ok"
    assert after < before


@settings(max_examples=40, deadline=None)
@given(
    cells=st.lists(st.lists(st.integers(0, 40), min_size=4, max_size=4), min_size=2, max_size=5),
    perm_seed=st.integers(0, 1000),
)
def test_disparity_invariants(cells, perm_seed):
    """Disparities are in range and do not depend on the order or names of the groups."""
    from auditor.fairness.metrics import DISPARITIES, all_metrics, disparity

    counts = np.array(cells, dtype=np.int64).reshape(-1, 2, 2)
    perm = np.random.default_rng(perm_seed).permutation(len(counts))
    views = [(1, "")]
    overall = all_metrics(counts.sum(0)[None], views)
    a, b = all_metrics(counts, views), all_metrics(counts[perm], views)
    for name in DISPARITIES:
        for method in ("between_groups", "to_overall"):
            x = disparity(name, a.values, overall.values, method)
            y = disparity(name, b.values, overall.values, method)
            assert (np.isnan(x) and np.isnan(y)) or x == pytest.approx(y, abs=1e-15)
            if not np.isnan(x):
                assert 0.0 <= x <= 1.0 + 1e-12
