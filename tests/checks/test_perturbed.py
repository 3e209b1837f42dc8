"""A model finite on every row as given but NaN on rows the explanations shuffled: the
explanation it breaks is not run, naming a row the user has. It stopped the whole audit with
"on 223 of 512 rows (first: data row 1)", a row of shuffled inputs nobody saw."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from torch import nn

import auditor


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x1 = rng.normal(size=600)
    frame = pd.DataFrame({"x1": x1, "x2": x1 + rng.normal(scale=0.1, size=600),
                          "g": rng.choice([0, 1], size=600)})  # fmt: skip
    frame["label"] = (frame.x1 > 0).astype(int)
    return frame


class ApartIsNaN:
    """Probabilities where x1 and x2 agree (every row as given), NaN where they lie apart."""

    def predict_proba(self, x):
        x = np.asarray(x, dtype=float)
        p = 1 / (1 + np.exp(-3 * x[:, 0]))
        p = np.where(np.abs(x[:, 0] - x[:, 1]) > 1, np.nan, p)
        return np.c_[1 - p, p]


class GroupOneBelowIsNaN(nn.Module):
    """Logits, NaN where g is 1 and x1 < -1: no row as given (g is 0 there)."""

    def __init__(self) -> None:
        super().__init__()
        self.layer = nn.Linear(3, 2)

    def forward(self, x):
        out = self.layer(x)
        bad = (x[:, 2] > 0.5) & (x[:, 0] < -1.0)
        return torch.where(bad[:, None], torch.full_like(out, float("nan")), out)



def test_permutation_importance_of_a_model_nan_on_shuffled_rows_is_not_run():
    frame = _frame()
    result = auditor.audit_model(ApartIsNaN(), data=frame, target="label", sensitive=["g"],
                                 features=["x1", "x2"], progress=False)  # fmt: skip
    section = result.data["explanations"]
    assert section["status"] == "not_run"
    reason = section["reason"]
    assert reason.startswith("the model's outputs are not finite numbers (NaN or infinite) on ")
    shuffled = " of the 512 test rows explained with column 'x1' shuffled across them (first: "
    assert shuffled in reason
    assert "of the evaluation rows, with column 'x1' from another row), though finite" in reason
    assert reason.endswith("permutation importance is undefined for this model")
    assert result.data["performance"]["finetuned"]["test"]["n"] == 600  # the rest was audited


def test_the_reliance_check_of_a_model_nan_on_shuffled_groups_is_not_run():
    frame = _frame()
    frame.loc[frame.x1 < -1.0, "g"] = 0
    torch.manual_seed(0)
    result = auditor.audit_model(GroupOneBelowIsNaN(), data=frame, target="label",
                                 sensitive=["g"], features=["x1", "x2", "g"],
                                 progress=False)  # fmt: skip
    section = result.data["explanations"]
    assert section["status"] == "ok" and section["feature_importance"]  # IG still ran
    reliance = section["reliance"]
    assert reliance["status"] == "not_run"
    first = int(reliance["reason"].split("(first: data row ")[1].split(" ")[0])
    assert frame.x1.iloc[first - 1] < -1.0  # a row where a shuffled g = 1 gives NaN
    assert "of the 600 test rows explained with the input columns of 'g' shuffled" in (
        reliance["reason"])
    assert reliance["reason"].endswith("the reliance check is undefined for this model")


def test_the_columns_whose_shuffles_stayed_finite_keep_their_importance():
    # the whole section was {status, reason}: g's importance, finite, was dropped, and the
    # reliance check on g beside it
    frame = _frame()
    result = auditor.audit_model(ApartIsNaN(), data=frame, target="label", sensitive=["g"],
                                 features=["x1", "x2", "g"], progress=False)  # fmt: skip
    section = result.data["explanations"]
    assert section["status"] == "ok"
    assert [f["feature"] for f in section["feature_importance"]] == ["g"]
    assert section["not_finite_columns"] == ["x1", "x2"]
    reason = section["not_finite_reason"]
    assert " of the 512 test rows explained with column 'x1' shuffled across them" in reason
    assert reason.endswith("the importance of 'x1', 'x2' is undefined for this model")
    tops = [t["feature"] for g in section["by_group"]["g"] for t in g["top_features"]]
    assert tops == []  # no NaN drop ranked; g, which the model ignores, lowers no accuracy
    reliance = section["reliance"]
    assert reliance["status"] == "ok" and reliance["features"] == ["g"]
    # the checklist said 'met' for an explanation that left two of three columns out
    item = next(i for i in result.data["transparency"]["items"] if i["id"] == "explanations")
    assert item["status"] == "warn", item
    assert item["evidence"].endswith("left out 2 column(s), outputs not finite: x1, x2")


class MissingFirstApartIsNaN:
    """x0 is ignored (it has missing values); NaN where x1 and x2 lie apart."""

    def predict_proba(self, x):
        x = np.asarray(x, dtype=float)
        return ApartIsNaN().predict_proba(x[:, 1:])


def test_the_column_named_shuffled_is_not_one_with_missing_values_that_did_not_move():
    # NaN != NaN: the column x0, holding NaN and shuffled before x1, was named instead of x1
    frame = _frame()
    frame.insert(0, "x0", np.random.default_rng(1).normal(size=600))
    frame.loc[::7, "x0"] = np.nan
    result = auditor.audit_model(MissingFirstApartIsNaN(), data=frame, target="label",
                                 sensitive=["g"], features=["x0", "x1", "x2"],
                                 progress=False)  # fmt: skip
    section = result.data["explanations"]
    reason = section["not_finite_reason"]
    assert "test rows explained with column 'x1' shuffled across them" in reason
    assert "with column 'x1' from another row" in reason
    assert section["not_finite_columns"] == ["x1", "x2"]
    assert [f["feature"] for f in section["feature_importance"]] == ["x0"]
