"""A supplied model's NaN or infinite outputs name the rows they are on: the evaluation rows,
the members or the non-members (a member row's NaN was named "data row 59" under model
alone: a row of the evaluation data to any reader)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import auditor
from auditor.api._finite import NOT_FINITE_ROWS
from auditor.errors import AuditorInputError
from tests.builders import two_feature_frame

MARK = 1000.0  # an input no other row has: the model's output there is NaN


class NanAtMark(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(2, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.linear(x).clone()
        out[x[:, 1] == MARK] = float("nan")
        return out


@pytest.mark.parametrize(("arg", "start"), [("data=", 600), ("members=", 0),
                                            ("non_members=", 300)])  # fmt: skip
def test_nan_outputs_name_the_rows_given_and_the_first_row_there(arg, start):
    frame = two_feature_frame(5)
    frame.loc[[start + 58, start + 181], "x2"] = MARK
    with pytest.raises(AuditorInputError) as err:
        auditor.audit_model(NanAtMark(), data=frame[600:], members=frame[:300],
                            non_members=frame[300:600], target="label", sensitive=["group"],
                            progress=False)  # fmt: skip
    want = NOT_FINITE_ROWS.format(n=2, rows=300, arg=arg, row="data row 59")
    assert (err.value.source, err.value.field, err.value.message) == (None, "model", want)


def test_nan_outputs_on_a_file_name_the_file(tmp_path):
    frame = two_feature_frame(5)
    frame.loc[[4], "x2"] = MARK
    members = tmp_path / "members.csv"
    frame[:300].to_csv(members, index=False)
    with pytest.raises(AuditorInputError) as err:
        auditor.audit_model(NanAtMark(), data=frame[600:], members=members,
                            target="label", sensitive=["group"], progress=False)  # fmt: skip
    want = NOT_FINITE_ROWS.format(n=1, rows=300, arg=f"members= ({members})", row="data row 5")
    assert str(err.value) == f"model: {want}"
