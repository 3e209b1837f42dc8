"""The rows a group's ROC AUC rests on: its positives and its negatives (an AUC of 3
positives says so beside its interval, in the cards and summary.md). audit.json's scores
section records each group's n; its fairness section records the class counts (a group's
recall is over its positives, its FPR over its negatives)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def score_classes(part: Mapping[str, Any], fname: str) -> dict[str, tuple[int, int]]:
    """Each scored group of feature ``fname`` (label -> (positives, negatives)): the rows its
    ROC AUC ranks against each other, read from its fairness group's recall and FPR counts
    where both sections count the same rows (same n, n = positives + negatives) of the same
    positive class; a group they do not agree on is left out (no counts shown)."""
    scores = part["scores"]
    if str(part.get("positive_class")) != str(scores.get("positive_class")):
        return {}
    groups = {str(g["group"]): g for g in part["features"][fname]["groups"]}
    out = {}
    for s in scores["features"][fname]:
        g = groups.get(str(s["group"])) or {}
        metrics = g.get("metrics") or {}
        pos, neg = (metrics.get("recall") or {}).get("n"), (metrics.get("fpr") or {}).get("n")
        if isinstance(pos, int) and isinstance(neg, int) and g["n"] == s["n"] == pos + neg:
            out[str(s["group"])] = (pos, neg)
    return out


def classes_text(classes: tuple[int, int] | None) -> str:
    """'57 positives, 1 negative' ('' for None)."""
    if classes is None:
        return ""
    pos, neg = classes
    return f"{pos:,} positive{'s' * (pos != 1)}, {neg:,} negative{'s' * (neg != 1)}"


def auc_counts(part: Mapping[str, Any]) -> dict[int, str]:
    """Every scored group's ROC AUC node of the fairness section ``part`` (by ``id``) -> its
    :func:`classes_text`; {} where the scores did not run."""
    scores = part.get("scores") or {}
    if part.get("status") != "ok" or scores.get("status") != "ok":
        return {}
    out = {}
    for fname, groups in scores["features"].items():
        if fname not in (part.get("features") or {}):
            continue
        classes = score_classes(part, fname)
        for g in groups:
            if str(g["group"]) in classes:
                out[id(g["roc_auc"])] = classes_text(classes[str(g["group"])])
    return out
