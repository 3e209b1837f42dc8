"""A multi-class estimator's tied probabilities stay tied: its AUC, log loss and Brier score
are scikit-learn's on the same ``predict_proba`` (they were rounded through float32 and
normalised again, which set two rows' tied probability of a class apart: AUC off by 2e-6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

from auditor.api import audit_model
from auditor.context import Predictions


def _rows(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    y = np.digitize(x[:, 0] + 0.5 * x[:, 1] + rng.normal(scale=0.8, size=n), [-0.7, 0.7])
    rows = pd.DataFrame(x, columns=list("abcd"))
    return rows.assign(y=y, sex=rng.choice(["f", "m"], n))


@pytest.mark.parametrize("trees", [3, 7])
def test_a_forests_scores_are_sklearns(trees):
    rows = _rows(3000, 0)
    train, test = rows.iloc[:2000], rows.iloc[2000:]
    forest = RandomForestClassifier(n_estimators=trees, max_depth=4, random_state=1)
    forest.fit(train[list("abcd")], train["y"])
    proba = forest.predict_proba(test[list("abcd")])
    assert len(np.unique(proba[:, 0])) < len(test) / 2  # many ties
    result = audit_model(forest, data=test, target="y", sensitive=["sex"],
                         features=list("abcd"), progress=False)  # fmt: skip
    got = result.data["performance"]["finetuned"]["test"]
    assert got["roc_auc"] == pytest.approx(roc_auc_score(test["y"], proba, multi_class="ovr"),
                                           abs=1e-12)  # fmt: skip
    assert got["log_loss"] == pytest.approx(log_loss(test["y"], proba), abs=1e-12)
    one_hot = np.eye(3)[test["y"]]
    brier = sum(brier_score_loss(one_hot[:, k], proba[:, k]) for k in range(3))  # sum over k
    assert got["brier"] == pytest.approx(brier, abs=1e-12)



@pytest.mark.parametrize("classes", [2, 3])
def test_a_probability_of_0_is_clipped_as_sklearn_clips_it(classes):
    """A grown forest gives some rows' true class a probability of 0: their loss was
    -log(1e-12), 27.6, where scikit-learn's log_loss clips to float64's eps, 36.0 (log loss
    1.11 against sklearn's 1.32)."""
    rows = _rows(1500, 2)
    rows["y"] = rows["y"] if classes == 3 else (rows["y"] == 2).astype(int)
    train, test = rows.iloc[:1000], rows.iloc[1000:]
    forest = RandomForestClassifier(n_estimators=5, random_state=0)
    forest.fit(train[list("abcd")], train["y"])
    proba = forest.predict_proba(test[list("abcd")])
    assert (proba[np.arange(len(test)), test["y"]] == 0).sum() >= 5
    result = audit_model(forest, data=test, target="y", sensitive=["sex"],
                         features=list("abcd"), progress=False)  # fmt: skip
    got = result.data["performance"]["finetuned"]["test"]["log_loss"]
    assert got == pytest.approx(log_loss(test["y"], proba), rel=1e-12)

def test_log_probabilities_are_read_as_they_are_and_logits_are_normalised():
    proba = np.array([[0.2, 0.3, 0.5], [0.2, 0.1, 0.7], [0.6, 0.3, 0.1]])
    read = Predictions("finetuned", "test", "t", ("0", "1", "2"), np.log(proba), np.zeros(3, int))
    assert read.proba[0, 0] == read.proba[1, 0]  # tied in, tied out
    np.testing.assert_allclose(read.proba, proba, rtol=1e-15)
    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], np.float32)
    soft = Predictions("finetuned", "test", "t", ("0", "1", "2"), logits, np.zeros(2, int))
    expected = np.exp(logits - logits.max(1, keepdims=True))
    np.testing.assert_allclose(soft.proba, expected / expected.sum(1, keepdims=True), rtol=1e-6)
