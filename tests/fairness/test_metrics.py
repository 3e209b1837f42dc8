"""Naming a class by value: a favourable or positive label given as text ("1", "true")
names the class whose value it is, in `auditor run` as in `auditor audit`."""

from __future__ import annotations

import numpy as np
import pytest

from auditor.errors import AuditorInputError
from auditor.fairness.metrics import favourable_index, same_label


@pytest.mark.parametrize(
    ("text", "value", "same"),
    [("1", 1.0, True), ("1", "1.0", True), ("1.0", 1, True), ("true", True, True),
     ("1", np.bool_(True), True), ("false", "False", True), ("yes", "yes", True),
     ("0", 1.0, False), ("yes", "no", False), ("x", 1.0, False), ("true", "1", False)],
)  # fmt: skip
def test_same_label_by_text_or_by_value(text, value, same):
    assert same_label(text, value) is same


def test_a_favourable_label_names_a_float_class_by_value():
    """`[fairness] favourable_label = "1"` on a 0.0/1.0 target was 'not a class (0.0, 1.0)'
    in `auditor run`, while `auditor audit` took it."""
    assert favourable_index(["0.0", "1.0"], "1") == 1
    assert favourable_index(["no", "yes"], "yes") == 1
    with pytest.raises(AuditorInputError, match="not a class"):
        favourable_index(["0.0", "1.0"], "2")
