"""Permutation importance for models without gradients: scikit-learn's permutation_importance
with one multi-metric scorer (all rows and every sensitive group)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance

from auditor.checks.permutation import ALL_ROWS, _by_group, _Fitted, _group_masks, _scorer


def _context(weights: np.ndarray) -> SimpleNamespace:
    """A stand-in for AuditContext.logits: a linear two-class model on the inputs."""

    def logits(_model: object, x: np.ndarray) -> np.ndarray:
        score = x @ weights
        return np.stack([-score, score], axis=1)

    return SimpleNamespace(logits=logits, finetuned=object())


def _data(n: int = 400) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    y = (x[:, 0] + 0.3 * rng.normal(size=n) > 0).astype(np.int64)
    sensitive = pd.DataFrame({"sex": rng.choice(["F", "M"], size=n),
                              "band": rng.choice(["a", "b", "c"], size=n)})  # fmt: skip
    return x, y, sensitive


def _importance(weights: np.ndarray) -> tuple[dict, dict, dict, pd.DataFrame]:
    x, y, sensitive = _data()
    ctx, masks = _context(weights), _group_masks(sensitive)
    scorer = _scorer(ctx, masks)
    result = permutation_importance(_Fitted(), x, y, scoring=scorer, n_repeats=5,
                                    random_state=0)  # fmt: skip
    return result, masks, scorer(None, x, y), sensitive


def test_only_the_used_column_matters():
    result, _, base, _ = _importance(np.array([1.0, 0.0, 0.0], dtype=np.float32))
    drops = result[ALL_ROWS].importances_mean
    assert drops[0] > 0.3  # shuffling the one input the model reads costs accuracy
    assert drops[1] == 0.0 and drops[2] == 0.0  # the others change no prediction
    assert 0.8 < base[ALL_ROWS] < 1.0


def test_group_drops_add_up_to_the_overall_drop():
    # accuracy is a mean over rows, so for each sensitive feature (a partition of the rows)
    # the n-weighted group drops equal the overall drop of the same permutations
    result, masks, _, sensitive = _importance(np.array([1.0, 0.5, 0.0], dtype=np.float32))
    overall = result[ALL_ROWS].importances_mean
    for i in range(sensitive.shape[1]):
        keys = [k for k in masks if k.startswith(f"{i}/")]
        weighted = sum(masks[k].sum() * result[k].importances_mean for k in keys)
        np.testing.assert_allclose(weighted / len(sensitive), overall, atol=1e-12)


def test_small_groups_are_flagged_and_not_ranked():
    result, masks, base, sensitive = _importance(np.array([1.0, 0.0, 0.0], dtype=np.float32))
    groups = _by_group(sensitive, masks, result, base, ["a", "b", "c"], min_n=250)
    sizes = {g.group: g for g in groups["band"]}
    assert all(g.insufficient_data and not g.top_features for g in sizes.values())  # ~133 rows each
    sex = _by_group(sensitive, masks, result, base, ["a", "b", "c"], min_n=30)["sex"]
    assert all(not g.insufficient_data and g.top_features[0].feature == "a" for g in sex)
    assert sum(g.n for g in sex) == len(sensitive)


def test_a_group_lists_only_columns_whose_shuffling_lowers_its_accuracy():
    """A group's top columns listed b and c at a drop of 0.000 (and, in a supplied model's
    audit, one at -0.005) as among those whose shuffling lowers its accuracy most."""
    result, masks, base, sensitive = _importance(np.array([1.0, 0.0, 0.0], dtype=np.float32))
    for groups in _by_group(sensitive, masks, result, base, ["a", "b", "c"], min_n=30).values():
        for g in groups:
            assert [t.feature for t in g.top_features] == ["a"], g
            assert all(t.accuracy_drop_mean > 0 for t in g.top_features)


class ManyApartIsNaN:
    """Probabilities from c0; NaN where any of c0..c24 lies apart from c0 (no row as given)."""

    def predict_proba(self, x):
        x = np.asarray(x, dtype=float)
        p = 1 / (1 + np.exp(-3 * x[:, 0]))
        p = np.where((np.abs(x[:, :25] - x[:, :1]) > 1).any(axis=1), np.nan, p)
        return np.c_[1 - p, p]


def test_columns_left_out_are_named_up_to_a_cap_then_counted():
    """Every column left out was named, in the reason ('Left out:' in the card) and in the
    checklist evidence: a 5,000-column table printed 5,000 names. The first ten are named,
    the rest counted."""
    import auditor
    from auditor.checks.perturbed import NAMED_COLUMNS

    rng = np.random.default_rng(0)
    base = rng.normal(size=600)
    frame = pd.DataFrame({f"c{i}": base + rng.normal(scale=0.05, size=600) for i in range(25)})
    frame["g"] = rng.choice([0, 1], size=600)
    frame["label"] = (base > 0).astype(int)
    result = auditor.audit_model(ManyApartIsNaN(), data=frame, target="label", sensitive=["g"],
                                 features=[*(f"c{i}" for i in range(25)), "g"],
                                 progress=False)  # fmt: skip
    section = result.data["explanations"]
    assert len(section["not_finite_columns"]) == 25  # audit.json keeps every name
    shown = ", ".join(f"'c{i}'" for i in range(NAMED_COLUMNS))
    assert section["not_finite_reason"].endswith(
        f"the importance of {shown} and {25 - NAMED_COLUMNS} more is undefined for this model")
    item = next(i for i in result.data["transparency"]["items"] if i["id"] == "explanations")
    names = ", ".join(f"c{i}" for i in range(NAMED_COLUMNS))
    assert item["evidence"].endswith(
        f"left out 25 column(s), outputs not finite: {names} and {25 - NAMED_COLUMNS} more")


def test_one_repeat_has_no_spread_rather_than_a_spread_of_zero():
    """transparency.reliance_repeats = 1: each column's drop showed 'Std 0.0000', a spread of
    one number; it is undefined (null in audit.json), the drops themselves stand."""
    from sklearn.linear_model import LogisticRegression

    import auditor
    from auditor.config import AuditConfig, PrivacyConfig, TransparencyConfig

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x1": rng.normal(size=600), "x2": rng.normal(size=600),
                          "g": rng.choice([0, 1], 600)})  # fmt: skip
    frame["y"] = (frame.x1 > 0).astype(int)
    model = LogisticRegression().fit(frame[["x1", "x2", "g"]], frame.y)
    for repeats, spread in ((1, False), (2, True)):
        config = AuditConfig(transparency=TransparencyConfig(reliance_repeats=repeats),
                             privacy=PrivacyConfig(enabled=False))  # fmt: skip
        result = auditor.audit_model(model, data=frame, target="y", sensitive=["g"],
                                     features=["x1", "x2", "g"], config=config,
                                     progress=False)  # fmt: skip
        top = result.data["explanations"]["feature_importance"][0]
        assert top["feature"] == "x1" and top["accuracy_drop_mean"] > 0.3
        std = top["accuracy_drop_std"]  # NaN here, null in audit.json
        assert (std is not None and np.isfinite(std)) == spread, (repeats, top)
