"""model_card.md says why a number has no interval: a group of one true class printed its
log loss as '0.086 [—, —]' and its undefined ROC AUC as '— [—, —]', where audit.json records
the reason (the HTML card has it as the cell's title)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import auditor
from auditor.report.escape import md_escape
from auditor.report.markdown import render_markdown


def _one_class_group(column: str) -> tuple[dict, dict]:
    """A scored predictions audit whose group "c" (40 rows) holds positives only, and that
    group's score record."""
    rng = np.random.default_rng(0)
    rows = pd.DataFrame({column: np.repeat(["a", "b", "c"], [200, 200, 40])})
    rows["y_true"] = np.where(rows[column] == "c", 1, rng.integers(0, 2, len(rows)))
    rows["p"] = np.clip(0.3 + 0.4 * rows.y_true + rng.normal(0, 0.2, len(rows)), 0.01, 0.99)
    rows["y_pred"] = (rows.p >= 0.5).astype(int)
    audit = auditor.audit_predictions(rows, y_true="y_true", y_pred="y_pred", y_score="p",
                                      sensitive=column).data  # fmt: skip
    (c,) = [g for g in audit["fairness"]["scores"]["features"][column] if g["group"] == "c"]
    return audit, c


def test_a_missing_interval_gives_its_reason():
    audit, c = _one_class_group("zone")
    assert c["log_loss"]["reason"] and c["roc_auc"]["reason"]  # no interval, and why
    md = render_markdown(audit)
    assert "[—, —]" not in md and "[—" not in md
    rows = [line for line in md.splitlines() if line.startswith("| c | 40 | ")]
    scores = [r for r in rows if "(one true class only" in r]  # the log loss's reason
    assert len(rows) == 3 and len(scores) == 1 and "| — (" in scores[0]  # no ROC AUC, and why


def test_a_feature_named_group_keeps_its_texts_whole():
    """A sensitive column named 'group' (a label key of the card's display copy) had every
    text under it cut to the label length: its reasons read 'losses are…seen'."""
    audit, c = _one_class_group("group")
    reason = c["log_loss"]["reason"]
    assert len(reason) > 60 and "…" not in reason
    assert md_escape(reason) in render_markdown(audit)
