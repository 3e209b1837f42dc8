"""Exact numbers on the streaming path (issue 11 item 6) and which outcome is favourable
(item 5): log loss and ROC AUC equal scikit-learn's on files built to break approximations;
per-group ROC AUC and log loss equal scikit-learn's per group; text labels need
--positive-label; a declared unfavourable positive class makes the most-flagged group the
worst off."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from auditor.config import AuditConfig, FairnessConfig
from auditor.errors import AuditorInputError
from auditor.predictions.audit import fairness_section, performance_from_counts
from auditor.predictions.read import TEXT_LABELS, Columns, reduce_predictions

COLS = Columns("y", "yhat", "p", ("g",))


def _write(tmp_path, frame: pd.DataFrame, name: str = "f.parquet"):
    path = tmp_path / name
    frame.to_parquet(path)
    return path


def _saturated(n: int = 4000, seed: int = 0) -> pd.DataFrame:
    """Scores of exactly 0.0 and 1.0 (some of them wrong) and tiny scores spanning ~1e-5."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    p = rng.random(n) * 1e-5 + np.where(y == 1, 2e-6, 0.0) * rng.random(n)
    edge = rng.random(n) < 0.05
    p[edge] = rng.choice([0.0, 1.0], edge.sum())
    p[:50] = np.round(p[:50], 7)  # ties
    return pd.DataFrame({"y": y, "yhat": (p > 5e-6).astype(int), "p": p,
                         "g": rng.choice(["a", "b", "c"], n)})  # fmt: skip


@pytest.mark.parametrize("batch_rows", [333, 1_000_000])
def test_log_loss_and_roc_auc_equal_sklearn_on_saturated_and_tiny_scores(tmp_path, batch_rows):
    frame = _saturated()
    pc = reduce_predictions(_write(tmp_path, frame), COLS, batch_rows=batch_rows)
    perf = performance_from_counts(pc)
    assert perf["log_loss"] == pytest.approx(skm.log_loss(frame.y, frame.p), rel=1e-12)
    assert perf["roc_auc"] == pytest.approx(skm.roc_auc_score(frame.y, frame.p), abs=1e-12)
    assert perf["brier"] == pytest.approx(skm.brier_score_loss(frame.y, frame.p), rel=1e-12)


def test_per_group_score_metrics_equal_sklearn_and_hold_their_estimates(tmp_path):
    frame = _saturated(seed=3)
    pc = reduce_predictions(_write(tmp_path, frame), COLS, batch_rows=1000)
    config = AuditConfig(fairness=FairnessConfig(intersections="none", min_group_size=1))
    section = fairness_section(pc, path=tmp_path / "f.parquet", cols=COLS, config=config, seed=0)
    rows = section["scores"]["features"]["g"]
    assert [r["group"] for r in rows] == ["a", "b", "c"]
    for r in rows:
        part = frame[frame.g == r["group"]]
        assert r["roc_auc"]["value"] == pytest.approx(skm.roc_auc_score(part.y, part.p), abs=1e-12)
        assert r["log_loss"]["value"] == pytest.approx(skm.log_loss(part.y, part.p), rel=1e-12)
        for name in ("roc_auc", "log_loss", "ece"):
            e = r[name]
            assert e["ci_low"] <= e["value"] <= e["ci_high"] and e["n"] == len(part)
            assert e["ci_high"] > e["ci_low"]


def test_text_labels_without_positive_label_are_refused_naming_them(tmp_path):
    frame = _saturated().assign(y=lambda f: np.where(f.y == 1, "yes", "no"),
                                yhat=lambda f: np.where(f.yhat == 1, "yes", "no"))  # fmt: skip
    path = _write(tmp_path, frame)
    with pytest.raises(AuditorInputError) as err:
        reduce_predictions(path, COLS)
    assert TEXT_LABELS.format(labels="'no', 'yes'") in str(err.value)
    assert err.value.field == "--positive-label"
    assert reduce_predictions(path, COLS, positive_label="yes").positive == 1


def _recidivism(seed: int = 0) -> pd.DataFrame:
    """A risk flag (positive = "high", which harms the person) flagged most often in group
    B; group D is flagged even more but has too few rows to be compared."""
    rng = np.random.default_rng(seed)
    rates = {"A": (0.3, 0.2), "B": (0.3, 0.45), "C": (0.3, 0.1), "D": (0.3, 0.9)}
    sizes = {"A": 2000, "B": 1500, "C": 1800, "D": 12}
    parts = []
    for g, (base, flag) in rates.items():
        n = sizes[g]
        y = rng.random(n) < base
        # flagged more often in every true class: TPR and FPR both follow the group's rate
        pred = rng.random(n) < np.where(y, min(1.0, flag + 0.4), flag)
        parts.append(pd.DataFrame({"reoffended": np.where(y, "high", "low"),
                                   "flag": np.where(pred, "high", "low"), "group": g}))  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def test_worst_off_is_the_most_flagged_group_when_the_flag_is_unfavourable(tmp_path):
    frame = _recidivism()
    path = _write(tmp_path, frame, "risk.parquet")
    cols = Columns("reoffended", "flag", None, ("group",))
    pc = reduce_predictions(path, cols, positive_label="high")
    flagged = (
        frame[frame.group != "D"].groupby("group")["flag"].apply(lambda s: (s == "high").mean())
    )
    most, least = flagged.idxmax(), flagged.idxmin()
    assert most == "B"
    for favourable, worst in (("low", most), (None, least)):
        cfg = FairnessConfig(intersections="none", favourable_label=favourable)
        section = fairness_section(pc, path=path, cols=cols, config=AuditConfig(fairness=cfg),
                                   seed=0)  # fmt: skip
        assert section["positive_class"] == "high"
        assert section["positive_favourable"] is (favourable is None)
        dp = section["features"]["group"]["disparities"]["demographic_parity_difference"]
        assert dp["between_groups"]["worst_group"] == worst
        assert "D" in dp["between_groups"]["excluded_groups"]


def test_an_unknown_favourable_label_is_refused(tmp_path):
    path = _write(tmp_path, _recidivism(), "risk.parquet")
    cols = Columns("reoffended", "flag", None, ("group",))
    pc = reduce_predictions(path, cols, positive_label="high")
    cfg = AuditConfig(fairness=FairnessConfig(favourable_label="medium"))
    with pytest.raises(AuditorInputError, match="favourable label 'medium' is not a class"):
        fairness_section(pc, path=path, cols=cols, config=cfg, seed=0)


def test_the_command_prints_the_positive_class_and_refuses_text_labels_without_it(tmp_path):
    from typer.testing import CliRunner

    from auditor.cli import app

    path = _write(tmp_path, _recidivism(), "risk.parquet")
    base = ["audit", "-p", str(path), "--sensitive", "group", "--y-true", "reoffended",
            "--y-pred", "flag", "--exit-zero"]  # fmt: skip
    refused = CliRunner().invoke(app, [*base, "-o", str(tmp_path / "a")])
    assert refused.exit_code == 2 and "'high', 'low'" in refused.output
    done = CliRunner().invoke(app, [*base, "-o", str(tmp_path / "b"), "--positive-label", "high",
                                    "--favourable-label", "low"])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "Positive class: high (unfavourable)" in done.output
    assert "worst-off B" in done.output
