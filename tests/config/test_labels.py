"""One rule names a class from a label given as text or a value: the table's positive_label,
a supplied model's classes and [fairness] favourable_label agree on every case."""

from __future__ import annotations

import numpy as np
import pytest

from auditor.config.labels import label_index, label_key, same_label
from auditor.errors import AuditorInputError
from auditor.fairness.metrics import favourable_index


@pytest.mark.parametrize(
    ("wanted", "value", "same"),
    [("1", 1.0, True), ("1", "1.0", True), ("1.0", 1, True), ("01", 1, True),
     ("true", True, True), ("TRUE", "True", True), (" false", False, True), (True, "true", True),
     ("1", np.bool_(True), True), ("1.0", True, True), (True, 1, True), (False, 0.0, True),
     ("yes", "yes", True), ("0", 1.0, False), ("yes", "no", False), ("x", 1.0, False),
     ("true", "1", False), ("true", 1, False), ("false", True, False), ("Yes", "yes", False),
     ("1", "True", True), ("0", "false", True), ("2", True, False), (1, "True", True),
     ("false", "False", True)],
)  # fmt: skip
def test_same_label_by_text_or_by_value(wanted, value, same):
    assert same_label(wanted, value) is same


CASES = [  # (classes as read from a file, wanted) -> the class named, or None
    ([0.0, 1.0], "1", 1.0),
    ([0, 1], True, 1),
    ([False, True], "true", True),  # positive_value refused it: "true" is not "True"
    ([False, True], "FALSE", False),
    (["False", "True"], "true", "True"),
    (["no", "yes"], "no", "no"),
    (["1", "1.0"], "1", "1"),  # written the same wins (favourable_index refused: two equal 1)
    (["1.0", "01"], 1, None),  # two labels equal 1: neither
    ([0, 1], "true", None),  # a 0/1 column holds numbers, not truth values
    (["False", "True"], "1", "True"),  # a boolean target's class names: "1" names True
    (["no", "yes"], "maybe", None),
]


@pytest.mark.parametrize(("labels", "wanted", "named"), CASES)
def test_positive_label_and_favourable_label_name_the_same_class(labels, wanted, named):
    index = label_index(labels, wanted)
    assert (None if index is None else labels[index]) == named
    names = [str(v) for v in labels]  # the checks see the classes by name, the label as text
    if not isinstance(wanted, str):  # favourable_label is text only
        return
    if named is None:
        with pytest.raises(AuditorInputError, match="not a class"):
            favourable_index(names, wanted)
    else:
        assert favourable_index(names, wanted) == labels.index(named)


LABELS = [1, 1.0, 0, "1", "01", "1.0", " 1 ", True, False, "true", "TRUE", "False", "no", "No",
          "yes", np.bool_(True), np.int64(0), np.float64(2.5), "2.5", "inf", float("inf"), "x"]


def test_label_key_is_same_label_either_way_round():
    # check_one_way keys each class by label_key: two keys meet exactly where one label names
    # the other by same_label, in one order or the other
    for a in LABELS:
        for b in LABELS:
            either = same_label(a, b) or same_label(b, a)
            assert (label_key(a) == label_key(b)) == either, (a, b)


@pytest.mark.parametrize(("labels", "splits"), [
    (["Yes", "yes", "No"], True), ([">50K", ">50K.", "<=50K", "<=50K."], True),
    (["yes", "no"], False), (["K", "k", "B", "b"], False), (["AA", "Aa", "aa"], False),
    (["A", "a", "B", "b", "C"], False), (["K", "k", "B", "b", "b."], True),
])  # fmt: skip
def test_spellings_split_two_classes_only_where_one_class_is_written_two_ways(labels, splits):
    """One rule for both paths: chess pieces 'K'/'k' were refused as one class written two
    ways, with no way past."""
    from auditor.config.labels import spelling_splits_two

    assert spelling_splits_two(labels) is splits


def test_loose_label_takes_case_and_one_trailing_period_only():
    """casefold() made 'Maße' and 'Masse' one label, and rstrip('.') '.' and '...'."""
    from auditor.config.labels import loose_label

    assert loose_label(" >50K. ") == loose_label(">50k") == ">50k"
    assert loose_label("Maße") != loose_label("Masse")
    assert loose_label("...") != loose_label(".")
    assert loose_label("etc..") == "etc."
