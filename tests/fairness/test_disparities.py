"""A disparity without a value says why, names no group, and gets no verdict: a class no row
is predicted as has a selection rate (and TPR and FPR) of 0 in every group; fairlearn's
ratio of them is 0 / 0, NaN. The node said "the metric is undefined in every compared
group" (each rate is defined: 0) and named a worst-off group and a pair of a value that
does not exist; a gate on it is insufficient data, never a pass."""

from __future__ import annotations

import numpy as np
import pytest
from fairlearn.metrics import demographic_parity_ratio, equalized_odds_ratio

from auditor.config import GatesConfig
from auditor.fairness import audit_counts, counts_from_arrays, resolve_specs
from auditor.fairness.disparities import ALL_UNDEFINED, LEVEL, LEVEL_DEFINED, LEVEL_OFF_OVERALL
from auditor.gates.names import shorten


def never_high(n: int = 1200):
    """Three classes; 'high' (class 2) occurs but no row is predicted as it."""
    rng = np.random.default_rng(4)
    yt = rng.integers(0, 3, n)
    yp = np.where(rng.random(n) < 0.7, yt, 0)
    yp[yp == 2] = 1
    return yt, yp, {"s": rng.choice(["a", "b"], n)}


@pytest.mark.parametrize("method", ["between_groups", "to_overall"])
def test_a_ratio_of_rates_all_zero_says_so_and_names_no_group(method):
    yt, yp, sf = never_high()
    res = audit_counts(counts_from_arrays(yt, yp, sf), specs=resolve_specs(["s"], "none"),
                       positive=None)
    d = res.features["s"].disparities
    high = (yt == 2).astype(int), (yp == 2).astype(int)
    kw = {"sensitive_features": sf["s"], "method": method}
    assert np.isnan(demographic_parity_ratio(*high, **kw))  # fairlearn's NaN, as the engine's
    assert np.isnan(equalized_odds_ratio(*high, **kw))
    for name, rates in (("demographic_parity_ratio@2", "selection_rate@2 is 0"),
                        ("equalized_odds_ratio@2", "recall@2 and fpr@2 are 0")):  # fmt: skip
        node = d[name][method]
        assert node.status == "undefined" and np.isnan(node.value), node
        assert node.reason.startswith(f"{rates} in every compared group: their ratio (0 / 0)")
        assert node.worst_group is None and node.pair == [] and node.attained_by == []
        assert node.decided_by is None
    gap = d["demographic_parity_difference@2"][method]
    assert gap.status == "ok" and gap.value == 0  # the difference compares them: equal
    precision = d["precision_difference@2"][method]  # no predicted positives: undefined
    assert precision.reason == ALL_UNDEFINED and precision.worst_group is None


def test_a_gate_on_that_ratio_is_insufficient_data_not_a_pass():
    import pandas as pd

    import auditor

    yt, yp, sf = never_high()
    names = np.array(["low", "mid", "high"])
    frame = pd.DataFrame({"y": names[yt], "p": names[yp], "s": sf["s"]})
    result = auditor.audit_predictions(frame, y_true="y", y_pred="p", sensitive="s")
    path = 'fairness.features.s.disparities."demographic_parity_ratio@high".between_groups'
    gated = result.gate(GatesConfig(use_defaults=False, rules=[{"metric": path, "min": 0.8}]))
    [gate] = gated.data["gates"]["results"]
    assert (gate["outcome"], gate["status"], gate["group"]) == ("insufficient_data", "warn", "all")


def rows(rates: dict[str, float], n: int = 40):
    """``n`` rows per group, half of them true positives; the first ``rate * n`` predicted
    positive (a group's selection rate is its rate)."""
    yt, yp, g = [], [], []
    for name, rate in rates.items():
        yt += [i % 2 for i in range(n)]
        yp += [int(i < rate * n) for i in range(n)]
        g += [name] * n
    return np.array(yt), np.array(yp), {"g": np.array(g)}


def disparities(rates: dict[str, float]):
    yt, yp, sf = rows(rates)
    res = audit_counts(counts_from_arrays(yt, yp, sf), specs=[("g",)], positive=1)
    return res.features["g"].disparities


@pytest.mark.parametrize("method", ["between_groups", "to_overall"])
def test_a_gap_of_zero_names_no_worst_off_group_and_says_the_groups_are_level(method):
    d = disparities({"a": 0.5, "b": 0.5, "c": 0.5})
    for name in ("demographic_parity_difference", "demographic_parity_ratio"):
        node = d[name][method]
        assert node.status == "ok" and node.value == (0 if "difference" in name else 1)
        assert node.ci_low <= node.value <= node.ci_high
        assert node.worst_group is None  # it named 'a', the first in sorted order
        assert node.reason == LEVEL.format(rates="selection_rate")


def test_groups_tied_as_the_worst_off_are_all_named():
    d = disparities({"c": 0.25, "a": 0.5, "b": 0.25, "d": 0.25})
    node = d["demographic_parity_difference"]["between_groups"]
    assert node.value == 0.25 and node.worst_group == "b"  # one of them, the first: the gate's
    assert node.reason == "b, c and d tie as the worst off: selection_rate 0.25 in each"
    assert node.pair == ["b", "a"]
    many = disparities({k: 0.25 for k in "bcdefg"} | {"a": 0.5})
    reason = many["demographic_parity_difference"]["between_groups"].reason
    assert reason == "b, c, d, e and 2 more tie as the worst off: selection_rate 0.25 in each"


def test_one_worst_off_group_has_no_note():
    node = disparities({"a": 0.25, "b": 0.5, "c": 0.75})["demographic_parity_difference"]
    assert node["between_groups"].worst_group == "a" and node["between_groups"].reason is None


def test_the_terminal_line_of_a_level_feature_names_no_worst_off_group():
    import pandas as pd

    import auditor
    from auditor.report.terminal import predictions_lines

    yt, yp, sf = rows({"a": 0.5, "b": 0.5})
    frame = pd.DataFrame({"y": yt, "p": yp, "g": sf["g"]})
    audit = auditor.audit_predictions(frame, y_true="y", y_pred="p", sensitive="g").data
    [line] = [x for x in predictions_lines(audit) if x.startswith("  g:")]
    assert "worst-off" not in line and "the groups are level, none is worse off" in line


def test_level_where_a_compared_group_has_no_value_says_so():
    """a: no row predicted positive, so no precision; b and c the same: level where defined."""
    node = disparities({"a": 0.0, "b": 0.5, "c": 0.5})["precision_difference"]["between_groups"]
    assert node.value == 0 and node.worst_group is None
    assert node.reason == LEVEL_DEFINED.format(rates="precision")


def test_long_labels_tied_as_the_worst_off_are_cut_in_the_note():
    """The note named them whole: 3,000-character labels made the card 3,000 characters wide."""
    a, b = "G1-" + "x" * 3000 + "-end1", "G2-" + "x" * 3000 + "-end2"
    reason = disparities({a: 0.25, b: 0.25, "c": 0.5})["demographic_parity_difference"][
        "between_groups"].reason  # fmt: skip
    first, _, rest = reason.partition(" and ")
    assert first.startswith("G1-x") and first.endswith("…" + "x" * 15 + "-end1")
    assert len(first) == 80 and rest.startswith("G2-x") and "-end2 tie as the worst off" in rest
    # cut as the gate messages and the terminal cut a label (its own cut kept one fewer
    # character at the end): one function
    assert first == shorten(a) and rest.startswith(shorten(b) + " tie")


def test_level_groups_apart_from_the_overall_do_not_say_the_gap_is_level():
    """a and b level at 0.5; c (20 rows, under min 30: left out) at 1.0 lifts the overall to
    0.6: the to-overall gap is 0.100, and its note said 'the groups are level'."""
    yt, yp, sf = rows({"a": 0.5, "b": 0.5})
    yt2, yp2, sf2 = rows({"c": 1.0}, n=20)
    table = counts_from_arrays(np.r_[yt, yt2], np.r_[yp, yp2], {"g": np.r_[sf["g"], sf2["g"]]})
    d = audit_counts(table, specs=[("g",)], positive=1).features["g"].disparities
    node = d["demographic_parity_difference"]["to_overall"]
    assert node.value == pytest.approx(0.1) and node.excluded_groups == ["c"]
    assert node.worst_group is None
    assert node.reason == LEVEL_OFF_OVERALL.format(rates="selection_rate")
    assert "left out" in node.reason and "the groups are level" not in node.reason
    between = d["demographic_parity_difference"]["between_groups"]
    assert between.value == 0 and between.reason == LEVEL.format(rates="selection_rate")
