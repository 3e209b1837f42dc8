"""A model fitted on pandas categorical columns (HistGradientBoosting's default
categorical_features="from_dtype") gets its inputs back as categories, with the same
categories: its own probabilities, and reference models fitted like it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

import auditor
from auditor.config import AuditConfig
from auditor.data.supplied import InputCodec


def test_a_categorical_model_is_audited_and_retrained_on_categories():
    rng = np.random.default_rng(0)
    n = 900
    frame = pd.DataFrame({"x": rng.normal(size=n), "group": rng.choice(["a", "b"], n),
                          "c": pd.Categorical(rng.choice(["w", "u", "v"], n),
                                              categories=["w", "u", "v"])})  # fmt: skip
    frame["label"] = (frame.x + (frame.c == "u") + rng.normal(scale=0.5, size=n) > 0.5)
    frame["label"] = frame["label"].astype(int)
    members, held_out, test = frame[:300], frame[300:600], frame[600:].reset_index(drop=True)
    model = HistGradientBoostingClassifier(max_iter=15, random_state=0)
    model.fit(members[["x", "c"]], members.label)
    config = AuditConfig(privacy={"n_reference": 2, "probes": ["loss", "rmia"]})
    result = auditor.audit_model(model, data=test, members=members, non_members=held_out,
                                 target="label", sensitive=["group"], config=config,
                                 progress=False)  # fmt: skip  (clone().fit raised before)
    privacy = result.data["privacy"]
    assert privacy["status"] == "ok" and privacy["references"]["k"] == 2
    assert "rmia" in privacy["attacks"]  # reference models fitted on the categories
    from sklearn.metrics import roc_auc_score

    own = model.predict_proba(test[["x", "c"]])[:, 1]
    assert result.data["performance"]["finetuned"]["test"]["roc_auc"] == pytest.approx(
        roc_auc_score(test.label, own), abs=1e-12
    )


def test_categories_decode_with_their_dtype():
    dtype = pd.CategoricalDtype(["w", "u", "v"])
    codec = InputCodec(columns=("c",), levels={"c": ("u", "v", "w")}, as_frame=True,
                       dtypes={"c": dtype})  # fmt: skip
    frame = pd.DataFrame({"c": pd.Categorical(["v", None, "w"], dtype=dtype)})
    back = codec.decode(codec.encode(frame))
    assert back["c"].dtype == dtype and back["c"].tolist()[0] == "v" and back["c"].isna()[1]
