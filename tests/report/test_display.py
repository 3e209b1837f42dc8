"""The cards' display copy of an audit (auditor.report.display): labels cut, the rest whole."""

from __future__ import annotations

from auditor.gates.names import LABEL_MAX
from auditor.report.display import for_display

LONG = "x" * (LABEL_MAX + 50)


def _audit(feature: str) -> dict:
    return {"fairness": {
        "features": {feature: {"disparities": {"d": {"between_groups": {
            "status": "insufficient_data", "reason": LONG, "pair": [LONG, "b"]}}}}},
        "threshold": {"left_out": {feature: [LONG]}},
    }}  # fmt: skip


def test_a_feature_named_left_out_keeps_its_texts_whole():
    """A sensitive feature named 'left_out' (the key of the threshold section's feature ->
    labels mapping) had every text under it cut to the label length, its reasons too."""
    shown = for_display(_audit("left_out"))["fairness"]
    gap = shown["features"]["left_out"]["disparities"]["d"]["between_groups"]
    assert gap["reason"] == LONG  # a reason, not a label
    assert "…" in gap["pair"][0]  # a label: cut
    assert shown["threshold"]["left_out"]["left_out"][0] != LONG


def test_left_out_labels_are_cut_whatever_the_features_name():
    shown = for_display(_audit("sex"))["fairness"]
    assert shown["threshold"]["left_out"]["sex"][0] != LONG
    assert shown["features"]["sex"]["disparities"]["d"]["between_groups"]["reason"] == LONG
