"""Naming a class by value: a favourable or positive label given as text ("1", "true")
names the class whose value it is, in `auditor run` as in `auditor audit`."""

from __future__ import annotations

import pytest

from auditor.errors import AuditorInputError
from auditor.fairness.metrics import favourable_index


def test_a_favourable_label_names_a_float_class_by_value():
    """`[fairness] favourable_label = "1"` on a 0.0/1.0 target was 'not a class (0.0, 1.0)'
    in `auditor run`, while `auditor audit` took it."""
    assert favourable_index(["0.0", "1.0"], "1") == 1
    assert favourable_index(["no", "yes"], "yes") == 1
    with pytest.raises(AuditorInputError, match="not a class"):
        favourable_index(["0.0", "1.0"], "2")
