"""Non-members that evidently are member rows (the members file given twice, or most of
it) are refused; a proper split of low-cardinality data, where nearly every held-out row
equals some member row by chance (sex x class x age band: 30 kinds of row), is not."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from auditor.config import TableData
from auditor.data.supplied import supplied_rows
from auditor.errors import AuditorInputError


def compas_like(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"sex": rng.choice([0, 1], n), "klass": rng.choice([0, 1, 2], n),
                          "age_band": rng.choice(5, n)})  # fmt: skip
    risk = 0.2 + 0.15 * frame.klass + 0.1 * frame.sex
    frame["label"] = (rng.random(n) < risk).astype(int)
    return frame


def distinct_rows(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"sex": rng.choice([0, 1], n), "income": rng.normal(size=n).round(4)})
    frame["label"] = (frame.income + rng.normal(size=n) > 0).astype(int)
    return frame


def rows(members: pd.DataFrame, non_members: pd.DataFrame, *, tmp_path=None):
    """supplied_rows on the three tables: from Python (frames), or from files (tmp_path)."""
    features = [c for c in members.columns if c not in ("label", "sex")]
    if tmp_path is None:
        cfg = TableData(path="rows.csv", members="m.csv", non_members="nm.csv", target="label",
                        sensitive=["sex"], features=features)  # fmt: skip
        return supplied_rows(cfg, frames={"path": members[:50], "members": members,
                                          "non_members": non_members})  # fmt: skip
    for name, frame in (("rows", members[:50]), ("m", members), ("nm", non_members)):
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    cfg = TableData(path=tmp_path / "rows.csv", members=tmp_path / "m.csv",
                    non_members=tmp_path / "nm.csv", target="label", sensitive=["sex"],
                    features=features)  # fmt: skip
    return supplied_rows(cfg)


@pytest.mark.parametrize("n", [20, 1000])
def test_a_proper_split_of_low_cardinality_rows_is_audited(n):
    members, non_members = compas_like(n, 1), compas_like(n, 2)  # disjoint draws
    shared = non_members.merge(members.drop_duplicates(), how="inner")
    assert n < 100 or len(shared) > 0.9 * n  # it was refused: '996 of the 1000 ...'
    got = rows(members, non_members)
    assert len(got.bundle.splits["holdout"].y) == n


@pytest.mark.parametrize("kind", [compas_like, distinct_rows])
def test_the_members_given_twice_are_refused(kind, tmp_path):
    members = kind(1000, 3)
    shuffled = members.sample(frac=1.0, random_state=4)  # the same rows, in another order
    with pytest.raises(AuditorInputError, match="are the 1000 member rows") as err:
        rows(members, shuffled, tmp_path=tmp_path)
    assert err.value.field == "data.non_members" and err.value.source.endswith("nm.csv")
    with pytest.raises(AuditorInputError, match="non_members= must be") as err:
        rows(members, shuffled)  # from Python: the argument
    assert err.value.field == "non_members"


@pytest.mark.parametrize("fraction", [0.9, 0.7])
def test_most_of_the_members_as_non_members_are_refused(fraction, tmp_path):
    members = distinct_rows(1000, 5)
    part = members.sample(frac=fraction, random_state=6)
    held_out = distinct_rows(1000, 7)[: 1000 - len(part)]
    non_members = pd.concat([part, held_out]).sample(frac=1.0, random_state=8)
    message = "of the 1000 non-member rows are member rows too"
    with pytest.raises(AuditorInputError, match=message):
        rows(members, non_members, tmp_path=tmp_path)
    with pytest.raises(AuditorInputError, match=f"{len(part)} of the {len(part)} non-member"):
        rows(members, part)  # a 90% / 70% subset of the members file


def test_a_few_shared_rows_are_kept():
    members, non_members = distinct_rows(500, 9), distinct_rows(500, 10)
    non_members.iloc[:40] = members.iloc[:40].to_numpy()  # natural duplicates: counted, kept
    assert len(rows(members, non_members).bundle.splits["holdout"].y) == 500


class Keys:
    """A split of one integer column (the kind of row), as check_not_members reads one."""

    def __init__(self, kinds: np.ndarray) -> None:
        self.x = kinds[:, None].astype(np.float32)
        self.y = np.zeros(len(kinds), dtype=np.int64)

    def __len__(self) -> int:
        return len(self.y)


def test_independent_draws_are_never_refused():
    """Members and non-members drawn independently from the same data (2 to a million kinds
    of row, uniform or skewed, files of 1 to 5000 rows, either much the larger): no
    refusal in 420 draws; the old rule (half the non-members are member rows) refused 223."""
    from auditor.data.overlap import check_not_members

    rng = np.random.default_rng(12)
    sizes = [(1, 1), (3, 3), (10, 10), (2, 50), (30, 1000), (1000, 30), (1000, 1000)]
    for kinds in (2, 5, 30, 1000, 10**6):
        for skew in (0.0, 1.2):
            p = 1 / np.arange(1, kinds + 1) ** skew
            p /= p.sum()
            for (n_members, n_others), _ in itertools.product(sizes, range(6)):
                splits = {"finetune_train": Keys(rng.choice(kinds, n_members, p=p)),
                          "holdout": Keys(rng.choice(kinds, n_others, p=p))}  # fmt: skip
                check_not_members(splits, src="nm.csv", arg="non_members=")
