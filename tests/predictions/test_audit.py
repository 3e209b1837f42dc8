"""The predictions-only audit: numbers from counts equal scikit-learn's on the rows; the
command line's fairness options are checked against the sensitive columns."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn import metrics as skm

from auditor.config import AuditConfig, FairnessConfig
from auditor.errors import AuditorInputError
from auditor.predictions.audit import (
    INTERSECTIONS,
    NO_SCORE,
    SENSITIVE_TWICE,
    build_audit,
    performance_from_counts,
    predictions_config,
)
from auditor.predictions.read import Columns, reduce_predictions
from auditor.record import SCHEMA_VERSION, validate_audit
from tests.builders import predictions_columns, predictions_csv, predictions_frame


@pytest.fixture(scope="module")
def counts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("p")
    path = predictions_csv(folder, n=3000, seed=4)
    return path, reduce_predictions(path, predictions_columns(), positive_label="approved")


def test_performance_from_counts_equals_sklearn(counts):
    path, pc = counts
    frame = predictions_frame(3000, seed=4)
    perf = performance_from_counts(pc)
    y, yp = frame["label"], frame["pred"]
    labels = ["approved", "denied"]
    assert perf["accuracy"] == pytest.approx(skm.accuracy_score(y, yp), abs=1e-12)
    assert perf["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(y, yp))
    p, r, f, s = skm.precision_recall_fscore_support(y, yp, labels=labels)
    assert perf["f1_macro"] == pytest.approx(f.mean())
    assert [c["precision"] for c in perf["per_class"]] == pytest.approx(list(p))
    assert [c["recall"] for c in perf["per_class"]] == pytest.approx(list(r))
    assert [c["support"] for c in perf["per_class"]] == list(s)
    assert perf["confusion_matrix"] == skm.confusion_matrix(y, yp, labels=labels).tolist()
    pos = (y == "approved").astype(int)
    assert perf["roc_auc"] == pytest.approx(skm.roc_auc_score(pos, frame["score"]), abs=1e-4)
    assert perf["undefined"] == {}


def test_without_scores_the_score_metrics_are_nan_with_reason(counts):
    path, _ = counts
    cols = Columns("label", "pred", None, ("sex",))
    perf = performance_from_counts(reduce_predictions(path, cols, positive_label="approved"))
    assert math.isnan(perf["roc_auc"]) and perf["undefined"]["roc_auc"] == NO_SCORE
    assert perf["reliability"] == []


def test_build_audit_validates_and_holds_no_model_claims(counts):
    path, pc = counts
    config = AuditConfig(name="p", fairness=FairnessConfig(interval="jeffreys"))
    audit = build_audit(pc, path=path, cols=predictions_columns(), config=config, seed=0,
                        timings={}, command="test")  # fmt: skip
    audit = {"schema_version": SCHEMA_VERSION, **audit}
    audit["gates"] = {"status": "not_run", "reason": "not asked"}
    validate_audit(audit, source="memory")
    assert audit["run"]["mode"] == "predictions" and audit["model"]["checkpoints"] == {}
    assert audit["data"]["splits"]["test"]["n_rows"] == 3000
    assert np.isfinite(audit["run"]["timings_s"]["fairness"])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"intersections": "triples"}, INTERSECTIONS),
        ({"sensitive": ["sex", "sex"]}, SENSITIVE_TWICE),
    ],
)
def test_predictions_config_refuses(changes, message):
    kwargs = {"sensitive": ["sex"], **changes}
    with pytest.raises(AuditorInputError, match=message):
        predictions_config(AuditConfig(), **kwargs)


def test_intersection_of_a_column_not_given_is_refused():
    config = AuditConfig(fairness=FairnessConfig(intersections=[["sex", "race"]]))
    with pytest.raises(AuditorInputError, match="fairness.intersections"):
        predictions_config(config, sensitive=["sex"])
