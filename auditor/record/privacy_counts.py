"""The membership-inference attacks of an audit read back: each operating point's counts
against its rates.

auditor writes an attack's decision (and each calibrated operating point) from one count of
members and non-members called members: ``tpr`` is ``tp / n_members``, ``fpr`` is
``fp / n_non_members``, the balanced accuracy and the advantage follow from the two, and a
TPR at a fixed FPR is ``tp / n``; every AUC, TPR and FPR and its interval lie in [0, 1]. A
hand-edited count (a tp of -1, an n_members of 10^15), a rate apart from its counts or an
interval past [0, 1] (a TPR's ci_high of 1e300) was shown by the card and the diff as
evidence, and a gate could read it. The same attacks run per class (``per_class``) and per
training stage (``stages``) write the same AUC and TPR-at-FPR nodes, read back the same way,
and each sensitive group (``groups``) a decision's counts and rates at one threshold; the
groups' other numbers (:mod:`auditor.record.privacy_groups`) and the canaries
(:mod:`auditor.record.privacy_canaries`) are read back by their own modules.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.audit_tree import count
from auditor.errors import AuditorInputError
from auditor.record.bounds import (
    RATE,
    TOLERANCE,
    check_count,
    check_estimate,
    number,
)
from auditor.record.privacy_canaries import check_canaries
from auditor.record.privacy_groups import check_group_numbers

NOT_THE_RATE = "{value!r} is not {k} / {n} ({share:.6g})"
NOT_THE_SUMMARY = "{found!r} is not the attack's {name} ({n!r})"
NOT_FROM_RATES = "{value!r} is not what tpr and fpr give ({expected:.6g})"
# The estimate nodes of an attack that lie in [0, 1], by their key: each AUC, a decision's
# (and a calibrated operating point's) TPR and FPR; a TPR at a fixed FPR is found by its keys.
BOUNDED = {"auc": "an AUC", "tpr": RATE, "fpr": RATE, "overall_tpr": RATE, "overall_fpr": RATE}
AT_FPR = frozenset({"tp", "fp", "n", "n_non_members", "value", "fpr"})
# An attack's summary (every attack, per class, per stage; a group's row is a decision): its
# AUC is over its members and non-members, each TPR at a fixed FPR over its members, its FPR
# over its non-members.
SUMMARY = frozenset({"n_members", "n_non_members", "auc", "tpr_at_fpr"})
# The parts of the privacy section that hold attack results: every attack, per class, per
# stage, and each sensitive group's decision at one threshold.
ATTACK_PARTS = ("attacks", "per_class", "stages", "groups")


def _nodes(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield where, node
        for key, child in node.items():
            yield from _nodes(child, f"{where}/{key}")
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _nodes(child, f"{where}/{i}")


def check_attack_counts(data: dict[str, Any], *, source: str) -> None:
    """Raise :class:`AuditorInputError` naming the first count or rate of the privacy
    section (an audit read back from ``source``) that breaks what the module lists: the
    attacks' nodes, per class, per stage and per sensitive group (:data:`ATTACK_PARTS`), then
    the canaries (:func:`auditor.record.privacy_canaries.check_canaries`) and the groups'
    other numbers (:func:`auditor.record.privacy_groups.check_group_numbers`)."""
    privacy = data.get("privacy")
    if not isinstance(privacy, dict):
        return
    for part in ATTACK_PARTS:
        _check_part(privacy.get(part), f"privacy/{part}", source)
    check_canaries(data, source=source)
    check_group_numbers(data, source=source)


def _check_part(attacks: Any, root: str, source: str) -> None:
    for where, node in _nodes(attacks, root):
        key = where.rsplit("/", 1)[-1]
        if key in BOUNDED or AT_FPR <= node.keys():
            what = BOUNDED.get(key, RATE)
            check_estimate(node, 0.0, 1.0, what=what, where=where, source=source)
        if SUMMARY <= node.keys():
            _summary(where, node, source)
        if {"tp", "fp", "n_members", "n_non_members", "tpr", "fpr"} <= node.keys():
            _decision(where, node, source)
        elif AT_FPR <= node.keys():
            _at_fpr(where, node, source)


def _summary(where: str, node: dict[str, Any], source: str) -> None:
    members, non_members = node["n_members"], node["n_non_members"]
    if count(members) is None or count(non_members) is None:
        return
    levels = node["tpr_at_fpr"]
    checks = [(node["auc"], "n", "n_members + n_non_members", members + non_members, "auc")]
    for level, at in levels.items() if isinstance(levels, dict) else ():
        checks.append((at, "n", "n_members", members, f"tpr_at_fpr/{level}"))
        checks.append((at, "n_non_members", "n_non_members", non_members, f"tpr_at_fpr/{level}"))
    for part, key, name, n, at in checks:
        found = part.get(key) if isinstance(part, dict) else None
        if count(found) is not None and found != n:
            why = NOT_THE_SUMMARY.format(found=found, name=name, n=n)
            raise AuditorInputError(why, source=source, field=f"{where}/{at}/{key}")


def _at_fpr(where: str, node: dict[str, Any], source: str) -> None:
    """A TPR at a fixed FPR: ``value`` is ``tp / n``, ``fpr`` is ``fp / n_non_members``."""
    for k, n, rate in (("tp", "n", "value"), ("fp", "n_non_members", "fpr")):
        hits, total, value = node[k], node[n], node[rate]
        if count(hits) is None or count(total) is None:
            continue
        check_count(hits, total, name=n, field=f"{where}/{k}", source=source)
        if number(value) and total and abs(value - hits / total) > TOLERANCE:
            why = NOT_THE_RATE.format(value=value, k=k, n=n, share=hits / total)
            raise AuditorInputError(why, source=source, field=f"{where}/{rate}")


def _decision(where: str, node: dict[str, Any], source: str) -> None:
    rates = {}
    for k, n, rate in (("tp", "n_members", "tpr"), ("fp", "n_non_members", "fpr")):
        hits, total, est = node[k], node[n], node[rate]
        if count(hits) is None or count(total) is None:
            continue
        check_count(hits, total, name=n, field=f"{where}/{k}", source=source)
        value = est.get("value") if isinstance(est, dict) else None
        if not number(value) or total == 0:
            continue  # a group too small for a TPR writes null, its FPR still read
        if abs(value - hits / total) > TOLERANCE:
            why = NOT_THE_RATE.format(value=value, k=k, n=n, share=hits / total)
            raise AuditorInputError(why, source=source, field=f"{where}/{rate}/value")
        rates[rate] = value
    if len(rates) < 2:
        return
    expected = {"balanced_accuracy": (rates["tpr"] + 1 - rates["fpr"]) / 2,
                "advantage": rates["tpr"] - rates["fpr"]}  # fmt: skip
    for key, value in expected.items():
        found = node.get(key)
        if number(found) and abs(found - value) > TOLERANCE:
            why = NOT_FROM_RATES.format(value=found, expected=value)
            raise AuditorInputError(why, source=source, field=f"{where}/{key}")
