"""A PyTorch module whose classes are not named has one output per class in the classes'
sorted order, numbers by value, whatever the positive class: it was the audit's order, the
classes sorted as text with positive_label last, so a CrossEntropyLoss model on the indices
0..11 was read with class 10's column as class 2's (a perfect model audited at accuracy
0.15), and a two-column model given positive_label=0 was audited inverted (AUC 0.086)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

import auditor
from auditor.models.columns import sorted_columns
from tests.builders import audit_split, two_feature_frame


class Nearest(nn.Module):
    """Logits -(x0 - k)^2 for k = 0..K-1: the class whose index is the row's first input."""

    def __init__(self, k: int) -> None:
        super().__init__()
        self.k = k
        self.bias = nn.Parameter(torch.zeros(k))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return -5 * (x[:, :1] - torch.arange(float(self.k))) ** 2 + self.bias


def test_a_module_of_twelve_classes_reads_column_k_as_class_k():
    rng = np.random.default_rng(0)
    y = np.tile(np.arange(12), 50)
    data = pd.DataFrame({"k": y.astype(float), "noise": rng.normal(size=len(y)),
                         "group": rng.choice(["a", "b"], len(y)), "y": y})  # fmt: skip
    result = auditor.audit_model(Nearest(12), data=data, target="y", sensitive=["group"],
                                 progress=False)  # fmt: skip
    test = result.data["performance"]["finetuned"]["test"]
    assert test["class_names"][:4] == ["0", "1", "10", "11"]  # the audit's order, as before
    assert test["accuracy"] == 1.0


def fitted_two_columns(frame: pd.DataFrame) -> nn.Module:
    torch.manual_seed(0)
    net = nn.Linear(2, 2)
    x = torch.tensor(frame[["x1", "x2"]].to_numpy()[:300], dtype=torch.float32)
    y = torch.tensor(frame["label"].to_numpy()[:300])
    opt = torch.optim.Adam(net.parameters(), lr=0.05)
    for _ in range(200):
        opt.zero_grad()
        nn.functional.cross_entropy(net(x), y).backward()
        opt.step()
    return net


@pytest.mark.parametrize("labels", [None, {0: "no", 1: "yes"}])
def test_positive_label_names_the_positive_class_not_the_module_columns(labels):
    frame = two_feature_frame(5)
    net = fitted_two_columns(frame)
    if labels is not None:
        frame["label"] = frame["label"].map(labels)
    negative, positive = (0, 1) if labels is None else ("no", "yes")
    plain = audit_split(net, frame)["performance"]["finetuned"]["test"]
    other = audit_split(net, frame, positive_label=negative)["performance"]["finetuned"]["test"]
    assert other["class_names"] == [str(positive), str(negative)]
    assert plain["roc_auc"] > 0.9
    assert other["roc_auc"] == pytest.approx(plain["roc_auc"])
    assert other["accuracy"] == pytest.approx(plain["accuracy"])


def test_sorted_columns():
    assert sorted_columns((0, 1)) == (0, 1)
    assert sorted_columns((1, 0)) == (1, 0)  # positive_label 0: its column is still 0
    assert sorted_columns((0, 1, 10, 11, 2)) == (0, 1, 3, 4, 2)
    assert sorted_columns(("yes", "no")) == (1, 0)
    assert sorted_columns((1.5, 0.5, 10.0)) == (1, 0, 2)


class Proba:
    """An object with predict_proba and no classes_ (a wrapper around a fitted model)."""

    def __init__(self, fitted) -> None:
        self.fitted = fitted

    def predict_proba(self, x):
        return self.fitted.predict_proba(x)


def test_a_predict_proba_object_without_classes_reads_them_sorted_whatever_the_positive():
    # its columns were taken in the audit's order too: positive_label=0 read it inverted
    from sklearn.linear_model import LogisticRegression

    frame = two_feature_frame(5)
    model = Proba(LogisticRegression().fit(frame[["x1", "x2"]].to_numpy()[:300],
                                           frame["label"][:300]))  # fmt: skip
    plain = audit_split(model, frame, features=["x1", "x2"])
    other = audit_split(model, frame, features=["x1", "x2"], positive_label=0)
    got, want = (a["performance"]["finetuned"]["test"] for a in (other, plain))
    assert got["class_names"] == ["1", "0"] and want["roc_auc"] > 0.9
    assert got["roc_auc"] == pytest.approx(want["roc_auc"])
