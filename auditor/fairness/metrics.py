"""Per-group metrics and disparities as functions of confusion counts.

Every function is vectorised over leading axes: ``counts`` is (..., G, K, K) (rows true,
columns predicted), so the same code computes point estimates (no leading axis) and B
bootstrap replicates (leading axis B). Definitions follow scikit-learn and fairlearn
(checked against them in tests to 1e-12); where a denominator is zero the value is NaN
(scikit-learn's ``zero_division=np.nan``), never a silent 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from auditor.config.labels import label_index
from auditor.errors import AuditorInputError

# name -> (what it is, higher_is_better, denominator: which count it divides by)
BINARY_METRICS: dict[str, tuple[str, bool, str]] = {
    "base_rate": ("share of rows whose true class is the positive class", True, "n"),
    "selection_rate": ("share of rows predicted positive", True, "n"),
    "precision": ("TP / (TP + FP)", True, "predicted_positive"),
    "recall": ("true positive rate, TP / (TP + FN)", True, "positive"),
    "fpr": ("false positive rate, FP / (FP + TN)", False, "negative"),
    "fnr": ("false negative rate, FN / (TP + FN)", False, "positive"),
    "f1": ("2 TP / (2 TP + FP + FN)", True, "f1_support"),
}
GLOBAL_METRICS: dict[str, tuple[str, bool, str]] = {
    "count": ("rows in the group", True, "n"),
    "accuracy": ("share of rows predicted correctly", True, "n"),
    "balanced_accuracy": ("mean recall over the classes present in the group", True, "n"),
}
UNDEFINED_REASON = {
    "n": "the group has no rows",
    "predicted_positive": "no row of the group is predicted positive",
    "positive": "the group has no positive rows",
    "negative": "the group has no negative rows",
    "f1_support": "the group has no positive rows and none predicted positive",
}


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1), np.nan)


@dataclass(frozen=True)
class MetricArrays:
    """values: name -> (..., G) floats; denominators: name -> (..., G) ints; numerators:
    name -> (..., G) ints for the metrics that are a share ``numerator / denominator`` (F1:
    TP over TP + FP + FN, which F1 is a monotone function of)."""

    values: dict[str, np.ndarray]
    denominators: dict[str, np.ndarray]
    numerators: dict[str, np.ndarray] = field(default_factory=dict)


def one_vs_rest(counts: np.ndarray, positive: int) -> dict[str, np.ndarray]:
    """TP, FP, FN, TN (..., G) of class ``positive`` against the rest."""
    counts = np.asarray(counts)
    tp = counts[..., positive, positive]
    row = counts[..., positive, :].sum(axis=-1)
    col = counts[..., :, positive].sum(axis=-1)
    n = counts.sum(axis=(-2, -1))
    fn, fp = row - tp, col - tp
    return {"tp": tp, "fp": fp, "fn": fn, "tn": n - tp - fp - fn}


def binary_metrics(counts: np.ndarray, positive: int, *, suffix: str = "") -> MetricArrays:
    """The one-vs-rest rates of class ``positive``, named ``<metric><suffix>``."""
    c = one_vs_rest(counts, positive)
    tp, fp, fn, tn = c["tp"], c["fp"], c["fn"], c["tn"]
    n = tp + fp + fn + tn
    dens = {
        "n": n,
        "predicted_positive": tp + fp,
        "positive": tp + fn,
        "negative": fp + tn,
        "f1_support": tp + fp + fn,
    }
    vals = {
        "base_rate": _div(tp + fn, n),
        "selection_rate": _div(tp + fp, n),
        "precision": _div(tp, tp + fp),
        "recall": _div(tp, tp + fn),
        "fpr": _div(fp, fp + tn),
        "fnr": _div(fn, tp + fn),
        "f1": _div(2 * tp, 2 * tp + fp + fn),
    }
    nums = {
        "base_rate": tp + fn,
        "selection_rate": tp + fp,
        "precision": tp,
        "recall": tp,
        "fpr": fp,
        "fnr": fn,
        "f1": tp,
    }
    return MetricArrays(
        {k + suffix: v for k, v in vals.items()},
        {k + suffix: dens[BINARY_METRICS[k][2]] for k in vals},
        {k + suffix: v for k, v in nums.items()},
    )


def global_metrics(counts: np.ndarray) -> MetricArrays:
    """count, accuracy, balanced accuracy (sklearn: mean recall over classes in y_true)."""
    counts = np.asarray(counts)
    n = counts.sum(axis=(-2, -1))
    diag = np.diagonal(counts, axis1=-2, axis2=-1)
    support = counts.sum(axis=-1)
    recall = _div(diag, support)
    present = support > 0
    n_present = present.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        bal = np.where(
            n_present > 0,
            np.where(present, recall, 0).sum(axis=-1) / np.maximum(n_present, 1),
            np.nan,
        )
    vals = {
        "count": n.astype(float),
        "accuracy": _div(diag.sum(axis=-1), n),
        "balanced_accuracy": bal,
    }
    return MetricArrays(vals, {k: n for k in vals}, {"accuracy": diag.sum(axis=-1)})


def class_views(class_names: tuple[str, ...], positive: int | None) -> list[tuple[int, str]]:
    """(class index, metric-name suffix): binary -> the positive class, no suffix;
    multi-class -> every class one-vs-rest, suffix ``@<class>``."""
    if len(class_names) == 2 and positive is not None:
        return [(positive, "")]
    return [(i, f"@{name}") for i, name in enumerate(class_names)]


def all_metrics(counts: np.ndarray, views: list[tuple[int, str]]) -> MetricArrays:
    parts = [global_metrics(counts)] + [binary_metrics(counts, i, suffix=s) for i, s in views]
    values, dens, nums = {}, {}, {}
    for p in parts:
        values.update(p.values)
        dens.update(p.denominators)
        nums.update(p.numerators)
    return MetricArrays(values, dens, nums)


def metric_direction(name: str) -> bool:
    """True when higher is better for metric ``name`` (suffix ignored)."""
    base = name.split("@")[0]
    spec = BINARY_METRICS.get(base) or GLOBAL_METRICS[base]
    return spec[1]


UNKNOWN_FAVOURABLE = "favourable label {label!r} is not a class ({classes})"
FAVOURABLE_NEEDS_BINARY = "a favourable label needs a binary target (this one has {k} classes)"


def favourable_index(
    class_names: Sequence[str], label: str | None, *, field: str = "fairness.favourable_label"
) -> int | None:
    """Index of the class ``label`` names (:func:`auditor.config.labels.label_index`: "1"
    names the class 1.0), None when no label is given. Raises :class:`AuditorInputError`
    naming ``field`` for an unknown class or more than two."""
    if label is None:
        return None
    names = [str(c) for c in class_names]
    if len(names) != 2:
        raise AuditorInputError(FAVOURABLE_NEEDS_BINARY.format(k=len(names)), field=field)
    index = label_index(names, label)
    if index is None:
        raise AuditorInputError(
            UNKNOWN_FAVOURABLE.format(label=label, classes=", ".join(names)), field=field
        )
    return index


# Rates of being predicted positive (or of escaping it): their direction for the person
# turns over when the positive prediction is the unfavourable outcome (a fraud flag).
FLAGGED = frozenset({"selection_rate", "recall", "fnr"})


def worse_off_direction(name: str, *, positive_favourable: bool = True) -> bool:
    """True when a higher value of ``name`` is better for the people in the group: the
    metric's own direction, turned over for the flagged rates when the positive class harms
    (then the group flagged most often is the worst off)."""
    higher_better = metric_direction(name)
    if positive_favourable or name.split("@")[0] not in FLAGGED:
        return higher_better
    return not higher_better


# ---- disparities ---------------------------------------------------------------------
# name -> (component metrics, kind). "difference"/"ratio" of one metric, or the worst case
# of TPR and FPR (fairlearn's equalized odds: max of differences, min of ratios).
DISPARITIES: dict[str, tuple[tuple[str, ...], str]] = {
    "demographic_parity_difference": (("selection_rate",), "difference"),
    "demographic_parity_ratio": (("selection_rate",), "ratio"),
    "equalized_odds_difference": (("recall", "fpr"), "difference"),
    "equalized_odds_ratio": (("recall", "fpr"), "ratio"),
    "equal_opportunity_difference": (("recall",), "difference"),
    "accuracy_difference": (("accuracy",), "difference"),
    "precision_difference": (("precision",), "difference"),
    "fnr_difference": (("fnr",), "difference"),
}
METHODS = ("between_groups", "to_overall")


def _nan_reduce(fn: Callable[..., np.ndarray], x: np.ndarray, axis: int = -1) -> np.ndarray:
    ok = ~np.isnan(x)
    any_ok = ok.any(axis=axis)
    fill = np.inf if fn is np.min else -np.inf
    out = fn(np.where(ok, x, fill), axis=axis)
    return np.where(any_ok, out, np.nan)


def difference(m: np.ndarray, overall: np.ndarray, method: str) -> np.ndarray:
    """fairlearn MetricFrame.difference over the last axis (groups); NaN groups skipped."""
    if method == "between_groups":
        return _nan_reduce(np.max, m) - _nan_reduce(np.min, m)
    return _nan_reduce(np.max, np.abs(m - np.asarray(overall)[..., None]))


def ratio(m: np.ndarray, overall: np.ndarray, method: str) -> np.ndarray:
    """fairlearn MetricFrame.ratio: min/max, or min over groups of m/overall folded to <= 1."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "between_groups":
            return _nan_reduce(np.min, m) / _nan_reduce(np.max, m)
        r = m / np.asarray(overall)[..., None]
        r = np.where(r > 1, 1 / r, r)
        return _nan_reduce(np.min, r)


def disparity(
    name: str,
    group_values: dict[str, np.ndarray],
    overall_values: dict[str, np.ndarray],
    method: str,
    suffix: str = "",
) -> np.ndarray:
    """The disparity ``name`` (see DISPARITIES) over the last axis of the group arrays."""
    components, kind = DISPARITIES[name]
    fn = difference if kind == "difference" else ratio
    parts = [fn(group_values[c + suffix], overall_values[c + suffix], method) for c in components]
    if len(parts) == 1:
        return parts[0]
    stacked = np.stack(parts)
    return _nan_reduce(np.max if kind == "difference" else np.min, stacked, axis=0)
