"""Members and non-members of equal size for the table scenarios (as for images): the
fractions give it by default, and unequal fractions are trimmed to it."""

import numpy as np
import pytest

from auditor.config import AdultData, SplitFractions, TableData
from auditor.data import load_bundle
from auditor.data._tables import EQUAL_MEMBERSHIP, equal_membership
from tests.data.test_sources import assert_disjoint
from tests.data.test_table import make_table, write


def _idx(n_members, n_holdout):
    return {
        "finetune_train": np.arange(n_members),
        "holdout": np.arange(1000, 1000 + n_holdout),
        "test": np.arange(2000, 2010),
    }


@pytest.mark.parametrize(("n_members", "n_holdout"), [(200, 150), (150, 200)])
def test_equal_membership_trims_the_larger_split_to_a_random_subset(n_members, n_holdout):
    idx = _idx(n_members, n_holdout)
    out = equal_membership(idx, seed=3)
    assert len(out["finetune_train"]) == len(out["holdout"]) == 150
    larger = "finetune_train" if n_members > n_holdout else "holdout"
    assert set(out[larger].tolist()) < set(idx[larger].tolist())
    assert not np.array_equal(out[larger], idx[larger][:150])  # a draw, not the first rows
    assert np.array_equal(out[larger], np.sort(out[larger]))
    assert np.array_equal(out["test"], idx["test"])
    again = equal_membership(idx, seed=3)
    assert np.array_equal(again[larger], out[larger])
    assert not np.array_equal(equal_membership(idx, seed=4)[larger], out[larger])


def test_equal_membership_leaves_equal_sizes_and_an_empty_holdout_alone():
    for idx in (_idx(150, 150), _idx(150, 0)):
        out = equal_membership(idx, seed=0)
        assert all(np.array_equal(out[k], idx[k]) for k in idx)


def test_table_default_fractions_give_equal_members_and_non_members(tmp_path):
    splits = TableData(path=tmp_path / "t.csv", target="label", sensitive=["group"]).splits
    assert splits.finetune_train == splits.holdout
    b = load_bundle(
        TableData(path=write(tmp_path, make_table(1000)), target="label", sensitive=["group"]),
        seed=0,
    )
    assert_disjoint(b)
    n = len(b["finetune_train"])
    assert n == len(b["holdout"]) and n >= 190
    assert EQUAL_MEMBERSHIP.format(n=n) in b.description


def test_unequal_table_fractions_are_trimmed_to_equal_sizes(tmp_path):
    """The old table default (0.20 members, 0.15 non-members): 200 vs 150 rows became 150
    vs 150; the members keep a random subset, the other splits are untouched."""
    path = write(tmp_path, make_table(1000))
    fractions = SplitFractions(pretrain=0.30, finetune_train=0.20, holdout=0.15, val=0.10,
                               test=0.25)  # fmt: skip
    cfg = TableData(path=path, target="label", sensitive=["group"], splits=fractions)
    b = load_bundle(cfg, seed=0)
    assert_disjoint(b)
    assert len(b["finetune_train"]) == len(b["holdout"]) == 149  # floor per stratum
    assert len(b["test"]) >= 249


def test_adult_members_and_non_members_have_equal_size():
    b = load_bundle(AdultData(), seed=0)
    n = len(b["finetune_train"])
    assert n == len(b["holdout"]) > 7000
    assert EQUAL_MEMBERSHIP.format(n=n) in b.description
