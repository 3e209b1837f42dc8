"""Explanations: Integrated Gradients through Captum (images and tables), importance per
group, and the permutation reliance check on sensitive inputs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from auditor.checks.explain import ExplanationsSection, _integrated_gradients, explanations_check
from tests.checks.sections import validate_section


@pytest.fixture(scope="module")
def digits_explained(digits_context):
    return explanations_check(digits_context, {})


def test_image_section(digits_context, digits_explained):
    assert isinstance(digits_explained, ExplanationsSection)
    out = validate_section("explanations", digits_explained)
    assert out["status"] == "ok"
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
    assert explanations_check(ctx, {}).status == "not_run"


def test_table_importance_and_reliance(table_context):
    out = validate_section("explanations", explanations_check(table_context, {}))
    assert out["status"] == "ok"
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


def test_rows_and_reliance_draw_from_their_own_streams(table_context):
    """The rows attributed come from ``explain/rows`` and the permutations from
    ``explain/reliance/<feature>``: the same seed gives the same section; picking fewer rows
    (another draw from ``explain/rows``) leaves the reliance numbers unchanged."""
    cfg = table_context.config.transparency
    few = dataclasses.replace(
        table_context,
        config=table_context.config.model_copy(
            update={"transparency": cfg.model_copy(update={"max_attribution_rows": 50})}
        ),
    )
    a, b = explanations_check(few, {}), explanations_check(few, {})
    assert a.n_rows_attributed == 50
    assert a.feature_importance == b.feature_importance and a.reliance == b.reliance
    full = explanations_check(table_context, {})
    assert full.reliance == a.reliance


class _SqrtFromBaseline(torch.nn.Module):
    """Finite on rows with |x1| >= 0.5; NaN gradients where |x1| < 0.45, as near the baseline."""

    def __init__(self) -> None:
        super().__init__()
        self.layer = torch.nn.Linear(2, 2)

    def forward(self, x):
        z = torch.sqrt(x[:, :1] ** 2 - 0.2) * torch.sign(x[:, :1])
        return self.layer(torch.cat([z, x[:, 1:]], 1))


def test_integrated_gradients_not_finite_on_the_path_are_not_run_not_nan_shares():
    # was status "ok" with NaN mean_abs_attribution and share: numbers that are none
    import pandas as pd

    import auditor

    rng = np.random.default_rng(0)
    x1 = rng.choice([-1, 1], size=400) * (0.5 + np.abs(rng.normal(size=400)))
    frame = pd.DataFrame({"x1": x1, "x2": rng.normal(size=400), "g": rng.choice(["a", "b"], 400)})
    frame["label"] = (frame.x1 > 0).astype(int)
    torch.manual_seed(0)
    result = auditor.audit_model(_SqrtFromBaseline(), data=frame, target="label",
                                 sensitive=["g"], progress=False)  # fmt: skip
    section = result.data["explanations"]
    assert section["status"] == "not_run"
    assert section["reason"].startswith(
        "Integrated Gradients are not finite numbers (NaN or infinite) on 400 of the 400 test "
        "rows explained (first: data row 1 of the evaluation rows): the model's gradients are "
        "not finite somewhere on the straight path from the baseline (the mean evaluation row)")


def test_integrated_gradients_not_run_keep_the_reliance_check_beside_them():
    # before, the section was {status, reason} alone: the reliance check that ran was lost
    import pandas as pd

    import auditor

    rng = np.random.default_rng(0)
    x1 = rng.choice([-1, 1], size=400) * (0.5 + np.abs(rng.normal(size=400)))
    frame = pd.DataFrame({"x1": x1, "g": rng.choice([0.0, 1.0], 400)})
    frame["label"] = (frame.x1 > 0).astype(int)
    torch.manual_seed(0)
    result = auditor.audit_model(_SqrtFromBaseline(), data=frame, target="label",
                                 sensitive=["g"], features=["x1", "g"],
                                 progress=False)  # fmt: skip
    section = result.data["explanations"]
    assert section["status"] == "not_run"
    assert section["reason"].startswith("Integrated Gradients are not finite numbers")
    assert section["reliance"]["status"] == "ok" and section["reliance"]["features"] == ["g"]
    item = next(i for i in result.data["transparency"]["items"] if i["id"] == "explanations")
    assert item["evidence"].endswith("; the reliance check ran on g")


class _NaNGradientPastThree(torch.nn.Module):
    """Outputs finite everywhere; gradients NaN where x1 > 3 (near a far row's end only)."""

    def __init__(self) -> None:
        super().__init__()
        self.layer = torch.nn.Linear(2, 2)

    def forward(self, x):
        z = x[:, :1] + 0 * torch.sqrt(3 - x[:, :1]).nan_to_num()
        return self.layer(torch.cat([z, x[:, 1:]], 1))


def test_integrated_gradients_of_the_finite_rows_stand_the_others_counted_and_named():
    # one row whose path crossed NaN gradients threw away the attributions of every row
    import pandas as pd

    import auditor

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x1": rng.normal(size=400).clip(-2.5, 2.5),
                          "g": rng.choice([0.0, 1.0], 400)})  # fmt: skip
    frame["label"] = (frame.x1 > 0).astype(int)
    frame.loc[5:14, "x1"] = 4.0
    torch.manual_seed(0)
    result = auditor.audit_model(_NaNGradientPastThree(), data=frame, target="label",
                                 sensitive=["g"], features=["x1", "g"],
                                 progress=False)  # fmt: skip
    section = result.data["explanations"]
    assert section["status"] == "ok"
    assert (section["n_rows_attributed"], section["n_rows_not_finite"]) == (390, 10)
    assert section["not_finite_reason"].startswith(
        "Integrated Gradients are not finite numbers (NaN or infinite) on 10 of the 400 test "
        "rows explained (first: data row 6 of the evaluation rows)")
    assert section["not_finite_reason"].endswith(
        "their attributions are undefined, and those rows are left out")
    shares = [f["share"] for f in section["feature_importance"]]
    assert all(np.isfinite(shares)) and abs(sum(shares) - 1) < 1e-6
    item = next(i for i in result.data["transparency"]["items"] if i["id"] == "explanations")
    assert item["status"] == "warn"  # was 'met', the rows left out unsaid
    assert item["evidence"].endswith("left out 10 test row(s), gradients not finite on their path")


def test_the_convergence_error_has_its_scale_beside_it(digits_context, digits_explained):
    """The card gave the mean |convergence error| alone (0.098): with no mean |f(x) -
    f(baseline)| (2.98) beside it, 3 % and 300 % read alike. Both are in the section."""
    model, test = digits_context.finetuned, digits_context.bundle["test"]
    target = torch.as_tensor(digits_context.predictions("finetuned", "test").y_pred)[:, None]
    with torch.no_grad():
        fx = model(torch.as_tensor(test.x)).gather(1, target)[:, 0].numpy()
        fb = model(torch.zeros(1, *test.x.shape[1:]))[0][target[:, 0]].numpy()
    assert digits_explained.n_rows_attributed == len(test)  # every row: the same rows here
    assert digits_explained.score_gap_mean_abs == pytest.approx(np.mean(np.abs(fx - fb)),
                                                                rel=1e-4)  # fmt: skip
    assert digits_explained.convergence_delta_mean_abs < digits_explained.score_gap_mean_abs


def test_a_group_under_min_group_size_ranks_no_columns():
    """A sensitive group of 3 rows had its 'top columns' by mean |attribution| ranked (flagged
    insufficient data beside them); permutation importance lists none for such a group, and
    neither do attributions now. Its n and mean total attribution stay."""
    import pandas as pd

    from auditor.checks.explain import _group_importance

    rng = np.random.default_rng(0)
    abs_attr = np.abs(rng.normal(size=(103, 4)))
    sensitive = pd.DataFrame({"site": ["big"] * 100 + ["tiny"] * 3})
    groups = {g.group: g for g in _group_importance(sensitive, abs_attr,
                                                     feature_names=list("abcd"),
                                                     min_n=30)["site"]}  # fmt: skip
    assert groups["tiny"].insufficient_data and groups["tiny"].top_features == []
    assert groups["tiny"].n == 3 and groups["tiny"].mean_total_abs_attribution > 0
    assert len(groups["big"].top_features) == 4 and not groups["big"].insufficient_data
