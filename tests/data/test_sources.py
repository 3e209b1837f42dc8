import numpy as np
import pandas as pd
import pytest

from auditor.config import AdultData, DigitsData, TableData
from auditor.data import SPLIT_NAMES, load_bundle, split_indices
from auditor.errors import AuditorInputError


def assert_disjoint(bundle):
    seen: set[int] = set()
    for name in SPLIT_NAMES:
        ids = set(bundle[name].ids.tolist())
        assert not (ids & seen), f"split {name} overlaps an earlier split"
        seen |= ids
        split = bundle[name]
        assert len(split.y) == len(split.x) == len(split.sensitive) == len(split.ids)


def test_split_indices_are_disjoint_stratified_and_balanced():
    strata = np.repeat(np.arange(4), 100)
    idx = split_indices(
        strata,
        {"pretrain": 0.3, "finetune_train": 0.2, "holdout": 0.2, "val": 0.1, "test": 0.2},
        seed=1,
    )
    allidx = np.concatenate(list(idx.values()))
    assert len(allidx) == len(set(allidx.tolist()))
    assert len(idx["finetune_train"]) == len(idx["holdout"]) == 80
    assert np.bincount(strata[idx["test"]]).tolist() == [20, 20, 20, 20]


def test_digits_bundle():
    b = load_bundle(DigitsData(), seed=0)
    assert_disjoint(b)
    assert b.modality == "image" and b.input_shape == (1, 8, 8)
    assert b.pretrain_task.n_classes == 10 and b.finetune_task.class_names == ("even", "odd")
    test = b["test"]
    # the binary target is the parity of the hidden digit
    assert np.array_equal(test.y, test.y_pretrain % 2)
    assert set(test.sensitive.columns) == {"digit", "ink_density"}
    assert set(test.sensitive["ink_density"]) == {"low", "mid", "high"}
    assert len(b["finetune_train"]) == len(b["holdout"])
    prov = b.provenance()
    assert prov["test"]["n_rows"] == len(test)
    assert sum(prov["test"]["class_balance"].values()) == len(test)
    assert len(prov["test"]["sha256"]) == 64


def test_digits_split_depends_on_seed_only():
    a, b, c = (load_bundle(DigitsData(), seed=s) for s in (0, 0, 1))
    assert a["test"].sha256() == b["test"].sha256() != c["test"].sha256()


def test_adult_bundle_from_shipped_copy():
    b = load_bundle(AdultData(), seed=0)
    assert_disjoint(b)
    assert sum(len(s) for s in b.splits.values()) <= 48842
    assert sum(len(s) for s in b.splits.values()) > 48800
    assert b.sensitive_features == ("sex", "race", "age_band")
    assert set(b["test"].sensitive["sex"]) == {"Male", "Female"}
    assert set(b["test"].sensitive["age_band"]) <= {"17-24", "25-44", "45-64", "65+"}
    # income > 50K is about a quarter of the rows
    assert 0.2 < b["test"].y.mean() < 0.3
    assert "sex" in b.sensitive_input_columns
    assert np.isfinite(b["test"].x).all()


def test_adult_without_sensitive_inputs():
    b = load_bundle(AdultData(sensitive_as_features=False), seed=0)
    assert not any(n.startswith(("sex=", "race=")) for n in b.feature_names)
    assert "sex" not in b.sensitive_input_columns


def test_adult_missing_folder(tmp_path):
    with pytest.raises(AuditorInputError, match="adult.data.gz"):
        load_bundle(AdultData(path=tmp_path), seed=0)


def make_table(n=400, seed=0):
    rng = np.random.default_rng(seed)
    g = rng.choice(["a", "b"], n)
    x1 = rng.normal(size=n)
    cat = rng.choice(["u", "v", "w"], n)
    y = np.where(x1 + (cat == "u") + rng.normal(scale=0.5, size=n) > 0.5, "yes", "no")
    return pd.DataFrame({"x1": x1, "cat": cat, "group": g, "label": y})


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_table_bundle(tmp_path, suffix):
    frame = make_table()
    path = tmp_path / f"t{suffix}"
    frame.to_csv(path, index=False) if suffix == ".csv" else frame.to_parquet(path)
    b = load_bundle(
        TableData(path=path, target="label", sensitive=["group"], positive_label="yes"), seed=0
    )
    assert_disjoint(b)
    assert b.finetune_task.class_names == ("no", "yes")
    assert b.feature_names[0] == "x1" and "cat=u" in b.feature_names
    assert b.sensitive_input_columns["group"]


@pytest.mark.parametrize(
    ("change", "field", "pattern"),
    [
        ({"target": "nope"}, "data.target", "no column 'nope'"),
        ({"sensitive": ["sex"]}, "data.sensitive", "no column 'sex'"),
        ({"positive_label": "maybe"}, "data.positive_label", "not a value"),
    ],
)
def test_table_bad_columns(tmp_path, change, field, pattern):
    path = tmp_path / "t.csv"
    make_table().to_csv(path, index=False)
    cfg = TableData(**{"path": path, "target": "label", "sensitive": ["group"], **change})
    with pytest.raises(AuditorInputError) as err:
        load_bundle(cfg, seed=0)
    assert str(path) in str(err.value) and field in str(err.value)
    assert pattern in str(err.value)


def test_table_empty_group_label(tmp_path):
    frame = make_table()
    frame.loc[5, "group"] = None
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(AuditorInputError, match="missing or empty group labels"):
        load_bundle(TableData(path=path, target="label", sensitive=["group"]), seed=0)


def test_table_single_class(tmp_path):
    frame = make_table()
    frame["label"] = "yes"
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(AuditorInputError, match="single class"):
        load_bundle(TableData(path=path, target="label", sensitive=["group"]), seed=0)


def test_table_unsupported_suffix(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_text("x")
    with pytest.raises(AuditorInputError, match="unsupported file type"):
        load_bundle(TableData(path=path, target="label", sensitive=["group"]), seed=0)
