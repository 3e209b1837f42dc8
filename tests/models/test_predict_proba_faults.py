"""A supplied object's predict_proba that returns the wrong width or complex numbers is
named for what it returned: a one-column predict_proba on a binary target was called "not
probabilities" (its rows do not sum to 1), and complex probabilities lost their imaginary
part with a ComplexWarning on every call, audited as if real."""

import warnings

import numpy as np
import pandas as pd
import pytest

import auditor
from auditor.errors import AuditorInputError


class Proba:
    """Scores ``x`` by its first column, its predict_proba shaped by ``shape``."""

    def __init__(self, shape):
        self.shape = shape

    def predict_proba(self, x):
        p = 1 / (1 + np.exp(-np.asarray(x, dtype=float)[:, 0]))
        return self.shape(np.c_[1 - p, p])


def rows():
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    return pd.DataFrame({"x": x, "g": np.where(rng.random(200) < 0.5, "a", "b"),
                         "y": (x + rng.normal(size=200) > 0).astype(int)})  # fmt: skip


def audit(model):
    return auditor.audit_model(model, data=rows(), target="y", sensitive=["g"], progress=False)


@pytest.mark.parametrize("shape", [lambda p: p[:, 1:], lambda p: p[:, :1]])
def test_one_column_of_predict_proba_is_named_by_its_shape(shape):
    with pytest.raises(AuditorInputError) as err:
        audit(Proba(shape))
    text = str(err.value)
    assert "'Proba.predict_proba' returned shape (200, 1) on 200 rows" in text, text
    assert "shape (200, 2)" in text and "not probabilities" not in text


def test_complex_probabilities_are_refused_not_read_as_their_real_part():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's ComplexWarning was the only sign
        with pytest.raises(AuditorInputError) as err:
            audit(Proba(lambda p: p + 0.5j))
    assert "complex" in str(err.value) and err.value.field == "model"


def test_probabilities_of_two_columns_still_audit():
    result = audit(Proba(lambda p: p))
    assert result.data["performance"]["finetuned"]["test"]["n"] == 200


def test_a_module_returning_complex_numbers_is_refused_not_read_as_their_real_part():
    import torch
    from torch import nn

    class Complex(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(1, 2)

        def forward(self, x):
            return self.linear(x).to(torch.complex64) + 1j

    data = rows()[["x", "g", "y"]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torch's "discards the imaginary part" was the only sign
        with pytest.raises(AuditorInputError) as err:
            auditor.audit_model(Complex(), data=data, target="y", sensitive=["g"],
                                progress=False)  # fmt: skip
    assert "'Complex.forward' returned complex numbers" in str(err.value)
