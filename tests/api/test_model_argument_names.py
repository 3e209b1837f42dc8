"""From Python, ``audit_model``'s bad input names the argument the caller wrote
(``sensitive``, ``sensitive=``), not the config key its readers name for ``auditor run``
(``data.sensitive: column 'sexx' ...``); a config file's caller keeps the key. A ``config=``
that is no AuditConfig, a Series of a column's values as ``sensitive=`` and
``missing_group="no"`` are one line naming the argument (an AttributeError, a message about
names repeated, and True)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import auditor
from auditor.api._errors import MODEL_FIELDS, MODEL_WORDS, PHRASES, reworded
from auditor.errors import AuditorInputError


@pytest.fixture(scope="module")
def rows():
    rng = np.random.default_rng(0)
    n = 300
    frame = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n),
                          "group": rng.choice(["a", "b"], n)})  # fmt: skip
    frame["label"] = (frame.x1 + rng.normal(scale=0.5, size=n) > 0).astype(int)
    model = LogisticRegression().fit(frame[["x1", "x2"]], frame["label"])
    return frame, model


def refusal(model, frame, **kw) -> AuditorInputError:
    kw = {"data": frame, "target": "label", "sensitive": ["group"], "progress": False, **kw}
    with pytest.raises(AuditorInputError) as err:
        auditor.audit_model(model, **kw)
    return err.value


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"sensitive": ["sexx"]}, "sensitive", "no column 'sexx'"),
        ({"target": "lable"}, "target", "no column 'lable'"),
        ({"sensitive": ["label"]}, "sensitive", "name the group columns in sensitive="),
        ({"missing": "group"}, "sensitive", "or set missing_group=True to audit them"),
        ({"missing": "label"}, "target", "'label' has missing values"),
        ({"features": ["x1"]}, "features", "features leaves out x2"),
        ({"sensitive": []}, "sensitive", "at least 1 item"),
        ({"data_license": 5}, "data_license", "must be text, not 5"),
        ({"missing_group": "yes"}, "missing_group", "must be True or False, not 'yes'"),
        ({"positive_label": "maybe"}, "positive_label", "'maybe' is not one of"),
        ({"train": "nope"}, "train", "'nope' is not 'package.module:function'"),
        ({"out_dir": "/dev/null"}, "out_dir", "(out_dir= names the run folder)"),
        ({"config": {"privacy": {"enabled": False}}}, "config", "an AuditConfig"),
        ({"series": True}, "sensitive", "not a column's values; got a Series of 300 values"),
        ({"ids": "label"}, "target", "has 300 distinct values, more than 100: auditor audits "
                                     "classifiers (a continuous target?); name a class column"),
    ],
)
def test_a_wrong_argument_is_named_as_written(rows, change, field, words):
    frame, model = rows
    change = dict(change)
    if "missing" in change:
        column = change.pop("missing")
        frame = frame.assign(**{column: frame[column].where(frame.index > 3)})
    if "ids" in change:  # a setting audit_model has no argument for was the way on
        frame = frame.assign(**{change.pop("ids"): np.arange(len(frame))})
        from torch import nn  # a module without classes_: the target's classes are read

        model = nn.Linear(2, 2)
    if change.pop("series", False):  # the column itself, as fairlearn takes it
        change["sensitive"] = frame["group"]
    err = refusal(model, frame, **change)
    assert err.field == field and words in err.message, str(err)
    text = str(err)
    assert "data." not in text.replace("data row", "") and "--out" not in text, text


def test_a_frames_missing_column_names_the_frame_and_the_argument(rows):
    frame, model = rows
    err = refusal(model, frame, members=frame.drop(columns=["group"]), non_members=frame)
    assert str(err).startswith("members (DataFrame): sensitive: no column 'group'")


def test_a_model_fitted_on_a_matrix_of_other_width_names_features(rows):
    frame, _ = rows
    model = LogisticRegression().fit(frame[["x1"]].to_numpy(), frame["label"])
    err = refusal(model, frame)
    assert err.field == "features" and "in its order, in features" in err.message


def test_a_config_files_caller_keeps_the_key(tmp_path, rows):
    import skops.io as sio

    frame, model = rows
    frame.to_csv(tmp_path / "eval.csv", index=False)
    sio.dump(model, tmp_path / "model.skops")
    (tmp_path / "audit.toml").write_text(
        '[data]\nsource = "table"\npath = "eval.csv"\ntarget = "label"\nsensitive = ["sexx"]\n'
        '[model]\nkind = "sklearn"\npath = "model.skops"\n[privacy]\nenabled = false\n'
    )  # fmt: skip
    with pytest.raises(AuditorInputError) as err:
        auditor.run(tmp_path / "audit.toml", out_dir=tmp_path / "run", progress=False)
    assert err.value.field == "data.sensitive" and "no column 'sexx'" in str(err.value)


def test_keys_are_replaced_whole_and_only_in_the_message_and_field():
    err = AuditorInputError(
        "set data.sensitive_as_features = true, or name it in data.features; see "
        "/runs/data.features.csv",
        source="/runs/data.features.csv", field="data.features",
    )  # fmt: skip
    got = reworded(err, MODEL_WORDS, MODEL_FIELDS)
    assert got.field == "features" and got.source == "/runs/data.features.csv"
    assert got.message == ("set data.sensitive_as_features = true, or name it in features=; "
                           "see /runs/data.features.csv")  # fmt: skip
    same = AuditorInputError("no column 'x'", field="model")
    assert reworded(same, MODEL_WORDS, MODEL_FIELDS) is same


def test_audit_predictions_refuses_a_config_that_is_no_audit_config_and_a_wordy_switch(rows):
    frame, _ = rows
    scored = frame.assign(pred=(frame.x1 > 0).astype(int))
    kw = {"y_true": "label", "y_pred": "pred", "sensitive": ["group"]}
    with pytest.raises(AuditorInputError) as err:
        auditor.audit_predictions(scored, config={"fairness": {}}, **kw)
    assert err.value.field == "config" and "got dict" in str(err.value)
    with pytest.raises(AuditorInputError) as err:  # "no" was read as True
        auditor.audit_predictions(scored, missing_group="no", **kw)
    assert str(err.value) == "missing_group: must be True or False, not 'no'"  # audit_model's
    result = auditor.audit_predictions(scored, missing_group=np.bool_(False), **kw)
    assert result.data["fairness"] is not None


@pytest.mark.parametrize(
    ("change", "words"),
    [  # the caller's own texts that hold a key or a flag: told back as written
        ({"sensitive": ["data.sensitive"]}, "no column 'data.sensitive'"),
        ({"sensitive": ["x --out"]}, "no column 'x --out'"),
        ({"target": "data.target"}, "no column 'data.target'"),
        ({"train": "data.sensitive:fit"}, "cannot import 'data.sensitive:fit'"),
        ({"positive_label": "data.features"}, "positive_label 'data.features' is not one"),
        ({"features": ["data.members"]}, "not fitted on: data.members; leaves out x1, x2"),
        ({"nan_in": "data.sensitive"}, "column 'data.sensitive' has 1 missing"),
    ],
)
def test_a_callers_own_text_is_not_reworded(rows, change, words):
    frame, model = rows
    change = dict(change)
    column = change.pop("nan_in", None)
    if column:  # a real column of that name, a label missing
        frame = frame.assign(**{column: frame["group"].where(frame.index > 0)})
        change.update(sensitive=[column], features=["x1", "x2"])
    err = refusal(model, frame, **change)
    assert words in err.message, str(err)
    if column:  # the template's own words are still the caller's
        assert "set missing_group=True" in err.message, str(err)


@pytest.mark.parametrize(("change", "words"), [({"y_true": "--out"}, "no column '--out'"),
                                               ({"sensitive": ["--sensitive"]}, "'--sensitive'")])
def test_audit_predictions_tells_a_callers_column_as_written(rows, change, words):
    frame, _ = rows
    kw = {"y_true": "label", "y_pred": "pred", "sensitive": ["group"], **change}
    with pytest.raises(AuditorInputError) as err:
        auditor.audit_predictions(frame.assign(pred=(frame.x1 > 0).astype(int)), **kw)
    assert words in err.value.message and "out_dir=" not in str(err.value), str(err.value)


def test_a_key_in_a_quoted_value_or_a_callers_text_is_kept_and_the_templates_replaced():
    err = AuditorInputError("column 'data.target' has 1 missing; set data.missing_group = "
                            "true; not fitted on: data.members, x --out", field="data.target")
    got = reworded(err, MODEL_WORDS, MODEL_FIELDS, given=[["data.members", "x --out"]])
    assert got.field == "target"
    assert got.message == ("column 'data.target' has 1 missing; set missing_group=True; "
                           "not fitted on: data.members, x --out")  # fmt: skip


@pytest.mark.parametrize("column", ["--out", "--sensitive"])
def test_audit_predictions_names_a_callers_column_as_its_field_as_written(rows, column):
    # a row error's field is its column: '--out' was told as out_dir ('out_dir: empty or
    # missing group label'), '--sensitive' as sensitive
    frame, _ = rows
    group = frame["group"].astype(object).where(frame.index != 3)
    scored = frame.assign(pred=(frame.x1 > 0).astype(int), **{column: group})
    with pytest.raises(AuditorInputError) as err:
        auditor.audit_predictions(scored, y_true="label", y_pred="pred", sensitive=[column])
    assert err.value.field == column and "empty or missing group label" in str(err.value)


def test_a_frames_labels_listed_unquoted_are_kept():
    frame = pd.DataFrame({"g": pd.Categorical(["--out", "a"]), "s": ["data.target", None]})
    err = AuditorInputError("groups --out, data.target; or set data.missing_group = true",
                            field="data.sensitive")  # fmt: skip
    got = reworded(err, MODEL_WORDS, MODEL_FIELDS, given=[{"data": frame}])
    assert got.message == "groups --out, data.target; or set missing_group=True"


def test_each_phrase_is_the_data_modules_own_and_its_messages_carry_no_python_aside():
    # PHRASES copied the data modules' messages word for word: an edit on one side dropped
    # to key-by-key rewording ('set missing_group= = true'), and no test saw it
    import auditor.data.codec as codec
    import auditor.data.groups as groups
    import auditor.data.supplied as supplied
    import auditor.data.table as table

    texts = [v for m in (codec, groups, supplied, table) for k, v in vars(m).items()
             if k.isupper() and isinstance(v, str)]  # fmt: skip
    for phrase in PHRASES:
        assert any(phrase in text for text in texts if text != phrase), phrase
    assert not [t for t in texts if "from Python" in t]  # said in a caller's words instead
    err = AuditorInputError(groups.MISSING_SENSITIVE.format(col="g", labels="1 label", row="x")
                            + "; " + table.TOO_MANY_LEVELS.format(col="c", n=150, k=100),
                            field="data.sensitive")  # fmt: skip
    assert reworded(err, MODEL_WORDS, MODEL_FIELDS).message == (
        "column 'g' has 1 label (first at x); fill them, or set missing_group=True to audit "
        "them as the group '(missing)'; categorical column 'c' has 150 levels, more than 100; "
        "leave it out of the DataFrames"
    )
