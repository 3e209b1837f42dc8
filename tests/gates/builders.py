"""Small audits built by hand for the gates, audit_tree, diff and report tests: every shape a
reader meets (estimate nodes, plain numbers beside counts, status nodes, sections not run)."""

from __future__ import annotations

from typing import Any


def node(value: float | None, lo: float | None, hi: float | None, n: int = 500, **extra: Any):
    """An estimate node ``{value, ci_low, ci_high, n}`` (plus context fields)."""
    return {"value": value, "ci_low": lo, "ci_high": hi, "n": n, **extra}


def rate_at_fpr(tpr: float, lo: float, hi: float, *, members: int = 266, resolvable: bool = True):
    """A privacy TPR-at-fixed-FPR estimate node, as the privacy section writes it."""
    return node(tpr, lo, hi, members, fpr=0.0075, tp=round(tpr * members), fp=2,
                n_non_members=members, threshold=-0.5, resolvable=resolvable)  # fmt: skip


def privacy_section(auc: float = 0.55, tpr: float = 0.02) -> dict[str, Any]:
    """A privacy section with one attack: AUC and TPR at 1% / 0.1% FPR as estimate nodes."""
    return {
        "status": "ok",
        "fpr_levels": [0.01, 0.001],
        "attacks": {
            "loss": {
                "auc": node(auc, auc - 0.05, auc + 0.05, 532),
                "tpr_at_fpr": {
                    "0.01": rate_at_fpr(tpr, tpr / 2, tpr * 2),
                    "0.001": rate_at_fpr(0.0, 0.0, 0.01, resolvable=False),
                },
            }
        },
        "canaries": {"epsilon_lower_bound": 0.7, "epsilon_ceiling": 2.5},
    }


def make_audit(**sections: Any) -> dict[str, Any]:
    audit = {
        "run": {"name": "t", "scenario": "table", "created_at": "2026-01-01T00:00:00+00:00",
                "seed": 0},
        "tool": {"version": "0.1.0"},
        "performance": {
            "status": "ok",
            "finetuned": {
                "test": {
                    "n": 400, "n_correct": 360, "accuracy": 0.9, "ece": 0.05, "roc_auc": None,
                    "undefined": {"roc_auc": "only one class in y_true"},
                },
            },
        },
        "fairness": {
            "status": "ok",
            "features": {
                "sex": {
                    "disparities": {
                        "demographic_parity_difference": node(0.12, 0.08, 0.16, worst_group="F"),
                        "equalized_odds_difference": node(0.30, 0.18, 0.42, worst_group="M"),
                    },
                    "groups": [
                        {"group": "F", "n": 250, "status": "ok",
                         "metrics": {"tpr": node(0.7, 0.6, 0.8, 250)}},
                        {"group": "M", "n": 12, "status": "insufficient_data",
                         "metrics": {"tpr": node(0.5, 0.2, 0.8, 12)}},
                    ],
                },
                "age band": {"disparities": {"equalized_odds_difference": node(0.05, 0.01, 0.09)}},
            },
        },
        "privacy": {"status": "not_run", "reason": "disabled in config"},
        "transparency": {
            "status": "ok",
            "items": [
                {"id": "split_disjointness", "kind": "automatic", "status": "met"},
                {"id": "intended_use", "kind": "declared", "status": "missing"},
                {"id": "license", "kind": "declared", "status": "met"},
            ],
        },
    }  # fmt: skip
    audit.update(sections)
    return audit
