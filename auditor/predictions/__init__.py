"""Predictions files of any model: reading them in bounded memory (:mod:`.read`) and the
predictions-only audit built from them (:mod:`.audit`)."""

from __future__ import annotations

from auditor.predictions.read import Columns, PredictionCounts, reduce_predictions

__all__ = ["Columns", "PredictionCounts", "reduce_predictions"]
