"""A score column for the other class (``y_score`` = P(0) where the audit's positive class is
1, as a pipeline exporting ``predict_proba(x)[:, 0]`` writes it): refused where y_pred is
better than chance and the scores clearly worse (the two disagree: the card would show a
wrong ROC AUC), noted where the evidence is thin; a multi-class file says what it audits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from auditor.api import audit_predictions
from auditor.cli import app
from auditor.errors import AuditorInputError

KW = {"y_true": "y", "y_pred": "pred", "y_score": "score", "sensitive": ["g"]}


def _frame(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p = rng.random(n)
    y = (rng.random(n) < p).astype(int)
    return pd.DataFrame({"y": y, "pred": (p > 0.5).astype(int), "score": p,
                         "g": rng.choice(["a", "b"], n)})  # fmt: skip


def test_the_other_classes_score_is_refused_and_says_how_to_fix_it(tmp_path):
    frame = _frame(2000).assign(score=lambda f: 1 - f["score"])
    path = tmp_path / "p.csv"
    frame.to_csv(path, index=False)
    args = ["audit", "-p", str(path), "--y-true", "y", "--y-pred", "pred", "--y-score", "score",
            "--sensitive", "g", "--out", str(tmp_path / "run")]  # fmt: skip
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 2 and not (tmp_path / "run").exists()
    line = refused.output.strip()
    assert line.startswith(f"auditor: error: {path}: score: y_score ranks the classes backwards")
    assert "the probability of '0', not of the positive class '1'" in line
    assert "--positive-label" in line and "\n" not in line
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(frame, **KW)
    assert "positive_label=" in str(err.value) and err.value.field == "score"
    named = CliRunner().invoke(app, [*args, "--positive-label", "0", "--exit-zero"])
    assert named.exit_code == 0, named.output  # the score is P(0): class 0 is the positive one
    flipped = audit_predictions(frame.assign(score=1 - frame["score"]), **KW)
    assert flipped.data["performance"]["finetuned"]["test"]["roc_auc"] > 0.8


def test_a_model_worse_than_chance_in_labels_and_scores_is_audited_and_noted():
    """y_pred and y_score agree (both backwards): a bad model, not a wrong column."""
    frame = _frame(2000, seed=1)
    frame["score"] = 1 - frame["score"]
    frame["pred"] = (frame["score"] > 0.5).astype(int)
    data = audit_predictions(frame, **KW).data
    auc = data["performance"]["finetuned"]["test"]["roc_auc"]
    assert auc < 0.3
    assert f"ROC AUC {auc:.3f} is below 0.5: y_score ranks class '0' above the positive class " \
        "'1' more often than not" in data["data"]["description"]


def test_a_small_file_with_the_other_classes_score_is_noted_not_refused():
    """40 rows: the intervals are too wide to call it; the card says the AUC is below 0.5."""
    frame = _frame(40, seed=2).assign(score=lambda f: 1 - f["score"])
    data = audit_predictions(frame, **KW).data
    assert "is below 0.5: y_score ranks class '0'" in data["data"]["description"]


def test_a_good_model_is_never_refused_or_noted():
    data = audit_predictions(_frame(3000, seed=3), **KW).data
    assert "below 0.5" not in data["data"]["description"]


def test_a_multi_class_file_says_it_is_audited_class_against_the_rest(tmp_path):
    rng = np.random.default_rng(4)
    k = rng.integers(0, 3, 600)
    frame = pd.DataFrame({"y": k, "pred": np.where(rng.random(600) < 0.7, k, 2),
                          "g": rng.choice(["a", "b"], 600)})  # fmt: skip
    path = tmp_path / "m.csv"
    frame.to_csv(path, index=False)
    base = ["audit", "-p", str(path), "--y-true", "y", "--y-pred", "pred", "--sensitive", "g",
            "--out", str(tmp_path / "run"), "--exit-zero"]  # fmt: skip
    result = CliRunner().invoke(app, base)
    assert result.exit_code == 0
    assert "Note: 3 classes: a multi-class audit, each class against the rest" in result.output
    frame["score"] = rng.random(600)
    frame.to_csv(path, index=False)
    refused = CliRunner().invoke(app, [*base, "--y-score", "score"])
    assert refused.exit_code == 2 and refused.output.strip().endswith(
        "score: y_score is for binary targets only, and y holds 3 classes (0, 1, 2); audit the "
        "labels without --y-score (each class against the rest)")  # fmt: skip


def test_the_refusal_is_rare_by_chance_and_sure_for_a_swapped_column():
    """Simulation: a score unrelated to the labels (true AUC 0.5) beside a good y_pred, 400
    files of 100-2,000 rows: refused by chance in at most 1% (its interval misses 0.5 with
    probability 0.05%); the same files with the good score swapped (P(0)): always refused."""
    from types import SimpleNamespace

    from auditor.fairness.counts import CountsTable
    from auditor.predictions.labels import check_score_class
    from auditor.predictions.source import Columns

    rng = np.random.default_rng(24)
    cols = Columns(y_score="score", sensitive=("g",))
    chance = swapped = 0
    for n in rng.integers(100, 2001, 400):
        y = rng.integers(0, 2, n)
        p = np.clip(y * 0.4 + rng.random(n) * 0.6, 0, 1)  # a good score
        pred = (p > 0.5).astype(int)
        cm = np.zeros((1, 2, 2), np.int64)
        np.add.at(cm, (0, y, pred), 1)
        table = CountsTable(features=("g",), group_labels=(("all",),), classes=(0, 1),
                            class_names=("0", "1"), counts=cm)  # fmt: skip
        for score, swap in ((rng.random(n), False), (1 - p, True)):
            ranks = np.argsort(np.argsort(score)) + 1  # continuous scores: no ties
            auc = (ranks[y == 1].sum() - y.sum() * (y.sum() + 1) / 2) / (y.sum() * (n - y.sum()))
            try:
                check_score_class(table, 1, SimpleNamespace(roc_auc=auc), cols, "f.csv")
            except AuditorInputError:
                chance, swapped = chance + (not swap), swapped + swap
    assert chance <= 4 and swapped == 400
