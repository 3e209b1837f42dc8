"""A score that is the predicted label's probability (a Hugging Face pipeline's ``score``: 0.5
or more in every row, for either label), not P(positive), told apart over a file's batches
(:class:`ScoreRanges`). The ranges alone cannot tell it from P(positive) thresholded per group
(fairlearn's ThresholdOptimizer: rows predicted negative then score as high as rows predicted
positive too); y_true can: read as 1 - the score where the row is predicted negative, the
predicted label's probability ranks y_true better than as written, P(positive) worse."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from auditor.errors import AuditorInputError
from auditor.fairness.counts import CountsTable
from auditor.predictions.source import Columns
from auditor.results.score_intervals import hanley_mcneil_sd

__all__ = ["CONFIDENCE", "Z_REFUSE", "ScoreRanges", "flipped_note", "gain_se", "pred_bins",
           "pred_ranges"]

CONFIDENCE = (
    "every score is 0.5 or more, rows predicted {neg!r} score as high as rows predicted "
    "{pos!r}, and read as 1 - the score where {y_pred} is {neg!r} the scores rank {y_true} "
    "better (ROC AUC about {flipped:.2f} against {raw:.2f} as written, of {n:,} rows: "
    "{n_pos:,} {pos!r} in {y_true}, beyond chance at those counts): the predicted label's "
    "probability (a Hugging Face pipeline's score), not P({pos!r})? give P({pos!r}): the "
    "score where {y_pred} is {pos!r}, else 1 - the score"
)
FLIPPED_NOTE = (
    "y_score, read as 1 - itself where {y_pred} is {neg!r}, ranks {y_true} a little better "
    "(ROC AUC about {roc_auc:.2f} against {roc_auc_as_written:.2f} as written, of {n:,} rows: "
    "{n_positive:,} {pos!r}), within chance at those counts: audited as P({pos!r}); if the "
    "score is the predicted label's probability (a Hugging Face pipeline's score), give "
    "P({pos!r}): the score where {y_pred} is {pos!r}, else 1 - the score."
)
BINS = 2048  # scores from 0.5 to 1, binned for the ROC AUCs compared
# the gain in ROC AUC from reading the score flipped that refuses it, in standard errors of
# the gain (:func:`gain_se`): one-sided, 99.9%, so a weak model's P(positive) at a few hundred
# rows (a gain of 0.02 to 0.05 by chance) is audited
Z_REFUSE = 3.09

Bins = dict[tuple[Any, Any], np.ndarray]  # per (true, predicted) label, rows per score bin


@dataclass
class ScoreRanges:
    """Over a file's batches, their least score (``low``), predicted labels' score ranges
    (``by_pred``) and the rows per score bin of each (true, predicted) label (``bins``)."""

    low: float = math.inf
    by_pred: dict[Any, tuple[float, float]] = field(default_factory=dict)
    bins: Bins = field(default_factory=dict)

    def add(self, part: Any) -> None:
        """Add a :class:`~auditor.predictions.batch.Partial`'s."""
        self.low = min(self.low, part.score_low)
        for label, (lo, hi) in part.pred_ranges.items():
            was = self.by_pred.get(label, (lo, hi))
            self.by_pred[label] = (min(was[0], lo), max(was[1], hi))
        for key, rows in part.pred_bins.items():
            self.bins[key] = self.bins[key] + rows if key in self.bins else rows

    def check(self, table: CountsTable, positive: int, cols: Columns,
              source: str) -> dict[str, float] | None:  # fmt: skip
        """Refuse the scores where every one is 0.5 or more, a row predicted negative scores
        above one predicted positive, and the score read as 1 - itself where the row is
        predicted negative ranks y_true better by more than :data:`Z_REFUSE` standard errors
        of the gain (:func:`gain_se`, from the class counts). A gain within that: the AUCs and
        counts, for a note (``fairness.source.score_flipped``); else None."""
        if self.low < 0.5:
            return None
        value = table.classes[positive]
        pos = [r for label, r in self.by_pred.items() if label == value]
        neg = [r for label, r in self.by_pred.items() if label != value]
        if not (pos and neg and max(hi for _, hi in neg) > pos[0][0]):
            return None
        raw, flipped, n_pos, n_neg = self._aucs(value)
        if flipped - raw > Z_REFUSE * gain_se(raw, flipped, n_pos, n_neg):
            names = table.class_names
            message = CONFIDENCE.format(pos=names[positive], neg=names[1 - positive],
                                        y_pred=cols.y_pred, y_true=cols.y_true,
                                        flipped=flipped, raw=raw, n=n_pos + n_neg,
                                        n_pos=n_pos)  # fmt: skip
            raise AuditorInputError(message, source=source, field=cols.y_score)
        if not flipped > raw:
            return None
        return {"roc_auc": round(flipped, 4), "roc_auc_as_written": round(raw, 4),
                "n": n_pos + n_neg, "n_positive": n_pos}  # fmt: skip

    def _aucs(self, value: Any) -> tuple[float, float, int, int]:
        """The binned ROC AUC of the scores as written, and read as 1 - the score where the
        row is predicted negative (NaN where a class has no rows), and the true positive and
        negative rows."""
        def rows(true: bool, pred: bool) -> np.ndarray:
            return sum((r for (t, p), r in self.bins.items()
                        if (t == value) == true and (p == value) == pred),
                       np.zeros(BINS, dtype=np.int64))  # fmt: skip

        tp, fn, fp, tn = rows(True, True), rows(True, False), rows(False, True), rows(False, False)
        raw = _auc(tp + fn, fp + tn)
        flipped = _auc(np.concatenate([fn[::-1], tp]), np.concatenate([tn[::-1], fp]))
        return raw, flipped, int((tp + fn).sum()), int((fp + tn).sum())


def flipped_note(flipped: dict[str, float] | None, *, y_true: str, y_pred: str, pos: str,
                 neg: str) -> list[str]:  # fmt: skip
    """The note on a score whose flipped reading ranks y_true better within chance
    (``flipped``: :meth:`ScoreRanges.check`'s, as audit.json keeps it), or none."""
    if not flipped:
        return []
    return [FLIPPED_NOTE.format(y_true=y_true, y_pred=y_pred, pos=pos, neg=neg, **flipped)]


def gain_se(raw: float, flipped: float, n_pos: int, n_neg: int) -> float:
    """The standard error of ``flipped - raw``, two ROC AUCs of the same rows, taken as if
    they were apart (their correlation ignored: larger than the true one, so fewer refusals);
    NaN where a class has no rows (nothing refused)."""
    if not n_pos or not n_neg:
        return math.nan
    return math.hypot(hanley_mcneil_sd(raw, n_pos, n_neg), hanley_mcneil_sd(flipped, n_pos, n_neg))


def _auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """ROC AUC of binned scores (``pos``, ``neg``: rows per bin, in score order), ties half."""
    n_pos, n_neg = int(pos.sum()), int(neg.sum())
    if not n_pos or not n_neg:
        return math.nan
    below = np.cumsum(neg) - neg
    return float((pos * below).sum() + 0.5 * (pos * neg).sum()) / (n_pos * n_neg)


def _codes(column: Any) -> tuple[np.ndarray, list[Any]]:
    import pyarrow as pa

    enc = column if pa.types.is_dictionary(column.type) else column.dictionary_encode()
    # no nulls: refused when counted
    return enc.indices.to_numpy(zero_copy_only=False), enc.dictionary.to_pylist()


def pred_ranges(y_pred: Any, score: np.ndarray) -> dict[Any, tuple[float, float]]:
    """Per predicted label (its value) of a batch, its rows' least and greatest score."""
    codes, labels = _codes(y_pred)
    return {labels[i]: (float(score[codes == i].min()), float(score[codes == i].max()))
            for i in np.unique(codes)}  # fmt: skip


def pred_bins(y_true: Any, y_pred: Any, score: np.ndarray) -> Bins:
    """Per (true, predicted) label of a batch whose scores are all 0.5 or more, its rows per
    score bin (:data:`BINS` from 0.5 to 1)."""
    (t_codes, t_labels), (p_codes, p_labels) = _codes(y_true), _codes(y_pred)
    at = np.clip(((score - 0.5) * (2 * BINS)).astype(np.int64), 0, BINS - 1)
    key = t_codes.astype(np.int64) * len(p_labels) + p_codes
    out = {}
    for k in np.unique(key):
        i, j = divmod(int(k), len(p_labels))
        out[(t_labels[i], p_labels[j])] = np.bincount(at[key == k], minlength=BINS)
    return out
