"""A checkpoint whose sizes do not fit the factory's module: the error names where the
disagreeing number came from, the data's input columns (input_shape) or the classes
(n_classes), and not the classes when only the input width disagrees."""

from __future__ import annotations

import pytest
import torch

from auditor.errors import AuditorInputError
from auditor.models.mismatch import mismatch_why, mismatched_sizes
from tests.models.test_checkpoint_files import WRAPPED_FACTORY
from tests.models.user_code import importable


@pytest.mark.parametrize(("saved", "says", "not_said"), [
    (((8,), 2), "input_shape = (9,): the data's 9 input columns (data.features", "n_classes"),
    (((9,), 3), "n_classes = 2: the target's classes", "input_shape"),
])  # fmt: skip
def test_a_size_mismatch_names_what_disagrees(tmp_path, monkeypatch, saved, says, not_said):
    from auditor.models.supplied import load_checkpoint_model

    name = next(importable(tmp_path, monkeypatch, "a_sized_factory", WRAPPED_FACTORY))
    path = tmp_path / "model.pt"
    torch.save(__import__(name).make(*saved).state_dict(), path)
    with pytest.raises(AuditorInputError, match="size mismatch") as err:
        load_checkpoint_model(path, factory=f"{name}:make", input_shape=(9,), n_classes=2)
    assert says in err.value.message and not_said not in err.value.message


def test_sizes_of_a_hidden_layer_name_neither():
    state = {"w": torch.zeros(32, 9), "v": torch.zeros(5)}
    own = {"w": torch.zeros(64, 9), "v": torch.zeros(5, 1)}
    assert mismatched_sizes(state, own) == {64, 5, 1}
    assert mismatch_why({64}, input_shape=(9,), n_classes=2, classes_given=True) == ""
    both = mismatch_why({9, 2}, input_shape=(9,), n_classes=2, classes_given=True)
    assert "input_shape = (9,)" in both and both.endswith("the labels in model.classes")
