"""One class written two ways in a target column ('1', '1.0' and 'True' beside '0'; 'true'
and 'True') is refused, naming both: it was audited as three or four classes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditor.config import TableData
from auditor.data._labels import check_one_way
from auditor.data.table import validate_table
from auditor.errors import AuditorInputError


@pytest.mark.parametrize(
    ("labels", "pair"),
    [(["0", "1", "1.0", "True"], ("1", "1.0")), (["False", "True", "true"], ("True", "true")),
     (["1", "01", "2"], ("1", "01")), ([0, 1, "1"], (1, "1"))],
)  # fmt: skip
def test_one_value_written_two_ways_is_refused(labels, pair):
    with pytest.raises(AuditorInputError) as err:
        check_one_way(labels, col="y", what="classes", src="t.csv", field="data.target")
    assert f"holds {pair[0]!r} and {pair[1]!r}, one value written two ways" in str(err.value)


@pytest.mark.parametrize(
    ("labels", "pair"),
    [(["no", "yes", "Yes"], ("yes", "Yes")), (["<=50K", ">50K", ">50K."], (">50K", ">50K.")),
     (["<=50K.", ">50K", "<=50k"], ("<=50K.", "<=50k"))],
)  # fmt: skip
def test_text_alike_but_for_case_or_a_trailing_period_is_refused(labels, pair):
    """As the predictions path refuses them (adult.data's '>50K' beside adult.test's
    '>50K.' in files joined; 'Yes' beside 'yes'): audited as two classes, a binary target
    turned three."""
    with pytest.raises(AuditorInputError) as err:
        check_one_way(labels, col="y", what="classes", src="t.csv", field="data.target")
    assert f"holds {pair[0]!r} and {pair[1]!r} (alike but for case or a trailing period, as " in (
        str(err.value))


def test_a_joined_adult_target_is_refused_before_any_work(tmp_path):
    data = _csv(tmp_path, ["<=50K", ">50K", "<=50K.", ">50K."] * 50)
    with pytest.raises(AuditorInputError) as err:
        validate_table(data)
    assert err.value.field == "data.target"
    assert str(err.value).endswith(
        "column 'y' holds '<=50K' (50 rows) and '<=50K.' (50 rows) (alike but for case or a "
        "trailing period, as adult.test's labels end in '.'): one class written two ways turns "
        "2 classes into 4; write it one way")  # fmt: skip


@pytest.mark.parametrize("labels", [["no", "yes"], [0, 1], [True, False], ["1", "2", "a"],
                                    ["<=50K", ">50K"], ["nan", "inf"]])  # fmt: skip
def test_distinct_values_pass(labels):
    check_one_way(labels, col="y", what="classes", src="t.csv", field="data.target")


def _csv(tmp_path, target) -> TableData:
    rng = np.random.default_rng(0)
    n = len(target)
    path = tmp_path / "t.csv"
    pd.DataFrame({"x": rng.normal(size=n), "g": ["a", "b"] * (n // 2), "y": target}).to_csv(
        path, index=False
    )
    return TableData(path=path, target="y", sensitive=["g"])


def test_a_table_with_a_mixed_target_is_refused_before_any_work(tmp_path):
    data = _csv(tmp_path, ["0", "1", "1.0", "True"] * 50)
    with pytest.raises(AuditorInputError) as err:
        validate_table(data)
    assert err.value.field == "data.target" and "'1' and '1.0'" in str(err.value)


def test_a_module_audited_on_a_mixed_target_is_refused(tmp_path):
    from torch import nn

    import auditor

    frame = pd.read_csv(_csv(tmp_path, ["0", "1", "True", "0"] * 50).path)
    with pytest.raises(AuditorInputError) as err:
        auditor.audit_model(nn.Linear(1, 3), data=frame, target="y", sensitive=["g"],
                            progress=False)  # fmt: skip
    # from Python the field is the argument the caller wrote (auditor.api._errors)
    assert err.value.field == "target" and "'1' and 'True'" in str(err.value)


def test_one_pass_finds_what_same_label_finds():
    # the one-pass keys against the label rule itself, on every pair of a mixed pool
    from itertools import combinations

    from auditor.config.labels import same_label

    pool = ["0", "1", "1.0", "01", " 1", "True", "true", "TRUE", "False", "false", "yes", "Yes",
            "a", "1e0", "2", "-0", 0, 1, 2, 1.0, 0.5, "0.5", True, False, np.int64(1),
            np.float64(2.0), np.bool_(True), "nan", "NaN", "inf"]  # fmt: skip
    for a, b in combinations(pool, 2):
        want = same_label(a, b) or same_label(b, a)  # two labels alike in case: two classes
        try:
            check_one_way([a, b], col="y", what="classes", src="t", field="data.target")
            got = False
        except AuditorInputError:
            got = True
        assert got == want, (a, b)


@pytest.mark.parametrize("labels", [["K", "k", "B", "b"], ["AA", "Aa", "aa"],
                                    ["A", "a", "B", "b", "C"], ["yes", "Yes"],
                                    [">50K", ">50K.", "<=50K", "<=50K.", "x"]])  # fmt: skip
def test_classes_apart_only_in_case_are_classes(labels):
    """Chess pieces 'K' and 'k', letters, genotypes 'AA', 'Aa', 'aa' were refused as one
    class written two ways, with no way past: only where the spellings turn a two-class
    target into more is that refused."""
    check_one_way(labels, col="y", what="classes", src="t.csv", field="data.target")


def test_a_table_of_chess_pieces_is_read(tmp_path):
    checked = validate_table(_csv(tmp_path, ["K", "k", "B", "b"] * 50))
    assert len(np.unique(checked.y)) == 4


def test_a_table_of_classes_apart_only_in_case_is_noted_on_the_card(tmp_path):
    """The table path's description names the classes alike but for case with their rows,
    as the predictions path's notes do (they were refused)."""
    from auditor.data.table import load_table_bundle

    bundle = load_table_bundle(_csv(tmp_path, ["K", "k", "B", "b"] * 50), seed=0)
    assert (
        "columns). y: 'B' (50 rows), 'b' (50 rows); 'K' (50 rows), 'k' (50 rows) differ only in "
        "case or a trailing period and are audited as separate classes. "
    ) in bundle.description
