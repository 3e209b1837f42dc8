"""The Python API: everything the ``auditor`` command does, callable from a notebook.

- :func:`run`: train (auditor's recipe), audit and write the run folder;
- :func:`audit_model`: audit a model trained elsewhere (a PyTorch module, a scikit-learn
  estimator, any object with ``predict_proba``) on the user's rows, without retraining it;
- :func:`audit_predictions`: the audit of predictions (a file or a DataFrame) of any model;
- :func:`regate`: gates re-evaluated from a run's ``audit.json`` into a NEW folder;
- :func:`rerender`: every report format rebuilt from ``audit.json`` into a NEW folder.

Each returns an :class:`AuditResult` (``.gate(rules)``, ``.write(folder)``, ``.to_html()``).
A run's folder is evidence: nothing here rewrites an existing ``audit.json`` in place. Every
writer goes through :mod:`auditor.run_folder` (one atomic unit under a lock).
"""

from __future__ import annotations

from auditor.api._model import audit_model, run
from auditor.api._predictions import audit_predictions
from auditor.api._rerun import gate_options, read_baseline, regate, rerender
from auditor.api._result import AN_AUDIT, IN_OTHER_RUN, SAME_FOLDER, AuditResult, refuse_rewrite
from auditor.api._trained import default_out_dir, trained_context
from auditor.predictions.audit import predictions_config

__all__ = [
    "AN_AUDIT", "IN_OTHER_RUN", "SAME_FOLDER", "AuditResult", "audit_model",
    "audit_predictions", "default_out_dir", "gate_options", "predictions_config",
    "read_baseline", "refuse_rewrite", "regate", "rerender", "run", "trained_context",
]  # fmt: skip
