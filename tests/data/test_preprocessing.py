"""The table preprocessing record: typed in DataInfo (so the generated schema covers it) and
stated in the card's data section."""

import numpy as np
import pandas as pd
import pytest

from auditor.config import TableData
from auditor.data import load_bundle
from auditor.report.templating import environment
from auditor.results import dump
from auditor.results.info import DataInfo
from tests.data.test_table import make_table


def table_audit(tmp_path, **changes):
    frame = make_table()
    frame.loc[[3, 7], "x1"] = np.nan
    frame.loc[[5], "group"] = None
    frame["applicant_id"] = np.arange(len(frame))
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    cfg = TableData(path=path, target="label", sensitive=["group"], missing_group=True,
                    drop=["applicant_id"], **changes)  # fmt: skip
    b = load_bundle(cfg, seed=0)
    data = {
        "name": b.name, "modality": b.modality, "description": b.description,
        "citation": b.citation, "license": b.license, "source_files": b.source_files,
        "finetune_task": {"name": "label", "class_names": list(b.finetune_task.class_names)},
        "pretrain_task": None, "sensitive_features": list(b.sensitive_features),
        "sensitive_kinds": dict(b.sensitive_kinds), "input_shape": list(b.input_shape),
        "feature_names": list(b.feature_names), "preprocessing": dump(b.preprocessing),
        "splits": b.provenance(),
    }  # fmt: skip
    return {"data": data, "run": {"mode": "run"}, "transparency": {"status": "not_run"}}


def test_record_validates_against_the_typed_data_info(tmp_path):
    audit = table_audit(tmp_path)
    info = DataInfo.model_validate(audit["data"])
    assert info.preprocessing.imputed[0].n_missing == 2
    assert info.preprocessing.missing_sensitive == {"group": 1}
    schema = DataInfo.model_json_schema(mode="serialization")
    assert "TablePreprocessing" in schema["$defs"]


def test_card_states_the_inputs(tmp_path):
    audit = table_audit(tmp_path)
    md = environment(markdown=True).get_template("sections/data.md.j2").render(audit=audit)
    assert "Sensitive columns are not model inputs: group" in md
    assert "Not inputs (`data.drop`): applicant\\_id" in md
    assert "Missing values of x1 replaced by the training mean" in md and ": 2 values" in md
    assert "One-hot encoded: cat, 3 levels" in md
    assert 'audited as the group "\\(missing\\)": group 1 rows' in md
    html = environment().get_template("sections/data.html.j2").render(audit=audit)
    assert "Sensitive columns are not model inputs: group" in html
    assert "applicant_id" in html and "Missing values of x1" in html


def test_card_says_when_sensitive_columns_are_inputs(tmp_path):
    audit = table_audit(tmp_path, sensitive_as_features=True)
    md = environment(markdown=True).get_template("sections/data.md.j2").render(audit=audit)
    assert "Sensitive columns are model inputs" in md


def test_image_card_has_no_inputs_list(tmp_path):
    audit = table_audit(tmp_path)
    audit["data"]["preprocessing"] = None
    md = environment(markdown=True).get_template("sections/data.md.j2").render(audit=audit)
    assert "Model inputs" not in md


def _evaluated(idx) -> np.ndarray:
    """The rows of the splits drawn but not trained on (the rows evaluated)."""
    return np.sort(np.concatenate([rows for name, rows in idx.items()
                                   if name not in ("pretrain", "finetune_train")]))  # fmt: skip


def _filled_outside_training(tmp_path, kind: str):
    """make_table with a column ``z`` (numbers or text) empty in every training row (pretrain
    and finetune_train, as seed 0 splits it) and filled in the others."""
    from auditor.data import split_indices
    from auditor.data._tables import equal_membership

    frame = make_table()
    cfg = TableData(path=tmp_path / "t.csv", target="label", sensitive=["group"])
    y = (frame["label"] == "yes").to_numpy().astype(np.int64)
    idx = equal_membership(split_indices(y, cfg.splits.model_dump(), seed=0), seed=0)
    training = np.concatenate([idx["pretrain"], idx["finetune_train"]])
    filled = _evaluated(idx)
    values = np.arange(len(frame)) * 10.0 if kind == "number" else np.array(["p", "q"] * 200)
    frame["z"] = pd.Series(values, dtype=object if kind == "text" else float)
    frame.loc[training, "z"] = None
    frame.to_csv(cfg.path, index=False)
    return cfg, len(training), len(filled)


@pytest.mark.parametrize("kind", ["number", "text"])
def test_a_column_filled_only_outside_the_training_rows_is_no_input(tmp_path, kind):
    """A column with no value in any training row was a model input of one constant there (the
    training mean 0 and scale 1 of no values), then fed its raw values (0 to 3,990) in the
    evaluation splits through a weight training never moved; a text column, one level in
    training and none elsewhere. It is left out of the inputs, and the data description says
    why (a split decides it, so a refusal would turn on the seed)."""
    cfg, n_training, n_filled = _filled_outside_training(tmp_path, kind)
    bundle = load_bundle(cfg, seed=0)
    assert not any(name == "z" or name.startswith("z=") for name in bundle.feature_names)
    assert "z" not in bundle.preprocessing.features
    assert "z" not in bundle.preprocessing.numeric
    assert (f"Column 'z' has no value in any of the {n_training:,} training rows (pretrain and "
            f"finetune_train), only in {n_filled:,} of the {n_filled:,} rows evaluated: it is "
            "not a model input."
            ) in bundle.description  # fmt: skip
    assert bundle.description.startswith("User table t.csv (400 rows, 2 input columns).")
    assert bundle.input_shape == (1 + 3,)  # x1 and cat's three levels


def test_a_table_whose_every_input_is_empty_in_the_training_rows_is_refused(tmp_path):
    """With z the one input, leaving it out would leave a model of no inputs: refused, naming
    the file and data.features."""
    from auditor.errors import AuditorInputError

    cfg, n_training, _ = _filled_outside_training(tmp_path, "number")
    with pytest.raises(AuditorInputError) as info:
        load_bundle(cfg.model_copy(update={"features": ["z"]}), seed=0)
    assert str(info.value) == (
        "data.features: no input column of t.csv holds two values among the "
        f"{n_training} training rows (pretrain and finetune_train): z (empty there: fill them); "
        "name other columns in data.features")  # fmt: skip


def test_no_input_left_of_one_value_is_not_told_to_fill_them(tmp_path):
    """Columns full of one value in training cannot be filled: the refusal said "fill them"
    for them, and named the table as the file of data.features, a key of the config file (the
    caller names it: ``auditor run`` the config file)."""
    from auditor.errors import AuditorInputError

    cfg, n_training, *_ = _one_value_in_training(tmp_path, "flag")
    with pytest.raises(AuditorInputError) as info:
        load_bundle(cfg.model_copy(update={"features": ["z"]}), seed=0)
    assert info.value.source is None and info.value.field == "data.features"
    assert info.value.message == (
        f"no input column of t.csv holds two values among the {n_training} training rows "
        "(pretrain and finetune_train): z (one value there); name other columns in "
        "data.features")  # fmt: skip


def _one_value_in_training(tmp_path, kind: str):
    """make_table with a column ``z`` of one value in every training row (as seed 0 splits
    it) and others in a few of the rest: a number (7 there, 100 + row elsewhere), a text
    ('a' there, 'b' elsewhere) or a 0/1 flag whose 1 is rare (3 rows, none in training)."""
    from auditor.data import split_indices
    from auditor.data._tables import equal_membership

    frame = make_table()
    cfg = TableData(path=tmp_path / "t.csv", target="label", sensitive=["group"])
    y = (frame["label"] == "yes").to_numpy().astype(np.int64)
    idx = equal_membership(split_indices(y, cfg.splits.model_dump(), seed=0), seed=0)
    training = np.concatenate([idx["pretrain"], idx["finetune_train"]])
    rest = _evaluated(idx)
    base, rare = {"number": (7.0, 100.0), "text": ("a", "b"), "flag": (0, 1)}[kind]
    frame["z"] = pd.Series([base] * len(frame), dtype=object if kind == "text" else None)
    shifted = rest[:3] if kind == "flag" else rest[::2]
    frame.loc[shifted, "z"] = [rare + i if kind == "number" else rare
                               for i in range(len(shifted))]  # fmt: skip
    frame.to_csv(cfg.path, index=False)
    return cfg, len(training), len(shifted), len(rest)


@pytest.mark.parametrize(("kind", "value"), [("number", "7"), ("text", "'a'"), ("flag", "0")])
def test_a_column_of_one_value_in_the_training_rows_is_no_input(tmp_path, kind, value):
    """A column of one value in every training row was an input of one constant there (a
    number scaled on no spread: 0 after its mean, scale 1), then fed other values in the
    evaluation splits (100 and up, raw) through a weight training never moved (a text level
    unseen in training: a one-hot of one constant 1 read as 0). As 47321af's empty column, it
    is left out and the data description says so; a 0/1 flag whose rare 1 missed the training
    split too: the model cannot have learned it."""
    cfg, n_training, n_shifted, n_others = _one_value_in_training(tmp_path, kind)
    bundle = load_bundle(cfg, seed=0)
    assert not any(name == "z" or name.startswith("z=") for name in bundle.feature_names)
    assert "z" not in bundle.preprocessing.features
    assert (f"Column 'z' holds one value ({value}) in all {n_training:,} training rows (pretrain "
            f"and finetune_train) and another in {n_shifted:,} of the {n_others:,} rows evaluated: "
            "the "
            "model cannot learn from it (a rare value can miss a small training split), so it "
            "is not a model input.") in bundle.description  # fmt: skip
    assert bundle.description.startswith("User table t.csv (400 rows, 2 input columns).")


def test_a_column_of_one_value_everywhere_stays_an_input(tmp_path):
    """One value in every row, training or not, feeds nothing training did not see: kept (as
    before), and nothing said."""
    cfg, *_ = _one_value_in_training(tmp_path, "number")
    frame = pd.read_csv(cfg.path)
    frame["z"] = 7.0
    frame.to_csv(cfg.path, index=False)
    bundle = load_bundle(cfg, seed=0)
    assert "z" in bundle.preprocessing.features and "Column 'z'" not in bundle.description


def _sentence(tmp_path, edit) -> str:
    """The data description's sentence on ``z`` after ``edit(frame, training, rest)``."""
    cfg, *_ = _one_value_in_training(tmp_path, "number")
    from auditor.data import split_indices
    from auditor.data._tables import equal_membership

    frame = pd.read_csv(cfg.path)
    y = (frame["label"] == "yes").to_numpy().astype(np.int64)
    idx = equal_membership(split_indices(y, cfg.splits.model_dump(), seed=0), seed=0)
    training = np.concatenate([idx["pretrain"], idx["finetune_train"]])
    edit(frame, training, _evaluated(idx))
    frame.to_csv(cfg.path, index=False)
    bundle = load_bundle(cfg, seed=0)
    assert "z" not in bundle.preprocessing.features
    return bundle.description[bundle.description.index("Column 'z'"):]


def test_the_one_value_is_written_exactly(tmp_path):
    """``:g`` wrote 1234567 as 1.23457e+06, a value not in the file (and 1234568 elsewhere
    looked the same)."""
    def edit(frame, training, rest):
        frame["z"] = 1234567
        frame.loc[rest[:3], "z"] = 1234568

    assert _sentence(tmp_path, edit).startswith("Column 'z' holds one value (1234567) in all ")


def test_the_one_value_counts_only_the_training_rows_that_hold_it(tmp_path):
    """A number empty in some training rows is their mean there, the one value again; the
    sentence said it held the value in all of them."""
    def edit(frame, training, rest):
        frame.loc[training[:50], "z"] = None

    _, n_training, n_shifted, n_others = _one_value_in_training(tmp_path, "number")
    assert _sentence(tmp_path, edit).startswith(
        f"Column 'z' holds one value (7) in the {n_training - 50:,} of the {n_training:,} "
        "training rows (pretrain and finetune_train) that hold one (the other 50 are empty) "
        f"and another in {n_shifted:,} of the {n_others:,} rows evaluated: ")


def test_a_text_value_empty_elsewhere_is_not_called_another(tmp_path):
    """'a' in every training row and empty in 3 others: those rows hold no other value to
    look for; the sentence says they are empty."""
    def edit(frame, training, rest):
        frame["z"] = "a"
        frame.loc[rest[:3], "z"] = None

    text = _sentence(tmp_path, edit)
    assert "holds one value ('a') in all " in text
    assert "training rows (pretrain and finetune_train) and is empty in 3 of the " in text
    assert "another" not in text.split(":")[0]


def test_a_number_not_finite_in_training_is_not_called_empty(tmp_path):
    """inf in 21 training rows is filled with the training mean as an empty cell is, but the
    sentence called those cells empty: the user looked for empty cells and found inf (R13 #2)."""
    def edit(frame, training, rest):
        frame.loc[training[:21], "z"] = np.inf

    _, n_training, *_ = _one_value_in_training(tmp_path, "number")
    assert _sentence(tmp_path, edit).startswith(
        f"Column 'z' holds one value (7) in the {n_training - 21:,} of the {n_training:,} "
        "training rows (pretrain and finetune_train) that hold one (the other 21 are empty or "
        "not finite) and another in ")


def _in_no_split(tmp_path, used, kind: str = "number"):
    """make_table's config with ``z`` of ``used`` in every row a split draws and 100 (or 'b')
    in the rows of no split (split_indices rounds each split down, equal_membership trims
    one), and the number of training rows and of rows evaluated."""
    from auditor.data import split_indices
    from auditor.data._tables import equal_membership

    cfg, *_ = _one_value_in_training(tmp_path, "number")
    frame = pd.read_csv(cfg.path)
    y = (frame["label"] == "yes").to_numpy().astype(np.int64)
    idx = equal_membership(split_indices(y, cfg.splits.model_dump(), seed=0), seed=0)
    unused = np.setdiff1d(np.arange(len(frame)), np.concatenate(list(idx.values())))
    assert len(unused) > 0
    frame["z"] = pd.Series([used] * len(frame), dtype=object if kind == "text" else float)
    frame.loc[unused, "z"] = 100.0 if kind == "number" else "b"
    frame.to_csv(cfg.path, index=False)
    return cfg, len(idx["pretrain"]) + len(idx["finetune_train"]), len(_evaluated(idx))


def test_rows_in_no_split_are_not_counted_among_the_others(tmp_path):
    """split_indices rounds each split down (and equal_membership trims one), so some rows are
    neither trained on nor evaluated: they were counted among the 'others', and a column of
    one value in every row trained or evaluated, another only in those, was left out ('another
    in 5 of the 222 others'). It stays an input, as a column of one value everywhere does
    (R13 #3)."""
    cfg, *_ = _in_no_split(tmp_path, 7.0)
    bundle = load_bundle(cfg, seed=0)
    assert "z" in bundle.preprocessing.features and "Column 'z'" not in bundle.description


@pytest.mark.parametrize("kind", ["number", "text"])
def test_a_column_empty_in_every_row_trained_or_evaluated_is_no_input(tmp_path, kind):
    """Empty in every row trained or evaluated, its values only in rows of no split: since
    40d524d it was kept, a model input of one imputed constant (audit.json: imputed, 'replaced
    by the training mean (0.000)' of no value), which table.NO_VALUES refuses for a column
    empty everywhere. It is left out, and the data description says so (R17 #1)."""
    cfg, n_training, n_evaluated = _in_no_split(tmp_path, None, kind)
    bundle = load_bundle(cfg, seed=0)
    assert not any(name == "z" or name.startswith("z=") for name in bundle.feature_names)
    assert "z" not in bundle.preprocessing.features
    assert (f"Column 'z' has no value in any of the {n_training:,} training rows (pretrain and "
            f"finetune_train) or of the {n_evaluated:,} rows evaluated (only in rows no split "
            "draws): it is not a model input.") in bundle.description  # fmt: skip


def test_the_only_input_empty_in_every_row_trained_or_evaluated_is_refused(tmp_path):
    """As the one input, left out it would leave a model of no inputs: refused as an empty
    column in training is (R17 #1; since 40d524d a model of one constant, exit 1 on gates)."""
    from auditor.errors import AuditorInputError

    cfg, n_training, _ = _in_no_split(tmp_path, None)
    with pytest.raises(AuditorInputError) as info:
        load_bundle(cfg.model_copy(update={"features": ["z"]}), seed=0)
    assert info.value.field == "data.features"
    assert info.value.message == (
        f"no input column of t.csv holds two values among the {n_training} training rows "
        "(pretrain and finetune_train): z (empty there: fill them); name other columns in "
        "data.features")  # fmt: skip


def test_a_number_is_parsed_once(tmp_path, monkeypatch):
    """_blank parsed the training rows with pd.to_numeric again, though _untrained had parsed
    the column (R17 #4): one parse a column."""
    import auditor.data._tables as tables

    frame = pd.DataFrame({"z": [7.0] * 6 + [None, np.inf, 100.0]})
    calls = []
    parse = pd.to_numeric
    monkeypatch.setattr(tables.pd, "to_numeric", lambda *a, **k: calls.append(1) or parse(*a, **k))
    found = tables._untrained(frame["z"], True, np.arange(8), np.array([8]))
    assert found is not None and "(the other 2 are empty or not finite)" in found[0]
    assert len(calls) == 1


def test_a_column_not_finite_in_every_training_row_is_not_called_empty(tmp_path):
    """inf and -inf in every training row (values elsewhere): the column was said to have "no
    value in any of the training rows" and, as the one input, refused with "(empty there:
    fill them)": the user looked for empty cells and found inf (S17's note)."""
    from auditor.errors import AuditorInputError

    cfg, n_training, n_filled = _filled_outside_training(tmp_path, "number")
    frame = pd.read_csv(cfg.path)
    frame["z"] = frame["z"].fillna(np.inf)
    frame.loc[frame.index[:5], "z"] = frame.loc[frame.index[:5], "z"].replace(np.inf, -np.inf)
    frame.to_csv(cfg.path, index=False)
    bundle = load_bundle(cfg, seed=0)
    assert (f"Column 'z' has no finite value in any of the {n_training:,} training rows "
            f"(pretrain and finetune_train), only in {n_filled:,} of the {n_filled:,} rows "
            "evaluated: it is not a model input.") in bundle.description
    with pytest.raises(AuditorInputError) as info:
        load_bundle(cfg.model_copy(update={"features": ["z"]}), seed=0)
    assert "z (empty or not finite there: fill them)" in str(info.value)
