import numpy as np
import pytest

from auditor.config import AdultData, DigitsData
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


def test_adult_states_its_inputs():
    pre = load_bundle(AdultData(), seed=0).preprocessing
    assert pre.sensitive_as_features and pre.sensitive_excluded == []
    assert pre.dropped == ["fnlwgt", "education"]
    assert "fnlwgt" not in pre.features and "sex" in pre.features
    levels = {c.column: c.n_levels for c in pre.one_hot}
    assert levels["sex"] == 2
    pre = load_bundle(AdultData(sensitive_as_features=False), seed=0).preprocessing
    assert pre.sensitive_excluded == ["sex", "race"] and "sex" not in pre.features
