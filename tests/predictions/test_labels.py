"""The class a label given as text names in a predictions file (``class_name_of``): the one
written the same first (``auditor.config.labels.label_index``), else the one of the same value."""

from __future__ import annotations

import numpy as np
import pytest

from auditor.fairness.counts import counts_from_arrays
from auditor.predictions.labels import class_name_of


def _table(classes: list):
    y = np.array(classes, dtype=object)
    return counts_from_arrays(y, y, {"g": np.array(["a"] * len(classes))})


@pytest.mark.parametrize(("classes", "label", "name"), [
    (["01", "1"], 1, "1"),  # written the same as one, the value of both: that one
    (["01", "1"], "01", "01"),
    (["1", "1.0"], "1.0", "1.0"),
    ([0.0, 1.0], "1", "1.0"),  # by value: '1' names the class 1.0
    ([False, True], "true", "True"),
    (["no", "yes"], "yes", "yes"),
    (["no", "yes"], "maybe", "maybe"),  # no class: the label itself (refused by its reader)
    (["01", "1"], "1.0", "1.0"),  # the value of two, written as neither: the label itself
    (["no", "yes"], None, None),
])  # fmt: skip
def test_a_label_names_the_class_written_the_same_first_else_by_value(classes, label, name):
    assert class_name_of(label, _table(classes)) == name
    assert type(class_name_of(label, _table(classes))) is type(name)
