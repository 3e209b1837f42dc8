"""A module that does not take the data's inputs is named with its shapes and the layer given
them (the one of the width torch names: it was called "its first layer", which it need not
be); any other error of its forward pass is left to the caller, which names it with its line."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from auditor.errors import AuditorInputError
from auditor.models.takes import check_forward, check_takes_rows, input_layer


class Raises(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layer = nn.Linear(3, 2)

    def forward(self, x):
        raise ValueError("my own bug")


def test_an_image_factory_ignoring_the_channels_names_them():
    # was: "raised RuntimeError: Given groups=1, weight of size [4, 3, 3, 3], expected ..."
    module = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.LazyLinear(2))
    with pytest.raises(AuditorInputError) as err:
        check_forward(module, spec="m:build", input_shape=(1, 8, 8), n_classes=2)
    text = str(err.value)
    assert text.startswith("model.factory: 'm:build' builds a module that does not take inputs"
                           " of shape (rows, 1, 8, 8) (input_shape = (1, 8, 8): the images' "
                           "channels, height and width): ")  # not 'the data's 64 input columns'
    assert "the layer given them, Conv2d(3 -> 4), takes 3 channels" in text
    assert "expected input[2, 1, 8, 8] to have 3 channels" in text


def test_another_error_of_the_forward_pass_is_named_with_its_line():
    with pytest.raises(AuditorInputError, match=r"raised ValueError: my own bug \(at test_takes"):
        check_forward(Raises(), spec="m:build", input_shape=(3,), n_classes=2)


def test_rows_of_other_columns_name_the_columns_and_the_fix():
    module = nn.Sequential(nn.Linear(5, 2)).double()  # its own dtype: fed float64
    rows = torch.zeros((4, 2)).numpy()
    with pytest.raises(AuditorInputError) as err:
        check_takes_rows(module, rows, ("x1", "x2"))
    assert str(err.value).startswith(
        "model: Sequential does not take inputs of shape (rows, 2) (the rows' 2 input columns:"
        " x1, x2): the layer given them, Linear(5 -> 2), takes 5; give it the columns it was "
        "trained on, in their order, in features= (it receives float32 (rows, columns): wrap a "
        "module that takes another shape) (torch: mat1 and mat2 shapes")
    check_takes_rows(nn.Linear(2, 2).double(), rows, ("x1", "x2"))  # fits: nothing raised
    check_takes_rows(Raises(), rows, ("x1", "x2"))  # not a shape error: left to the audit


def test_a_module_without_a_fixed_width_names_no_layer():
    assert input_layer(nn.Sequential(nn.ReLU()), width=3) == ""


def fixed_width_module(x, y, seed):
    """A trainer whose module takes 5 inputs whatever x it was given."""
    torch.manual_seed(seed)
    return nn.Linear(5, 2)


def test_a_reference_module_of_a_fixed_width_names_the_trainer_and_its_input_layer():
    # was: "model.train: 'Linear.forward' raised RuntimeError: mat1 and mat2 shapes cannot be
    # multiplied (3000x2 and 5x2)"
    from auditor.models.supplied import user_trainer

    x = torch.zeros((6, 2)).numpy()
    trainer = user_trainer("tests.models.test_takes:fixed_width_module", lambda v: v,
                           torch.device("cpu"), n_classes=2)  # fmt: skip
    predict = trainer(x, torch.zeros(6, dtype=torch.int64).numpy(), 0)
    with pytest.raises(AuditorInputError) as err:
        predict(x)
    assert str(err.value) == (
        "model.train: the module fit returned (Linear) does not take inputs of shape (rows, 2) "
        "(x as fit(x=...) received it): the layer given them, Linear(5 -> 2), takes 5; build it "
        "from x.shape[1:] (torch: mat1 and mat2 shapes cannot be multiplied (2x2 and 5x2))")


def nan_module(x, y, seed):
    """A trainer whose training diverged: NaN weights."""
    module = nn.Linear(x.shape[1], 2)
    with torch.no_grad():
        module.weight.fill_(float("nan"))
    return module


def test_a_reference_module_with_nan_outputs_names_no_data_row():
    # was: "... on 6 of 6 rows (first: data row 1)": a row of the pool the reference scored,
    # read as the first row of the user's evaluation file
    from auditor.models.supplied import user_trainer

    x = torch.zeros((6, 2)).numpy()
    trainer = user_trainer("tests.models.test_takes:nan_module", lambda v: v,
                           torch.device("cpu"), n_classes=2)  # fmt: skip
    with pytest.raises(AuditorInputError) as err:
        trainer(x, torch.zeros(6, dtype=torch.int64).numpy(), 0)(x)
    assert str(err.value) == (
        "model.train: the model fit returned (Linear) gives outputs that are not finite numbers"
        " (NaN or infinite) on 6 of the 6 rows it scored (members, non-members and population "
        "rows): its training diverged (NaN weights: a lower learning rate), or it cannot score "
        "them")


def test_a_one_channel_layer_is_named_in_the_singular():
    layer = input_layer(nn.Sequential(nn.Conv1d(1, 4, 1)), width=1, channels=True)
    assert layer == ": the layer given them, Conv1d(1 -> 4), takes 1 channel"


class HeadFirst(nn.Module):
    """Its head registered before its body: the layer given the inputs is the body."""

    def __init__(self) -> None:
        super().__init__()
        self.head, self.body = nn.Linear(8, 2), nn.Linear(5, 8)

    def forward(self, x):
        return self.head(torch.relu(self.body(x)))


class NeedsBatch(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layer = nn.Linear(3, 2)

    def forward(self, x):
        if x.shape[0] < 4:
            raise RuntimeError("batch size must be at least 4")
        return self.layer(x)


def _refusal(module, columns=("x1", "x2")) -> str:
    with pytest.raises(AuditorInputError) as err:
        check_takes_rows(module, torch.zeros((4, len(columns))).numpy(), columns)
    return str(err.value)


def test_the_layer_named_is_the_one_of_the_width_torch_says_not_the_first_registered():
    # was: "its first layer, Linear(8 -> 2), takes 8" beside torch's "(2x2 and 5x8)", then
    # "its first layer, Linear(5 -> 8)" of a layer registered second
    text = _refusal(HeadFirst())
    assert ": the layer given them, Linear(5 -> 8), takes 5; give it" in text
    assert text.endswith("(torch: mat1 and mat2 shapes cannot be multiplied (2x2 and 5x8))")


def test_an_error_that_is_not_the_inputs_width_is_left_to_the_module():
    # was refused as "does not take inputs of shape (rows, 3) ...: its first layer,
    # Linear(3 -> 2), takes 3": a model that runs on real batches, its own words contradicted
    rows = torch.zeros((4, 3)).numpy()
    check_takes_rows(NeedsBatch(), rows, ("x1", "x2", "x3"))  # nothing raised
    hidden = nn.Sequential(nn.Linear(3, 8), nn.Linear(5, 2))  # its own sizes disagree
    check_takes_rows(hidden, rows, ("x1", "x2", "x3"))  # left to the audit's own call


def test_a_torchscript_module_is_named_by_its_class_and_torch_line_in_full():
    # was "RecursiveScriptModule does not take ... RecursiveScriptModule(5 -> 8) ... (torch:
    # The following operation failed in the TorchScript inter", cut at 200 characters
    text = _refusal(torch.jit.script(nn.Sequential(nn.Linear(5, 8), nn.Linear(8, 2))))
    assert text.startswith("model: Sequential does not take inputs of shape (rows, 2)")
    assert ": the layer given them, Linear(5 -> 8), takes 5; " in text
    assert text.endswith(
        "(torch: RuntimeError: mat1 and mat2 shapes cannot be multiplied (2x2 and 5x8))")
