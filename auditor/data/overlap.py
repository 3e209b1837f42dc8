"""Non-members that evidently are member rows (the members file given twice, or most of
it) are refused: the membership probes would measure nothing. Equal rows that chance gives
(tabular data on few categorical columns) are not."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from auditor.audit_tree.read import wilson_bounds
from auditor.data import Split
from auditor.errors import AuditorInputError

ALSO_MEMBERS = (
    "{shared} of the {n} non-member rows are member rows too (the same inputs and target), "
    "where only {dup} of the {m} member rows repeat another member row: {arg} must be rows "
    "the model never trained on, else the membership probes measure nothing; pass held-out "
    "rows"
)
SAME_ROWS = (
    "the {n} non-member rows are the {n} member rows (the same inputs and target, the members "
    "given twice?): {arg} must be rows the model never trained on, else the membership probes "
    "measure nothing; pass held-out rows"
)
# How unlikely by chance non-members equal to the member rows must be to be refused, and the
# confidence of the bounds on the shares of member rows.
SAME_BY_CHANCE = 1e-6
EVIDENT = 0.997


def check_not_members(splits: dict[str, Split], *, src: str, arg: str) -> None:
    """Refuse non-members that evidently are member rows (the members file given twice, or
    most of it), ``arg`` naming them. Equal rows are natural in tabular data, most of all on
    few categorical columns (sex x class x age band: nearly every row of a proper split is a
    member row too; the checklist counts them), and tell nothing in a tiny file: refused are
    the same rows as the members where chance could not give them (:func:`_chance_of_same`
    under 1e-6), and non-members whose share of member rows exceeds by over a half the share
    of member rows that repeat another member row (what an independent row of the same data
    would match), each share at its 99.7% Wilson bound toward the other."""
    members, others = splits["finetune_train"], splits["holdout"]
    if not len(members) or not len(others):
        return

    def keys(split: Split) -> pd.Series:
        return pd.util.hash_pandas_object(pd.DataFrame(split.x).assign(y=split.y), index=False)

    mine, theirs = keys(members), keys(others)
    field = arg.rstrip("=")
    same = len(mine) == len(theirs) and np.array_equal(np.sort(mine), np.sort(theirs))
    if same and _chance_of_same(theirs.value_counts().to_numpy()) < SAME_BY_CHANCE:
        raise AuditorInputError(SAME_ROWS.format(n=len(theirs), arg=arg), source=src,
                                field=field)  # fmt: skip
    shared = int(theirs.isin(mine).sum())  # a hash table of the keys (a set: Python objects)
    repeats = int(mine.duplicated(keep=False).sum())  # a member row matching another one
    low, _ = wilson_bounds(shared, len(theirs), level=EVIDENT)
    _, high = wilson_bounds(repeats, len(mine), level=EVIDENT)
    if low - high > 0.5:
        raise AuditorInputError(ALSO_MEMBERS.format(shared=shared, n=len(theirs), dup=repeats,
                                                    m=len(mine), arg=arg),
                                source=src, field=field)  # fmt: skip


def _chance_of_same(counts: np.ndarray) -> float:
    """At most the chance that two independent samples of n rows have the same rows, each
    kind of row with these ``counts``: two draws of Multinomial(n, p) agree with probability
    sum_c P(c)^2 <= max_c P(c), and with p = counts / n (the likeliest) the mode is counts."""
    n = int(counts.sum())
    log_p = math.lgamma(n + 1) + float(np.sum(counts * np.log(counts / n)))
    return math.exp(log_p - sum(math.lgamma(int(c) + 1) for c in counts))
