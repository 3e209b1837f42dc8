"""The ThresholdOptimizer preview."""

from __future__ import annotations

import numpy as np


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
    )
    before = out["before"]["equalized_odds_difference"]["value"]
    after = out["constraints"]["equalized_odds"]["after"]["equalized_odds_difference"]["value"]
    assert out["constraints"]["equalized_odds"]["status"] == "ok"
    assert after < before


def test_halves_preview_evaluates_on_the_half_the_named_stream_holds_out():
    import pandas as pd

    from auditor.fairness.mitigation import EVAL_HALF, SPLIT_STREAM, halves_preview
    from auditor.seeding import Rngs

    rng = np.random.default_rng(4)
    n = 1001
    g = rng.choice(["a", "b"], n)
    y = (rng.random(n) < np.where(g == "a", 0.3, 0.6)).astype(int)
    score = np.clip(0.35 * y + 0.25 * (g == "b") + 0.4 * rng.random(n), 0, 1)
    pred = (score > 0.5).astype(int)
    out = halves_preview(
        features=["g"],
        score=score,
        y=y,
        pred=pred,
        sensitive=pd.DataFrame({"g": g}),
        rngs=Rngs(7),
    )
    held = Rngs(7).numpy(SPLIT_STREAM).permutation(n)[n // 2 :]
    before = out["features"]["g"]["before"]["accuracy"]
    assert before["n"] == len(held) == 501
    assert before["value"] == np.mean(y[held] == pred[held])
    assert out["features"]["g"]["evaluated_on"] == EVAL_HALF.format(n=501)
    other = halves_preview(
        features=["g"],
        score=score,
        y=y,
        pred=pred,
        sensitive=pd.DataFrame({"g": g}),
        rngs=Rngs(8),
    )
    assert other["features"]["g"]["before"]["accuracy"]["value"] != before["value"]
