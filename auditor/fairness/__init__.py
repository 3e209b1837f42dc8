"""Fairness engine: prediction rows -> per-group confusion counts -> metrics, disparities and
bootstrap intervals (:mod:`.engine`), checked against fairlearn (:mod:`.reference`)."""

from auditor.fairness.counts import CountsAccumulator, CountsTable, counts_from_arrays
from auditor.fairness.engine import FairnessResult, audit_counts, resolve_specs

__all__ = [
    "CountsAccumulator",
    "CountsTable",
    "FairnessResult",
    "audit_counts",
    "counts_from_arrays",
    "resolve_specs",
]
