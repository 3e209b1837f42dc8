"""Bad supplied models are refused with exit 2, a one-line message naming the file and what
is wrong, before any audit: foreign types in a skops file, pickled objects in a checkpoint,
a factory with the wrong signature, a state dict that does not fit, a missing column."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from auditor.cli import app
from auditor.config.functions import BAD_SIGNATURE
from auditor.errors import AuditorInputError
from auditor.models import supplied
from auditor.models.supplied import (
    REFUSED_PICKLE,
    STATE_MISMATCH,
    UNTRUSTED,
    import_function,
    load_skops,
)

runner = CliRunner()


class Doubler:
    """Not a scikit-learn type: a skops file holding it must be refused."""

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        p = np.clip(np.asarray(x, dtype=float)[:, :1], 0, 1)
        return np.hstack([1 - p, p])


def _run(folder):
    return runner.invoke(app, ["run", str(folder / "audit.toml"), "--out", str(folder / "o"),
                               "--quiet"])  # fmt: skip


def test_skops_file_with_a_foreign_type_is_refused(sklearn_folder):
    import skops.io as sio
    from sklearn.pipeline import make_pipeline

    sio.dump(make_pipeline(Doubler()), sklearn_folder / "model.skops")
    res = _run(sklearn_folder)
    assert res.exit_code == 2
    assert "model.skops" in res.output and "Doubler" in res.output
    assert UNTRUSTED.split("{")[0] in res.output
    assert not (sklearn_folder / "o").exists()
    with pytest.raises(AuditorInputError, match="Doubler"):
        load_skops(sklearn_folder / "model.skops")


def test_pickled_module_checkpoint_is_refused(checkpoint_folder):
    import torch

    from tests.supplied import tiny_mlp

    torch.save(tiny_mlp.build((5,), 2), checkpoint_folder / "model.pt")  # a whole pickled module
    res = _run(checkpoint_folder)
    assert res.exit_code == 2
    assert "model.pt" in res.output
    assert REFUSED_PICKLE.split("(")[0].strip() in res.output


def test_state_dict_that_does_not_fit_the_factory_is_refused(checkpoint_folder):
    import torch

    from tests.supplied import tiny_mlp

    torch.save(tiny_mlp.TinyMLP(4, 2).state_dict(), checkpoint_folder / "model.pt")
    res = _run(checkpoint_folder)
    assert res.exit_code == 2
    assert STATE_MISMATCH.split("(")[0].strip() in res.output


def test_factory_signature_is_checked_before_it_is_called(checkpoint_folder):
    toml = checkpoint_folder / "audit.toml"
    toml.write_text(toml.read_text().replace("tiny_mlp:build", "tiny_mlp:build_positional_only"))
    res = _run(checkpoint_folder)
    assert res.exit_code == 2
    assert "model.factory" in res.output and "build_positional_only" in res.output
    assert "input_shape" in res.output and "n_classes" in res.output
    with pytest.raises(AuditorInputError) as info:
        import_function("tests.supplied.tiny_mlp:build_positional_only", field_name="f",
                        wanted=supplied.FACTORY_ARGS)  # fmt: skip
    assert BAD_SIGNATURE.split("{")[1].split("}")[1].strip() in str(info.value)  # "must accept"
    assert "input_shape, n_classes" in str(info.value)


def test_missing_column_in_the_member_rows_is_named(checkpoint_folder):
    import pandas as pd

    members = checkpoint_folder / "members.csv"
    pd.read_csv(members).drop(columns=["sex"]).to_csv(members, index=False)
    res = _run(checkpoint_folder)
    assert res.exit_code == 2
    assert "members.csv" in res.output and "'sex'" in res.output


def test_estimator_fitted_without_column_names_gets_numbers_only(adult_rows):
    from sklearn.linear_model import LogisticRegression

    import auditor
    from auditor.data.supplied import NOT_NUMERIC

    members = adult_rows["members"]
    model = LogisticRegression().fit(members[["age"]].to_numpy(), members["income"])
    with pytest.raises(AuditorInputError) as info:
        auditor.audit_model(model, data=adult_rows["eval"], target="income", sensitive=["sex"],
                            features=["age", "workclass"], progress=False)  # fmt: skip
    named = NOT_NUMERIC.format(col="workclass").replace("data.features", "features=")
    assert str(info.value).endswith(named)  # the argument, as the caller wrote it
