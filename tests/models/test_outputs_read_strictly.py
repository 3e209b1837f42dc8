"""A module read as probabilities (its outputs were probabilities on the first PROBE_ROWS
evaluation rows) whose output on a later row is not one stops the audit in one line: a
one-logit model whose first logits fell in [0, 1] was read as P(positive), and its later
logits (-0.5, 1.7) were clamped into probabilities, a silently wrong audit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

import auditor
from auditor.errors import AuditorInputError
from auditor.models.outputs import PROBE_ROWS, LogOf, with_logits


class FirstColumn(nn.Module):
    """One output per row: the first input, as it is (a logit or a probability)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, :1] * 1.0


def _rows(n: int, *, later: tuple[float, float]) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.uniform(0.05, 0.95, n)
    x[PROBE_ROWS + 100 :] = rng.uniform(*later, n - PROBE_ROWS - 100)
    rows = pd.DataFrame({"x": x, "group": rng.choice(["a", "b"], n)})
    rows["label"] = (rng.uniform(size=n) < x.clip(0, 1)).astype(int)
    return rows


def test_a_one_output_model_leaving_0_1_after_the_probe_rows_is_refused():
    rows = _rows(1500, later=(-1.0, 2.0))
    with pytest.raises(AuditorInputError) as err:
        auditor.audit_model(FirstColumn(), data=rows, target="label", sensitive=["group"],
                            features=["x"], progress=False)  # fmt: skip
    assert "read as probabilities" in str(err.value) and "[0, z]" in str(err.value)


def test_a_one_output_probability_model_is_still_read_as_one():
    rows = _rows(1500, later=(0.0, 1.0))
    result = auditor.audit_model(FirstColumn(), data=rows, target="label",
                                 sensitive=["group"], features=["x"], progress=False)  # fmt: skip
    expected = float(np.mean((rows.x > 0.5) == rows.label))
    assert result.data["performance"]["finetuned"]["test"]["accuracy"] == pytest.approx(expected)
    assert "a probability" in result.data["model"]["architecture"]


def test_softmax_outputs_that_stop_being_probabilities_are_refused():
    x = torch.rand(PROBE_ROWS + 50, 2)
    softmax = nn.Sequential(nn.Linear(2, 2), nn.Softmax(dim=1))
    read = with_logits(softmax, x[:PROBE_ROWS], n_classes=2)
    assert isinstance(read, LogOf)
    with torch.no_grad():
        read(x)  # probabilities on every row: read
    read.inner = nn.Linear(2, 2)  # raw scores where probabilities were read
    with (
        pytest.raises(AuditorInputError, match="is not one; if its outputs are logits"),
        torch.no_grad(),
    ):
        read(x - 5)


def test_the_way_the_refusal_names_reads_the_logits_as_logits():
    class TwoLogits(nn.Module):  # the refusal's advice: [0, z]
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            z = x[:, :1] * 1.0
            return torch.cat([torch.zeros_like(z), z], dim=1)

    rows = _rows(1500, later=(-1.0, 2.0))
    result = auditor.audit_model(TwoLogits(), data=rows, target="label", sensitive=["group"],
                                 features=["x"], progress=False)  # fmt: skip
    expected = float(np.mean((rows.x > 0) == rows.label))
    assert result.data["performance"]["finetuned"]["test"]["accuracy"] == pytest.approx(expected)
