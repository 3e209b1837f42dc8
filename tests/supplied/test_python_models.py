"""auditor.audit_model with a PyTorch module given from Python (DataFrames in, the training
function named for the reference models): every section, Integrated Gradients included, and
the schema."""

from __future__ import annotations

import numpy as np
import pytest

import auditor
from auditor.config import AuditConfig, PrivacyConfig, TransparencyConfig
from auditor.errors import AuditorInputError
from auditor.record import validate_audit
from tests.supplied import tiny_mlp
from tests.supplied.conftest import NUMERIC, SENSITIVE, TARGET


def test_torch_module_from_python(adult_rows):
    members = adult_rows["members"]
    y = (members[TARGET] == ">50K").to_numpy().astype(np.int64)
    model = tiny_mlp.fit(members[NUMERIC].to_numpy(np.float32), y, seed=0)
    config = AuditConfig(privacy=PrivacyConfig(n_reference=2, probes=["loss", "rmia"]),
                         transparency=TransparencyConfig(ig_steps=16))  # fmt: skip
    result = auditor.audit_model(
        model, data=adult_rows["eval"], members=members, non_members=adult_rows["non_members"],
        target=TARGET, sensitive=SENSITIVE, features=NUMERIC, positive_label=">50K",
        train="tests.supplied.tiny_mlp:fit", config=config, progress=False,
    )  # fmt: skip
    assert result.run_dir is None
    validate_audit(result.json_data())
    data = result.data
    assert data["config"]["model"] == {**data["config"]["model"], "kind": "python",
                                       "train": "tests.supplied.tiny_mlp:fit"}  # fmt: skip
    assert data["explanations"]["status"] == "ok"
    assert data["explanations"]["baseline"] == "the mean member (training) row"
    assert set(data["privacy"]["attacks"]) >= {"loss", "rmia"}
    assert data["data"]["finetune_task"]["class_names"] == ["<=50K", ">50K"]
    assert "supplied" in result.to_html()


def test_torch_module_without_member_rows(adult_rows):
    """No members and non-members: privacy says why it did not run; attributions start from
    the mean evaluation row."""
    members = adult_rows["members"]  # trained: random weights may rank the classes backwards
    y = (members[TARGET] == ">50K").to_numpy().astype(np.int64)
    model = tiny_mlp.fit(members[NUMERIC].to_numpy(np.float32), y, seed=0)
    result = auditor.audit_model(
        model, data=adult_rows["eval"], target=TARGET, sensitive=SENSITIVE, features=NUMERIC,
        positive_label=">50K", progress=False,
    )  # fmt: skip
    data = result.data
    # the caller wrote arguments, not config keys: "(data.members, data.non_members)" was said
    assert data["privacy"]["status"] == "not_run"
    assert data["privacy"]["reason"].endswith("rows (members=, non_members=)")
    assert data["explanations"]["baseline"] == "the mean evaluation row"
    assert data["explanations"]["convergence_delta_mean_abs"] is not None
    validate_audit(result.json_data())


def test_missing_inputs_for_a_module_from_python_are_refused(adult_rows):
    """A DataFrame with a missing input value, for a PyTorch module: refused before the model
    runs, naming the argument, the column and the first data row (the error said the
    module's outputs were not finite)."""
    model = tiny_mlp.build((len(NUMERIC),), 2)
    data = adult_rows["eval"].copy()
    data.loc[data.index[4], NUMERIC[1]] = np.nan
    with pytest.raises(AuditorInputError) as err:
        auditor.audit_model(model, data=data, target=TARGET, sensitive=SENSITIVE,
                            features=NUMERIC, positive_label=">50K", progress=False)  # fmt: skip
    assert err.value.field == "features"
    assert f"column {NUMERIC[1]!r} has a missing value in 1 row (first at data row 5)" in str(
        err.value)  # fmt: skip
