"""The one reader of numbers: estimate nodes, plain numbers beside counts, status nodes."""

from __future__ import annotations

import pytest

from auditor.audit_tree import wilson_interval


def test_wilson_interval_matches_statsmodels_formula():
    lo, hi = wilson_interval(25, 50)  # 11 or more successes and failures: plain Wilson
    assert lo == pytest.approx(0.3664, abs=1e-4) and hi == pytest.approx(0.6336, abs=1e-4)


@pytest.mark.parametrize("n", [1, 2, 7, 50, 400, 1000, 100_000])
def test_wilson_interval_is_the_interval_the_group_rates_get(n):
    """The accuracy gate's interval was plain Wilson beside the per-group rates' (Brown, Cai &
    DasGupta's ends): at 45 of 50 its upper end was 0.9565, under the rates' 0.9675."""
    import numpy as np

    from auditor.fairness.intervals import rate_interval

    ks = sorted({0, 1, 2, 5, 10, 11, n // 2, n - 11, n - 10, n - 5, n - 1, n} & set(range(n + 1)))
    want = rate_interval(np.array(ks), np.full(len(ks), n))
    got = np.array([wilson_interval(k, n) for k in ks]).T
    assert np.allclose(got, want, rtol=0, atol=1e-12), (ks, got, want)


def test_estimate_node_with_context():
    from auditor.audit_tree import read

    ev = read({"value": 0.3, "ci_low": 0.2, "ci_high": 0.4, "n": 43, "worst_group": "8",
               "pair": ["0", "8"], "status": "ok"})  # fmt: skip
    assert (ev.value, ev.ci_low, ev.ci_high, ev.n, ev.interval) == (0.3, 0.2, 0.4, 43, "reported")
    assert ev.group == "8" and ev.status == "ok" and ev.undefined is None


def test_estimate_node_undefined_and_unresolvable():
    from auditor.audit_tree import read

    ev = read({"value": None, "ci_low": None, "ci_high": None, "n": 0, "reason": "no positives"})
    assert ev.value is None and ev.undefined == "no positives" and ev.interval == "none"
    ev = read({"value": 0.0, "ci_low": 0.0, "ci_high": 0.01, "n": 266, "resolvable": False})
    assert ev.resolvable is False and ev.value == 0.0


def test_a_nan_value_gives_its_reason_as_a_null_does():
    # an audit still in memory holds NaN where its audit.json writes null (a ratio of rates all
    # 0): the gate said "insufficient data: no value" there, and the reason from the file
    from auditor.audit_tree import read

    nan = float("nan")
    ev = read({"value": nan, "ci_low": nan, "ci_high": nan, "status": "undefined",
               "reason": "rates are 0 in every compared group"})  # fmt: skip
    assert ev.value is None and ev.undefined == "rates are 0 in every compared group"


def test_plain_number_takes_its_count_and_reason_from_the_enclosing_mapping():
    from auditor.audit_tree import read

    parent = {"n": 400, "n_correct": 360, "accuracy": 0.9, "ece": 0.05, "roc_auc": None,
              "undefined": {"roc_auc": "only one class in y_true"}}  # fmt: skip
    acc = read(parent["accuracy"], parent=parent, leaf="accuracy")
    assert acc.interval == "wilson" and (acc.ci_low, acc.ci_high) == wilson_interval(360, 400)
    ece = read(parent["ece"], parent=parent, leaf="ece")
    assert (ece.value, ece.n, ece.interval) == (0.05, 400, "none")
    auc = read(None, parent=parent, leaf="roc_auc")
    assert auc.value is None and auc.undefined == "only one class in y_true"


@pytest.mark.parametrize(("k", "n"), [(401, 400), (-1, 400), (3, -2)])
def test_counts_no_interval_can_come_from_are_refused_naming_the_path(k, n):
    """A hand-edited audit.json (n_correct above n, or negative) made Wilson's square root
    complex: gate, card and diff crashed. It is refused as a node that cannot be read."""
    from auditor.audit_tree import read
    from auditor.audit_tree.read import MSG_BAD_COUNTS

    parent = {"n": n, "n_correct": k, "accuracy": 0.9}
    with pytest.raises(ValueError) as err:
        read(0.9, parent=parent, leaf="accuracy", path="performance.finetuned.test.accuracy")
    assert str(err.value) == MSG_BAD_COUNTS.format(
        path="performance.finetuned.test.accuracy", k=k, n=n
    )


def test_status_text_and_booleans():
    from auditor.audit_tree import read

    assert read({"id": "license", "status": "met"}).value == "met"
    assert read(True).value == "true" and read(False).value == "false"
    assert read("declared").value == "declared"


def test_a_mapping_without_value_or_status_is_not_a_number():
    from auditor.audit_tree import read
    from auditor.audit_tree.read import MSG_NOT_READABLE

    with pytest.raises(ValueError) as err:
        read({"tpr": 0.2, "ci_low": 0.1, "ci_high": 0.3}, path="privacy.x")
    assert str(err.value) == MSG_NOT_READABLE.format(path="privacy.x", have="tpr, ci_low, ci_high")
    with pytest.raises(ValueError):
        read([0.1, 0.2], path="privacy.roc")


def test_num_and_count_refuse_what_is_not_a_finite_number():
    from auditor.audit_tree import count, num

    assert num(1) == 1.0 and num(0.5) == 0.5
    assert num(True) is None and num("1") is None and num(float("nan")) is None
    assert num(float("inf")) is None and num(None) is None
    assert count(3) == 3 and count(True) is None and count(3.0) is None


def test_wilson_interval_edges():
    lo, hi = wilson_interval(0, 20)
    assert lo == 0.0 and 0 < hi < 0.2  # never zero width at a rate of 0
    lo, hi = wilson_interval(20, 20)
    assert 0.8 < lo < 1 and hi == 1.0
    assert all(x != x for x in wilson_interval(0, 0))  # no rows: undefined (nan)
