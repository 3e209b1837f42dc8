"""Explanations: Integrated Gradients through Captum (images and tables), importance per
group, and the permutation reliance check on sensitive inputs."""

from __future__ import annotations

import dataclasses
import json
from importlib import resources

import jsonschema
import numpy as np
import pandas as pd
import pytest
import torch

from auditor.checks.explain import _integrated_gradients, explanations_check
from auditor.config import (
    AuditConfig,
    FinetuneConfig,
    PretrainConfig,
    PrivacyConfig,
    TableData,
)


def _schema():
    path = resources.files("auditor") / "schema" / "sections" / "explanations.schema.json"
    return jsonschema.Draft202012Validator(json.loads(path.read_text()))


@pytest.fixture(scope="module")
def digits_explained(digits_context):
    return explanations_check(digits_context, {})


def test_image_section(digits_context, digits_explained):
    out = digits_explained
    assert out["status"] == "ok"
    _schema().validate(out)
    assert np.array(out["mean_abs_map"]).shape == (8, 8)
    assert np.array(out["mean_abs_map"]).sum() > 0
    preds = digits_context.predictions("finetuned", "test")
    test = digits_context.bundle["test"]
    row_of = {int(i): k for k, i in enumerate(test.ids)}
    names = list(preds.class_names)
    per = digits_context.config.transparency.examples_per_class
    for ex in out["examples"]:
        k = row_of[ex["row_id"]]
        assert ex["true"] == names[preds.y_true[k]] and ex["predicted"] == names[preds.y_pred[k]]
        assert ex["correct"] == (preds.y_true[k] == preds.y_pred[k])
        assert np.array(ex["attribution"]).shape == (8, 8)
    # Misclassified examples are included wherever the model made mistakes.
    for c, name in enumerate(names):
        wrong = int(((preds.y_true == c) & (preds.y_pred != c)).sum())
        shown = sum(1 for e in out["examples"] if e["true"] == name and not e["correct"])
        assert shown == min(wrong, per)
    assert set(out["by_group"]) == set(digits_context.bundle.sensitive_features)
    assert out["reliance"]["status"] == "not_run"
    assert "slices" in out["reliance"]["reason"]


def test_integrated_gradients_completeness(digits_context):
    """Attributions add up to F(x) - F(baseline) for the target class (IG's axiom)."""
    model = digits_context.finetuned
    x = digits_context.bundle["test"].x[:16]
    target = np.zeros(16, dtype=np.int64)
    base = np.zeros(x.shape[1:], dtype=np.float32)
    attr, delta = _integrated_gradients(model, x, target, base, n_steps=64, device="cpu")
    with torch.no_grad():
        fx = model(torch.as_tensor(x))[:, 0].numpy()
        fb = model(torch.as_tensor(base[None]))[0, 0].item()
    gap = fx - fb
    sums = attr.reshape(16, -1).sum(axis=1)
    assert np.allclose(sums - gap, delta, atol=1e-4)
    assert np.mean(np.abs(sums - gap)) < 0.05 * np.mean(np.abs(gap)) + 1e-3


def test_disabled(digits_context):
    cfg = digits_context.config.transparency.model_copy(update={"explanations": False})
    ctx = dataclasses.replace(
        digits_context, config=digits_context.config.model_copy(update={"transparency": cfg})
    )
    assert explanations_check(ctx, {})["status"] == "not_run"


@pytest.fixture(scope="module")
def table_context(tmp_path_factory):
    """A table whose label depends on sensitive column ``s`` and on ``x1``; ``noise_grp`` is
    a second sensitive column that the label ignores; ``x2`` is noise."""
    from auditor.pipeline import train_stages

    rng = np.random.default_rng(1)
    n = 1400
    s = rng.choice(["a", "b"], size=n)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    y = np.where(s == "a", x1 > -0.8, x1 > 0.8).astype(int)
    frame = pd.DataFrame({"s": s, "noise_grp": rng.choice(["p", "q"], size=n),
                          "x1": x1, "x2": x2, "y": y})  # fmt: skip
    path = tmp_path_factory.mktemp("table") / "t.csv"
    frame.to_csv(path, index=False)
    config = AuditConfig(
        name="t", data=TableData(path=path, target="y", sensitive=["s", "noise_grp"]),
        pretrain=PretrainConfig(objective="masked_reconstruction", epochs=3),
        finetune=FinetuneConfig(epochs=30, unfreeze_last=1), privacy=PrivacyConfig(enabled=False),
    )  # fmt: skip
    return train_stages(config, progress=False)


def test_table_importance_and_reliance(table_context):
    out = explanations_check(table_context, {})
    assert out["status"] == "ok"
    _schema().validate(out)
    imp = {f["feature"]: f["mean_abs_attribution"] for f in out["feature_importance"]}
    assert imp["x1"] > 3 * imp["x2"]  # the noise column matters least
    assert abs(sum(f["share"] for f in out["feature_importance"]) - 1) < 1e-6
    for groups in out["by_group"].values():
        assert sum(g["n"] for g in groups) == out["n_rows_attributed"]
        assert all(len(g["top_features"]) > 0 for g in groups)
    rel = out["reliance"]
    assert rel["status"] == "ok" and set(rel["features"]) == {"s", "noise_grp"}
    used, unused = rel["by_feature"]["s"], rel["by_feature"]["noise_grp"]
    assert used["input_columns"] == ["s=a", "s=b"]
    assert used["accuracy_drop"] > 0.1 and used["flip_rate"] > 0.1
    assert unused["accuracy_drop"] < 0.03
    assert used["accuracy_permuted_min"] <= used["accuracy_permuted_mean"]
    assert sum(g["n"] for g in used["groups"]) == rel["n"]
