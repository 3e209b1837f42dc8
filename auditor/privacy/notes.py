"""The privacy section's note where the target's non-members cannot resolve the smallest FPR
level: whether each attack's pooled column (target plus reference models, leave-one-out)
resolves it. A pooled column resolves a level where its distinct non-member rows allow one
false positive (:mod:`auditor.privacy.pooled`); RMIA leaves one reference out of its pool, so
one attack's column may resolve a level that another's cannot."""

from __future__ import annotations

import math
from collections.abc import Mapping

from auditor.privacy.pooled import level_key
from auditor.privacy.section import PooledSummary

TARGET_ALONE = (
    "{n_non} non-members cannot resolve FPR {level:g} on the target (fewer than one false "
    "positive allowed): its TPR there is the TPR at zero false positives, read as "
    "insufficient data."
)
RESOLVED = (
    "{n_non} non-members cannot resolve FPR {level:g} on the target alone (fewer than one "
    "false positive allowed). The pooled columns add the {k} reference models as attacked "
    "models (leave-one-out), which resolves it ({pooled}); the target alone gives the TPR at "
    "zero false positives."
)
SHORT = (
    "{n_non} non-members cannot resolve FPR {level:g} on the target alone (fewer than one "
    "false positive allowed), nor can the pooled {columns} of {names}, which {add} reference "
    "models as attacked models (leave-one-out): {pooled}. {they} insufficient data at that "
    "FPR; it takes {need:,} distinct non-member rows (more held-out rows)."
)
ALSO = " The pooled {columns} of {names} {verb} it ({pooled})."


def _names(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


def _behind(pooled: Mapping[str, tuple[PooledSummary, int | None]], names: list[str]) -> str:
    """'1,064 non-member scores of 532 distinct rows' (with 'each' where ``names`` all have
    the same), else that for each: 'loss: ...; rmia: ...'."""
    said = {}
    for name in names:
        p, rows = pooled[name]
        of = f" of {rows:,} distinct rows" if rows is not None else ""
        said[name] = f"{p.n_non_members:,} non-member scores{of}"
    if len(set(said.values())) == 1:
        return next(iter(said.values())) + (" each" if len(said) > 1 else "")
    return "; ".join(f"{name}: {text}" for name, text in said.items())


def unresolved_notes(
    n_non: int, level: float, k: int, pooled: Mapping[str, tuple[PooledSummary, int | None]]
) -> list[str]:
    """The note where ``n_non`` target non-members allow no false positive at ``level`` (else
    none). ``pooled``: each reported attack's pooled column and its distinct non-member rows
    (None where not known); ``k``: the reference models."""
    if n_non * level >= 1:
        return []
    if not pooled:
        return [TARGET_ALONE.format(n_non=n_non, level=level)]
    short = [n for n, (p, _) in pooled.items() if not p.tpr_at_fpr[level_key(level)].resolvable]
    ok = [n for n in pooled if n not in short]
    if not short:
        return [RESOLVED.format(n_non=n_non, level=level, k=k, pooled=_behind(pooled, ok))]
    one = len(short) == 1
    note = SHORT.format(
        n_non=n_non, level=level, columns="column" if one else "columns", names=_names(short),
        pooled=_behind(pooled, short), they="It reads" if one else "They read",
        add="adds" if one else "add",
        need=math.ceil(1 / level - 1e-9),
    )  # fmt: skip
    if ok:
        note += ALSO.format(columns="column" if len(ok) == 1 else "columns", names=_names(ok),
                            verb="resolves" if len(ok) == 1 else "resolve",
                            pooled=_behind(pooled, ok))  # fmt: skip
    return [note]
