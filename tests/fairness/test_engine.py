"""The counts engine against fairlearn: per-group metrics and disparities equal MetricFrame's
and fairlearn's functions; small groups are reported and left out; each gap names its pair;
bad input is a clear error."""

from __future__ import annotations

import json

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
    result = audit_counts(table, specs=resolve_specs(["a", "b", "c"], "pairs"), positive=positive)
    assert (
        max_abs_difference(result, yt, yp, sf, classes=list(range(k)), positive=positive) <= 1e-12
    )
    groups = [g.group for g in result.features["a & b"].groups]
    assert "z & q" not in groups and len(groups) == 5  # no row: not a group
    assert all(g.n > 0 for f in result.features.values() for g in f.groups)
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
        res = audit_counts(table, specs=[tuple(spec)], positive=1, min_group_size=1)
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
    res = audit_counts(counts_from_arrays(yt, yp, sf), specs=[("b",)], positive=1)
    groups = {g.group: g for g in res.features["b"].groups}
    assert groups["q"].status == "insufficient_data" and groups["q"].n < 30
    dp = res.features["b"].disparities["demographic_parity_difference"]["between_groups"]
    assert dp.status == "insufficient_data" and np.isnan(dp.value)
    assert dp.excluded_groups == ["q"]


def _two_big_one_small():
    """a: 2000 rows (TPR 0.9), b: 400 rows with 6 positives (TPR 1/6), c: 12 rows."""
    rng = np.random.default_rng(0)
    n_a, n_b, n_c = 2000, 400, 12
    yt = np.r_[rng.random(n_a) < 0.5, np.zeros(n_b, bool), np.ones(n_c, bool)].astype(int)
    yt[n_a : n_a + 6] = 1
    yp = yt.copy()
    yp[:n_a] = np.where(rng.random(n_a) < 0.9, yt[:n_a], 0)
    yp[n_a : n_a + 5] = 0
    sf = {"s": np.r_[np.full(n_a, "a"), np.full(n_b, "b"), np.full(n_c, "c")]}
    return yt, yp, sf


def test_a_small_group_never_takes_the_verdict_away():
    """The 12-row group is left out; b's TPR on 6 positives still sets a gap with a verdict:
    its interval is wide, but wholly above 0.20, and it names the pair that sets it."""
    yt, yp, sf = _two_big_one_small()
    res = audit_counts(counts_from_arrays(yt, yp, sf), specs=[("s",)], positive=1)
    feat = res.features["s"]
    eo = feat.disparities["equalized_odds_difference"]["between_groups"]
    assert eo.status == "ok" and eo.excluded_groups == ["c"] and eo.n_groups_compared == 2
    assert eo.pair == ["b", "a"] and eo.decided_by == "recall" and eo.worst_group == "b"
    assert eo.ci_low > 0.20 and eo.ci_low < eo.value < eo.ci_high
    assert not hasattr(eo, "n_source")
    over = feat.disparities["equal_opportunity_difference"]["to_overall"]
    assert over.pair == ["b", "overall"] and over.ci_low <= over.value <= over.ci_high


def test_a_gap_without_two_large_groups_says_how_many_groups_had_enough_data():
    """The reason counts groups, not rows: "(0 of 30)" read as 0 of the 30 rows a group needs
    in the digits demo (30 intersections, min_group_size 30)."""
    rng = np.random.default_rng(3)
    yt, yp = rng.integers(0, 2, 130), rng.integers(0, 2, 130)
    sf = {"s": np.r_[["big"] * 100, ["a"] * 10, ["b"] * 10, ["c"] * 10]}
    res = audit_counts(counts_from_arrays(yt, yp, sf), specs=[("s",)], positive=1)
    gap = res.features["s"].disparities["demographic_parity_difference"]["between_groups"]
    assert gap.status == "insufficient_data"
    # the minimum as a number (30, the default), not the words "min_group_size rows"
    assert gap.reason == "1 of the 4 groups has enough data (at least 30 rows); a gap needs 2"
    none = audit_counts(counts_from_arrays(yt, yp, sf), specs=[("s",)], positive=1,
                        min_group_size=500)  # fmt: skip
    reason = none.features["s"].disparities["equalized_odds_difference"]["between_groups"].reason
    assert reason == "0 of the 4 groups have enough data (at least 500 rows); a gap needs 2"


@pytest.mark.parametrize("n", [10, 100])
def test_a_feature_of_one_group_says_every_row_is_in_it(n):
    """A constant column: "1 of the 1 groups has enough data" read as if a second were small."""
    rng = np.random.default_rng(5)
    yt, yp = rng.integers(0, 2, n), rng.integers(0, 2, n)
    res = audit_counts(counts_from_arrays(yt, yp, {"s": ["only"] * n}), specs=[("s",)], positive=1)
    for node in res.features["s"].disparities["demographic_parity_difference"].values():
        assert node.status == "insufficient_data" and node.worst_group is None
        assert node.reason == "every row is in one group, 'only': a gap needs 2"


def test_rates_at_zero_and_one_get_honest_intervals():
    """TPR 1.0 on 45 positives: the Wilson interval [0.921, 1], never [1, 1]."""
    yt = np.r_[np.ones(45, int), np.zeros(55, int)]
    yp = yt.copy()
    res = audit_counts(counts_from_arrays(yt, yp, {"s": ["x"] * 100}), specs=[("s",)], positive=1)
    tpr = res.features["s"].groups[0].metrics["recall"]
    assert tpr.value == 1.0 and tpr.ci_high == 1.0
    assert tpr.ci_low == pytest.approx(0.9213, abs=1e-4)
    fpr = res.features["s"].groups[0].metrics["fpr"]
    assert fpr.value == 0.0 and fpr.ci_low == 0.0 and fpr.ci_high > 0.05
    assert np.isnan(res.features["s"].groups[0].metrics["count"].ci_low)


def test_intervals_are_deterministic_and_method_is_recorded():
    yt, yp, sf = _random(4, 800)
    table = counts_from_arrays(yt, yp, sf)
    a = audit_counts(table, specs=[("a",)], positive=1, seed=7).to_dict()
    b = audit_counts(table, specs=[("a",)], positive=1, seed=8).to_dict()
    a.pop("seed"), b.pop("seed")
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)  # NaN-safe
    assert "n_boot" not in a and "Wilson" in a["ci_method"]
    cp = audit_counts(table, specs=[("a",)], positive=1, rate_method="clopper-pearson")
    assert "Clopper-Pearson" in cp.ci_method
    r_w = a["features"]["a"]["groups"][0]["metrics"]["recall"]
    r_cp = cp.features["a"].groups[0].metrics["recall"]
    assert r_cp.ci_high - r_cp.ci_low > r_w["ci_high"] - r_w["ci_low"]


def test_bad_input_is_a_clear_error():
    y = np.array([0, 1, 0, 1])
    with pytest.raises(AuditorInputError, match="length mismatch"):
        counts_from_arrays(y, y[:3], {"s": ["a", "b", "a", "b"]})
    with pytest.raises(AuditorInputError, match="empty or missing group label at data row 3"):
        counts_from_arrays(y, y, {"s": ["a", "b", "", "b"]})
    with pytest.raises(AuditorInputError, match="s: empty or missing group label at data row 2"):
        counts_from_arrays(y, y, {"s": ["a", None, "a", "b"]})
    missing = "y_true: target column .y_true. has missing values: 1 row without a class"
    with pytest.raises(AuditorInputError, match=missing):
        counts_from_arrays(np.array([0, np.nan, 1, 0]), y, {"s": ["a", "b", "a", "b"]})


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


def test_result_json_validates_against_the_schema_of_its_types():
    """NaN in memory, null in JSON: the generated schema allows exactly that."""
    import jsonschema
    from pydantic import TypeAdapter

    from auditor.fairness.engine import FairnessResult

    yt, yp, sf = _random(5, 500)
    res = audit_counts(counts_from_arrays(yt, yp, sf), specs=[("b",), ("a", "b")], positive=1)
    adapter = TypeAdapter(FairnessResult)
    data = json.loads(adapter.dump_json(res))
    assert (
        data["features"]["b"]["disparities"]["equalized_odds_difference"]["between_groups"]["value"]
        is None
    )  # one group with enough data: no gap
    schema = adapter.json_schema(mode="serialization")
    jsonschema.Draft202012Validator(schema).validate(data)


@pytest.mark.parametrize("dtype", [np.int8, np.uint64, np.int64])
def test_small_integer_labels_count_as_the_same_labels_as_text(dtype):
    """Integers in [0, 1024) are their own codes (no hashing): the table equals the one of
    the same labels as objects, gaps in the values included."""
    rng = np.random.default_rng(5)
    yt, yp = rng.choice([0, 5, 7], 500), rng.choice([0, 5, 7], 500)
    g = rng.choice([3, 90], 500)
    fast = counts_from_arrays(yt.astype(dtype), yp.astype(dtype), {"g": g.astype(dtype)})
    slow = counts_from_arrays(yt.astype(object), yp.astype(object), {"g": g.astype(object)})
    assert fast.classes == slow.classes == (0, 5, 7)
    assert fast.group_labels == slow.group_labels == (("3", "90"),)
    assert (fast.counts == slow.counts).all()


def test_a_gap_of_two_rates_with_one_undefined_is_only_a_bound():
    """No negatives anywhere (a positives-only slice): FPR is undefined in every group. The
    equalized-odds gap is fairlearn's, the TPR gap alone, which is only a lower bound of it:
    the node says so (``bound_only``, its reason), so a gate passes it only where no FPR
    could fail it; a gap of one rate (equal opportunity) is no bound."""
    rng = np.random.default_rng(5)
    n = 400
    yt = np.ones(n, int)
    yp = (rng.random(n) < 0.7).astype(int)
    sf = {"s": rng.choice(["a", "b"], n)}
    res = audit_counts(counts_from_arrays(yt, yp, sf), specs=[("s",)], positive=1)
    d = res.features["s"].disparities
    eod = d["equalized_odds_difference"]["between_groups"]
    eo = d["equal_opportunity_difference"]["between_groups"]
    assert eod.status == "ok" and eod.value == pytest.approx(eo.value)
    assert eod.bound_only == "lower" and eo.bound_only is None and eo.reason is None
    assert eod.reason.startswith("fewer than 2 compared groups have a defined fpr: the value is "
                                 "the recall gap alone, a lower bound of this gap")
    assert d["equalized_odds_ratio"]["between_groups"].bound_only == "upper"
    alternate = {"s": np.where(np.arange(n) % 2 == 0, "a", "b")}
    same_tpr = (np.arange(n) // 2 % 10 < 7).astype(int)  # 70% in each group: a gap of 0
    tied = audit_counts(counts_from_arrays(yt, same_tpr, alternate), specs=[("s",)], positive=1)
    gap = tied.features["s"].disparities["equal_opportunity_difference"]["between_groups"]
    assert gap.value == 0 and sorted(gap.pair) == ["a", "b"]  # a tie names two groups
    both = audit_counts(counts_from_arrays(*_random(3, 600)), specs=[("a",)], positive=1)
    mixed = both.features["a"].disparities["equalized_odds_difference"]["between_groups"]
    assert mixed.status == "ok" and mixed.reason is None  # both rates defined: no reason


def test_to_dict_is_asdict_without_the_deep_copy():
    """``FairnessResult.to_dict`` (results.plain) gives asdict's dicts, NaN included."""
    from dataclasses import asdict

    yt, yp, sf = _random(5, 500)
    res = audit_counts(counts_from_arrays(yt, yp, sf), specs=[("b",), ("a", "b")], positive=1)
    assert json.dumps(res.to_dict(), sort_keys=True) == json.dumps(asdict(res), sort_keys=True)


@pytest.mark.parametrize("method", ["between_groups", "to_overall"])
def test_a_rate_defined_in_one_group_alone_gives_no_value_and_no_pair(method):
    """Positives in group a only: recall is defined in a alone, so nothing is compared. The
    gap is insufficient data without a number: fairlearn's gap of one group (0) or ratio (1)
    would read as no disparity, and a pair (a, a) names a group against itself."""
    rng = np.random.default_rng(3)
    n = 600
    sf = {"s": np.repeat(["a", "b"], n // 2)}
    yt = np.where(sf["s"] == "a", rng.integers(0, 2, n), 0)
    yp = rng.integers(0, 2, n)
    res = audit_counts(counts_from_arrays(yt, yp, sf), specs=[("s",)], positive=1)
    d = res.features["s"].disparities
    for name in ("equal_opportunity_difference", "equal_opportunity_ratio", "fnr_difference"):
        if name not in d:
            continue
        gap = d[name][method]
        assert gap.status == "insufficient_data" and np.isnan(gap.value), (name, gap)
        assert gap.pair == [] and gap.worst_group is None and "have a defined" in gap.reason
    eod = d["equalized_odds_difference"][method]  # FPR is defined in both: a lower bound
    assert eod.status == "ok" and not np.isnan(eod.value) and eod.bound_only == "lower"
    assert "a lower bound of this gap" in eod.reason
