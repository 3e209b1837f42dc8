"""``[model] classes``: the class of each output of a checkpoint, in output order. A module
trained with its outputs in another order than the target's sorted values was audited as if
every prediction were the other class, with nothing to say so."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from tests.supplied.conftest import HERE, NUMERIC, TARGET, audited, invoked, write_rows

CONFIG = """\
[data]
source = "table"
path = "eval.csv"
target = "income"
sensitive = ["sex"]
features = {features}
{positive}
[model]
kind = "checkpoint"
path = "model.pt"
factory = "tiny_mlp:build"
{classes}
[privacy]
enabled = false

[transparency]
explanations = false
"""


@pytest.fixture(scope="module")
def reversed_state(adult_rows, tmp_path_factory):
    """The tiny MLP trained with output 0 = '>50K', output 1 = '<=50K' (not sorted order)."""
    import torch

    from tests.supplied import tiny_mlp

    members = adult_rows["members"]
    y = (members[TARGET] == "<=50K").to_numpy().astype(np.int64)
    model = tiny_mlp.fit(members[NUMERIC].to_numpy(np.float32), y, seed=0)
    path = tmp_path_factory.mktemp("reversed") / "model.pt"
    torch.save(model.state_dict(), path)
    return path, model


def _folder(tmp_path, adult_rows, state, *, classes: str, positive: str = "") -> object:
    write_rows({"eval": adult_rows["eval"]}, tmp_path)
    shutil.copy(state, tmp_path / "model.pt")
    shutil.copy(HERE / "tiny_mlp.py", tmp_path / "tiny_mlp.py")
    features = json.dumps(NUMERIC)
    (tmp_path / "audit.toml").write_text(CONFIG.format(features=features, classes=classes,
                                                       positive=positive))  # fmt: skip
    return tmp_path


def _own_accuracy(model, rows) -> float:
    import torch

    with torch.no_grad():
        out = model(torch.as_tensor(rows[NUMERIC].to_numpy(np.float32))).argmax(dim=1).numpy()
    return float((out == (rows[TARGET] == "<=50K").to_numpy()).mean())


@pytest.mark.parametrize("positive", ["", 'positive_label = ">50K"'])
def test_model_classes_states_the_output_order(tmp_path, adult_rows, reversed_state, positive):
    state, model = reversed_state
    own = _own_accuracy(model, adult_rows["eval"])
    folder = _folder(tmp_path, adult_rows, state, classes='classes = [">50K", "<=50K"]',
                     positive=positive)  # fmt: skip
    _, audit = audited(folder)
    assert audit["performance"]["finetuned"]["test"]["accuracy"] == pytest.approx(own)
    assert own > 0.7
    assert audit["config"]["model"]["classes"] == [">50K", "<=50K"]  # recorded as given
    order = ["<=50K", ">50K"] if positive else [">50K", "<=50K"]  # the positive class last
    assert audit["data"]["finetune_task"]["class_names"] == order  # the audit's order
    (tmp_path / "b").mkdir()
    res = invoked(_folder(tmp_path / "b", adult_rows, state, classes="", positive=positive))
    # without it: read in sorted order, every prediction flipped (audited so, silently, before
    # the two-column rule of auditor.api._direction); refused, naming the line that says it
    assert res.exit_code == 2, res.output
    assert "two outputs per row rank the classes backwards" in res.output
    assert "[model] classes = ['>50K', '<=50K']" in res.output
    assert not (tmp_path / "b" / "run").exists()


@pytest.mark.parametrize(
    ("classes", "field", "words"),
    [
        ('classes = [">50K", "<=50k"]', "model.classes",
         "'<=50k' is not a value of the target column 'income' in any file"),
        ('classes = [">50K", "other", "<=50K"]', "model.classes",
         "'other' is not a value of the target column 'income'"),
        ('classes = [">50K", ">50K"]', "model.classes", "classes names '>50K' twice"),
        ('classes = [">50K", "<=50K", " >50K"]', "model.classes",
         "the model's classes '>50K' and ' >50K' read as one label"),
        ('classes = [">50K"]', "model.classes", "at least 2 items"),
    ],
)
def test_bad_model_classes_are_refused_before_any_work(tmp_path, adult_rows, reversed_state,
                                                       classes, field, words):  # fmt: skip
    folder = _folder(tmp_path, adult_rows, reversed_state[0], classes=classes)
    res = invoked(folder)
    assert res.exit_code == 2, res.output
    line = res.output.strip()
    assert "\n" not in line and f": {field}: " in line and words in line, line
    assert not (folder / "run").exists()


def test_a_target_value_outside_model_classes_is_refused(tmp_path, adult_rows, reversed_state):
    rows = adult_rows["eval"].copy()
    rows.loc[3, TARGET] = "unknown"
    folder = _folder(tmp_path, {"eval": rows}, reversed_state[0],
                     classes='classes = [">50K", "<=50K"]')  # fmt: skip
    res = invoked(folder)
    assert res.exit_code == 2 and "target value 'unknown' is not one of the model's" in res.output


def test_classes_of_a_width_the_state_dict_lacks_say_where_n_classes_came_from(
    tmp_path, adult_rows
):  # fmt: skip
    import torch

    from tests.supplied import tiny_mlp

    three = tmp_path / "three.pt"
    torch.save(tiny_mlp.TinyMLP(len(NUMERIC), 3).state_dict(), three)
    folder = _folder(tmp_path, adult_rows, three, classes='classes = [">50K", "<=50K"]')
    res = invoked(folder)
    assert res.exit_code == 2, res.output
    assert "size mismatch" in res.output and "n_classes = 2: the labels in model.classes" in (
        res.output
    )


def test_classes_are_for_a_checkpoint_only():
    from auditor.config import validate_config
    from auditor.errors import AuditorInputError

    with pytest.raises(AuditorInputError, match="an estimator's are its classes_"):
        validate_config({"data": {"source": "table", "path": "x.csv", "target": "y",
                                  "sensitive": ["g"]},
                         "model": {"kind": "sklearn", "path": __file__, "classes": [0, 1]}},
                        source="a.toml")  # fmt: skip
