"""Rows supplied with a model trained elsewhere: the model's own classes and positive_label."""

from __future__ import annotations

import pandas as pd
import pytest

from auditor.config import TableData
from auditor.data.supplied import supplied_rows
from auditor.errors import AuditorInputError


def rows_config(**changes):
    return TableData(path="rows.csv", target="label", sensitive=["group"], features=["x"],
                     **changes)  # fmt: skip


FRAME = pd.DataFrame({"x": [0.1, 0.2, 0.3, 0.4], "group": list("abab"),
                      "label": ["no", "yes", "no", "yes"]})  # fmt: skip


def test_positive_label_may_be_any_of_the_models_classes():
    # an estimator's classes_ ("no", "yes") fix its output order; positive_label = "no" is
    # audited last, read from the model's first column (it was refused: not the last class)
    rows = supplied_rows(rows_config(positive_label="no"), frames={"path": FRAME},
                         labels=("no", "yes"))  # fmt: skip
    assert rows.labels == ("yes", "no") and rows.outputs == (1, 0)
    assert rows.bundle.finetune_task.class_names == ("yes", "no")
    assert rows.bundle.splits["test"].y.tolist() == [1, 0, 1, 0]  # "no" is class 1
    with pytest.raises(AuditorInputError, match="not one of the model's classes") as err:
        supplied_rows(rows_config(positive_label="maybe"), frames={"path": FRAME},
                      labels=("no", "yes"))  # fmt: skip
    assert err.value.field == "data.positive_label"
    rows = supplied_rows(rows_config(positive_label="yes"), frames={"path": FRAME},
                         labels=("no", "yes"))  # fmt: skip
    assert rows.labels == ("no", "yes") and rows.outputs == (0, 1)


def test_a_module_reads_its_outputs_in_the_audits_order():
    rows = supplied_rows(rows_config(positive_label="no"), frames={"path": FRAME})
    assert rows.labels == ("yes", "no") and rows.outputs == (0, 1)


@pytest.mark.parametrize(
    ("target", "classes", "y"),
    [([0, 1, 0, 1], (0.0, 1.0), [0, 1, 0, 1]),  # refused: '0' is not '0.0'
     ([0, 1, 0, 1], (False, True), [0, 1, 0, 1]),
     ([True, False, True, False], (True, False), [0, 1, 0, 1]),
     (["true", "false", "true", "false"], (False, True), [1, 0, 1, 0])],
)  # fmt: skip
def test_the_targets_values_name_the_models_classes_by_value(target, classes, y):
    rows = supplied_rows(rows_config(), frames={"path": FRAME.assign(label=target)},
                         labels=classes)  # fmt: skip
    assert rows.bundle.splits["test"].y.tolist() == y


def three_files(members: pd.DataFrame, non_members: pd.DataFrame | None = None):
    cfg = rows_config(members="train.csv", non_members="held_out.csv")
    frames = {"path": FRAME, "members": members,
              "non_members": FRAME.assign(x=[0.5, 0.6, 0.7, 0.8]) if non_members is None
              else non_members}  # fmt: skip
    return cfg, frames


def test_a_column_missing_from_the_members_names_their_file():
    cfg, frames = three_files(FRAME.drop(columns="x"))
    with pytest.raises(AuditorInputError, match="no column 'x'") as err:
        supplied_rows(cfg, frames=frames)
    assert err.value.source == "train.csv"  # it was 'members'


def test_text_in_a_column_of_numbers_names_the_file_the_text_and_the_row():
    # the model was handed 'unknown' where it was fitted on numbers: its predict_proba raised
    members = FRAME.assign(x=["0.1", "0.2", "unknown", "0.4"])
    cfg, frames = three_files(members)
    with pytest.raises(AuditorInputError) as err:
        supplied_rows(cfg, frames=frames)
    assert err.value.source == "train.csv" and err.value.field == "data.features"
    assert "holds numbers in rows.csv but text here ('unknown' in 1 row, first at data row 3)" in (
        str(err.value)
    )


def test_non_members_that_are_the_members_are_refused():
    rows = pd.DataFrame({"x": [i / 40 for i in range(40)], "group": list("ab") * 20,
                         "label": ["no", "yes", "yes", "no"] * 10})  # fmt: skip
    cfg, frames = three_files(rows, rows.copy())  # the members file given twice
    with pytest.raises(AuditorInputError, match="the 40 non-member rows are the 40 member rows"):
        supplied_rows(cfg, frames=frames)
    cfg, frames = three_files(FRAME, FRAME.copy())  # 4 rows: chance could give it (p = 0.09)
    assert len(supplied_rows(cfg, frames=frames).bundle.splits["holdout"].y) == 4
    one_shared = FRAME.assign(x=[0.1, 0.6, 0.7, 0.8])  # one equal row: natural, kept
    cfg, frames = three_files(FRAME, one_shared)
    assert len(supplied_rows(cfg, frames=frames).bundle.splits["holdout"].y) == 4


def test_a_class_written_with_a_space_is_one_class_for_a_module():
    # 'yes ' was refused (before that, a third output); now the one class 'yes', named
    frame = FRAME.assign(label=["no", "yes", "no", "yes "])
    rows = supplied_rows(rows_config(), frames={"path": frame})
    assert rows.labels == ("no", "yes") and list(rows.bundle.splits["test"].y) == [0, 1, 0, 1]
    assert "label: 'yes', 'yes ' are read as one label 'yes'" in rows.bundle.description


def test_validation_hands_each_files_groups_to_the_loader(tmp_path, monkeypatch):
    # preflight's validate_supplied groups each file (evaluation rows, members, non-members);
    # the loader's split takes those groups with the same frame: one sensitive_groups a file
    import auditor.data.supplied as supplied

    paths = {}
    for key, x in (("path", 0.0), ("members", 1.0), ("non_members", 2.0)):
        paths[key] = tmp_path / f"{key}.csv"
        FRAME.assign(x=FRAME["x"] + x).to_csv(paths[key], index=False)
    named = {"target": "label", "sensitive": ["group"], "features": ["x"]}
    cfg = TableData(**paths, **named)
    made = []
    real = supplied.sensitive_groups
    monkeypatch.setattr(supplied, "sensitive_groups",
                        lambda frame, *a, **k: made.append(frame) or real(frame, *a, **k))
    checked = supplied.validate_supplied(cfg)
    rows = supplied.supplied_rows(cfg)
    assert len(made) == 3 and len({id(f) for f in made}) == 3
    for split, key in supplied.ROLES.items():
        want = real(pd.read_csv(paths[key]), cfg, src=key)[0]
        assert rows.bundle.splits[split].sensitive.equals(want.reset_index(drop=True))
    assert checked.groups.equals(real(pd.read_csv(paths["path"]), cfg, src="path")[0])
    # other group settings, or a frame the validation never saw: made afresh
    supplied.validate_supplied(cfg)
    supplied.supplied_rows(TableData(path=paths["path"], missing_group=True, **named),
                           frames={"path": pd.read_csv(paths["path"])})  # fmt: skip
    assert len(made) == 7
    supplied.supplied_rows(cfg)  # the three kept ones (same frames, same settings)
    assert len(made) == 7 and not supplied._GROUPS


def test_a_models_two_classes_spelled_alike_are_refused_and_numbers_are_not():
    with pytest.raises(AuditorInputError, match=r"classes 'yes' and 'yes\\xa0' read as one label"):
        supplied_rows(rows_config(), frames={"path": FRAME}, labels=("no", "yes", "yes\xa0"))
    rows = supplied_rows(rows_config(), frames={"path": FRAME.assign(label=[0, 1, 0, 1])},
                         labels=(0, 1))  # fmt: skip
    assert rows.labels == (0, 1)


def test_many_classes_are_each_read_in_one_spelling_once(tmp_path, monkeypatch):
    # each target value was matched against the classes spelled again for it (28d9fa7: 500
    # classes, 0.2 s against 17 ms): the classes are spelled once, each value once
    from auditor.data import groups
    from auditor.data.supplied import validate_supplied

    n = 300
    classes = [f"class {i}" for i in range(n)]
    frame = pd.DataFrame({"x": range(n), "group": ["a", "b"] * (n // 2),
                          "label": [f"class {i} " for i in reversed(range(n))]})  # fmt: skip
    spelled = []
    spell = groups.one_spelling
    monkeypatch.setattr(groups, "one_spelling", lambda v: spelled.append(v) or spell(v))
    rows = supplied_rows(rows_config(max_categories=n), frames={"path": frame}, labels=classes)
    assert rows.bundle.splits["test"].y.tolist() == list(reversed(range(n)))
    assert 0 < len(spelled) <= 4 * n
    spelled.clear()
    frame.to_csv(tmp_path / "rows.csv", index=False)
    config = TableData(path=tmp_path / "rows.csv", target="label", sensitive=["group"],
                       features=["x"], max_categories=n)  # fmt: skip
    checked = validate_supplied(config, module=True, classes=classes)
    assert checked.classes == tuple(classes)
    assert 0 < len(spelled) <= 6 * n
    with pytest.raises(AuditorInputError, match="class 300"):
        validate_supplied(config, module=True, classes=[*classes, "class 300"])
