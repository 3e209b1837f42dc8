"""A checkpoint whose sizes do not fit the factory's module: the error names where the
disagreeing number came from, the data's input columns (input_shape) or the classes
(n_classes), and not the classes when only the input width disagrees."""

from __future__ import annotations

import pytest
import torch

from auditor.errors import AuditorInputError
from auditor.models.mismatch import Sizes, mismatch_why, mismatched_sizes
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
    assert mismatched_sizes(state, own) == Sizes(outputs={64}, either={5, 1})
    assert mismatch_why(Sizes(outputs={64}), input_shape=(9,), n_classes=2,
                        classes_given=True) == ""  # fmt: skip
    both = mismatch_why(Sizes(inputs={9}, outputs={2}), input_shape=(9,), n_classes=2,
                        classes_given=True)  # fmt: skip
    assert "input_shape = (9,)" in both and both.endswith("the labels in model.classes")


@pytest.mark.parametrize(("saved", "says", "not_said", "shape"), [
    # 2 input columns and 2 classes: a checkpoint for 3 classes named input_shape too
    (((2,), 3), "n_classes = 2: the target's", "input_shape",
     "2.weight is [3, 4] in the file, [2, 4] in the module; 2.bias is [3] in the file, [2] "
     "in the module)"),
    (((3,), 2), "input_shape = (2,)", "n_classes",
     "0.weight is [4, 3] in the file, [4, 2] in the module)"),
])  # fmt: skip
def test_inputs_and_classes_of_one_size_are_told_apart(tmp_path, monkeypatch, saved, says,
                                                       not_said, shape):
    # the detail was torch's text cut at 300 characters ("... the shape in current mod")
    from auditor.models.supplied import load_checkpoint_model

    name = next(importable(tmp_path, monkeypatch, "a_sized_factory", WRAPPED_FACTORY))
    path = tmp_path / "model.pt"
    torch.save(__import__(name).make(*saved).state_dict(), path)
    with pytest.raises(AuditorInputError) as err:
        load_checkpoint_model(path, factory=f"{name}:make", input_shape=(2,), n_classes=2)
    text = err.value.message
    assert says in text and not_said not in text and err.value.field == "model.factory"
    assert f"(size mismatch: {shape}" in text


def test_a_norm_over_the_inputs_is_read_by_the_weight_beside_it():
    # a 1-D tensor of the input width (a BatchNorm over the inputs) beside a first layer's
    # [out, in] weight: the inputs, not the classes, though both are 2
    state = {"bn.weight": torch.zeros(3), "fc.weight": torch.zeros(4, 3)}
    own = {"bn.weight": torch.zeros(2), "fc.weight": torch.zeros(4, 2)}
    why = mismatch_why(mismatched_sizes(state, own), input_shape=(2,), n_classes=2,
                       classes_given=False)  # fmt: skip
    assert "input_shape = (2,)" in why and "n_classes" not in why


def test_an_images_input_size_names_its_channels_not_input_columns():
    # an image checkpoint of 3 channels on 1-channel images said 'the data's 64 input columns
    # (data.features, else every column but the target ...)', a table's words
    why = mismatch_why(Sizes(inputs={1}), input_shape=(1, 8, 8), n_classes=2,
                       classes_given=False)  # fmt: skip
    assert why == "; input_shape = (1, 8, 8): the images' channels, height and width"
