"""The decision threshold and the per-group sweep (issue 14 item 4): the sweep at 0.5 equals
the fairness section's per-group selection rate / TPR / FPR of the argmax predictions, every
point equals a count over the rows, and a predictions file gets the same sweep (streamed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditor.checks.fairness import NO_SWEEP, fairness_section
from auditor.config import AuditConfig, FairnessConfig
from auditor.fairness.scores import CellSums, add_cells
from auditor.fairness.threshold import GRID, threshold_sweep
from auditor.predictions import audit as pred_audit
from auditor.predictions.read import Columns, reduce_predictions
from auditor.results import NotRun

CFG = FairnessConfig(intersections="none", min_group_size=30, mitigation_preview=False)


def _rows(n: int = 3000, seed: int = 0) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """y: (n,) 0/1; logits: (n, 2); sensitive: columns g (a, b, c; c tiny) and h."""
    rng = np.random.default_rng(seed)
    g = rng.choice(["a", "b", "c"], n, p=[0.555, 0.44, 0.005])
    y = (rng.random(n) < np.where(g == "a", 0.3, 0.6)).astype(np.int64)
    z = 1.5 * y - 0.7 + 0.4 * (g == "b") + rng.normal(0, 1, n)
    logits = np.stack([np.zeros(n), z], axis=1)
    return y, logits, pd.DataFrame({"g": g, "h": rng.choice(["x", "y"], n)})


def _section(y: np.ndarray, logits: np.ndarray, sensitive: pd.DataFrame, *, binary: bool = True):
    z = logits - logits.max(axis=1, keepdims=True)
    proba = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return fairness_section(
        y_true=y, y_pred=logits.argmax(axis=1), y_score=proba[:, 1] if binary else None,
        sensitive=sensitive, class_names=["neg", "pos"], positive=1, cfg=CFG, seed=0,
        kinds={}, source="test split", features=["g", "h"], stage="finetuned", split="test",
        mitigation=NotRun(reason="off"),
    )  # fmt: skip


def test_the_sweep_at_one_half_equals_the_sections_per_group_rates():
    section = _section(*_rows())
    at = GRID.index(0.5)
    assert section.threshold.value == 0.5 and section.threshold.positive_class == "pos"
    sweep = section.threshold_sweep
    assert sweep.grid[at] == 0.5
    for feature in ("g", "h"):
        groups = {g.group: g for g in section.features[feature].groups}
        assert sweep.features[feature], feature
        for curve in sweep.features[feature]:
            metrics = groups[curve.group].metrics
            assert curve.n == groups[curve.group].n
            assert curve.selection_rate[at] == pytest.approx(metrics["selection_rate"].value)
            assert curve.tpr[at] == pytest.approx(metrics["recall"].value)
            assert curve.fpr[at] == pytest.approx(metrics["fpr"].value)
    assert sweep.left_out == {"g": ["c"], "h": []}


def test_every_point_of_the_sweep_counts_the_rows_at_or_above_the_threshold():
    rng = np.random.default_rng(1)
    n = 2000
    score = np.round(rng.random(n), 2)  # ties on the grid itself
    y = rng.integers(0, 2, n)
    g = rng.choice(["a", "b"], n)
    cells: CellSums = {}
    add_cells(cells, score, y, [g])
    sweep = threshold_sweep(cells, features=["g"], positive=1, positive_name="1",
                            min_group_size=1)  # fmt: skip
    for curve in sweep.features["g"]:
        rows = g == curve.group
        for i, t in enumerate(sweep.grid):
            hit = score[rows] >= t
            assert curve.selection_rate[i] == pytest.approx(hit.mean(), abs=1e-12)
            assert curve.tpr[i] == pytest.approx(hit[y[rows] == 1].mean(), abs=1e-12)
            assert curve.fpr[i] == pytest.approx(hit[y[rows] == 0].mean(), abs=1e-12)
        assert curve.selection_rate == sorted(curve.selection_rate, reverse=True)


def test_no_score_means_no_sweep_and_a_multiclass_rule_has_no_value():
    section = _section(*_rows(), binary=False)
    assert section.threshold_sweep == NotRun(reason=NO_SWEEP)


def _file(tmp_path, n: int = 4000):
    y, logits, sensitive = _rows(n, seed=2)
    p = 1 / (1 + np.exp(-logits[:, 1]))
    frame = pd.DataFrame({"y": y, "yhat": (p >= 0.5).astype(int), "p": p, "g": sensitive.g})
    path = tmp_path / "preds.csv"
    frame.to_csv(path, index=False)
    return path, Columns("y", "yhat", "p", ("g",))


def test_a_predictions_file_gets_the_sweep_and_a_preview_fitted_on_one_half(tmp_path):
    path, cols = _file(tmp_path)
    pc = reduce_predictions(path, cols, batch_rows=700)
    config = AuditConfig(fairness=CFG.model_copy(update={"mitigation_preview": True}))
    section = pred_audit.fairness_section(pc, path=path, cols=cols, config=config, seed=5)
    assert section["threshold"]["value"] is None
    at = GRID.index(0.5)
    groups = {g["group"]: g for g in section["features"]["g"]["groups"]}
    for curve in section["threshold_sweep"]["features"]["g"]:
        assert curve["selection_rate"][at] == pytest.approx(
            groups[curve["group"]]["metrics"]["selection_rate"]["value"]
        )
    mit = section["mitigation"]
    assert mit["status"] == "ok" and "no validation split" in mit["note"]
    preview = mit["features"]["g"]
    assert preview["fitted_on"].startswith("half A: 2,000 of the 4,000 rows")
    assert "fairness/mitigation/split" in preview["fitted_on"]
    assert preview["evaluated_on"] == "half B: the other 2,000 rows"
    assert preview["before"]["accuracy"]["n"] == 2000
    assert preview["constraints"]["demographic_parity"]["status"] == "ok"
    again = pred_audit.fairness_section(pc, path=path, cols=cols, config=config, seed=5)
    assert again["mitigation"] == mit  # the halves come from the seed's named stream


def test_a_file_too_large_for_the_preview_says_so(tmp_path, monkeypatch):
    path, cols = _file(tmp_path, n=500)
    pc = reduce_predictions(path, cols)
    monkeypatch.setattr(pred_audit, "PREVIEW_MAX_ROWS", 100)
    config = AuditConfig(fairness=CFG.model_copy(update={"mitigation_preview": True}))
    section = pred_audit.fairness_section(pc, path=path, cols=cols, config=config, seed=0)
    assert section["mitigation"] == {
        "status": "not_run",
        "reason": pred_audit.PREVIEW_TOO_MANY.format(n=500, max_rows=100),
    }
    assert section["threshold_sweep"]["status"] == "ok"  # streamed: no size limit


def test_the_chart_draws_each_group_in_each_panel_apart_without_colour():
    from auditor.report.plots import threshold_sweep_svg

    sweep = _section(*_rows()).threshold_sweep
    curves = [
        {
            "group": "<b>&",
            "n": 40,
            "selection_rate": [0.9, 0.5],
            "tpr": [1.0, None],
            "fpr": [0.8, 0.1],
        },
        {"group": "b", "n": 50, "selection_rate": [0.8, 0.4], "tpr": [0.9, 0.6], "fpr": [0.7, 0.2]},
    ]
    svg = str(threshold_sweep_svg([0.3, 0.6], curves, title="t", marked=0.5))
    assert svg.count('<polyline class="g0"') == 3 and svg.count('<polyline class="g1"') == 3
    assert "&lt;b&gt;&amp;" in svg and "<b>" not in svg
    assert "svg.sweep .g0{" in svg and "stroke-dasharray:7 3" in svg  # the second group dashed
    assert 'class="ref"' in svg  # the threshold used
    real = str(threshold_sweep_svg(sweep.grid, [vars(c) for c in sweep.features["g"]], title="g"))
    assert real.count("<polyline") == 3 * len(sweep.features["g"])
