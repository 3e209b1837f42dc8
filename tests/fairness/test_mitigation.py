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
