"""The membership-inference attacks of an audit read back: each operating point's counts
against its rates.

auditor writes an attack's decision (and each calibrated operating point) from one count of
members and non-members called members: ``tpr`` is ``tp / n_members``, ``fpr`` is
``fp / n_non_members``, the balanced accuracy and the advantage follow from the two, and a
TPR at a fixed FPR is ``tp / n``; every AUC and its interval lie in [0, 1]. A hand-edited
count (a tp of -1, an n_members of 10^15) or a rate apart from its counts was shown by the
card and the diff as evidence, and a gate could read it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.audit_tree import count
from auditor.errors import AuditorInputError

TOLERANCE = 1e-9  # rounding only: auditor writes the rate and its counts from one computation

NOT_A_COUNT_OF = "{k!r} is not a count between 0 and {name} ({n!r})"
NOT_THE_RATE = "{value!r} is not {k} / {n} ({share:.6g})"
NOT_FROM_RATES = "{value!r} is not what tpr and fpr give ({expected:.6g})"
NOT_A_RATE = "{value!r} is outside [0, 1], where an AUC and its interval lie"


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


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
    section's attacks (an audit read back from ``source``) that breaks what the module lists."""
    privacy = data.get("privacy")
    attacks = privacy.get("attacks") if isinstance(privacy, dict) else None
    for where, node in _nodes(attacks, "privacy/attacks"):
        if where.endswith("/auc"):
            for key in ("value", "ci_low", "ci_high"):
                x = node.get(key)
                if _number(x) and not -TOLERANCE <= x <= 1 + TOLERANCE:
                    raise AuditorInputError(NOT_A_RATE.format(value=x), source=source,
                                            field=f"{where}/{key}")  # fmt: skip
        if {"tp", "fp", "n_members", "n_non_members", "tpr", "fpr"} <= node.keys():
            _decision(where, node, source)
        elif {"tp", "fp", "n", "n_non_members", "value", "fpr"} <= node.keys():
            _at_fpr(where, node, source)


def _at_fpr(where: str, node: dict[str, Any], source: str) -> None:
    """A TPR at a fixed FPR: ``value`` is ``tp / n``, ``fpr`` is ``fp / n_non_members``."""
    for k, n, rate in (("tp", "n", "value"), ("fp", "n_non_members", "fpr")):
        hits, total, value = node[k], node[n], node[rate]
        if count(hits) is None or count(total) is None:
            continue
        if not 0 <= hits <= total:
            why = NOT_A_COUNT_OF.format(k=hits, name=n, n=total)
            raise AuditorInputError(why, source=source, field=f"{where}/{k}")
        if _number(value) and total and abs(value - hits / total) > TOLERANCE:
            why = NOT_THE_RATE.format(value=value, k=k, n=n, share=hits / total)
            raise AuditorInputError(why, source=source, field=f"{where}/{rate}")


def _decision(where: str, node: dict[str, Any], source: str) -> None:
    rates = {}
    for k, n, rate in (("tp", "n_members", "tpr"), ("fp", "n_non_members", "fpr")):
        hits, total, est = node[k], node[n], node[rate]
        if count(hits) is None or count(total) is None:
            return
        if not 0 <= hits <= total:
            why = NOT_A_COUNT_OF.format(k=hits, name=n, n=total)
            raise AuditorInputError(why, source=source, field=f"{where}/{k}")
        value = est.get("value") if isinstance(est, dict) else None
        if not _number(value) or total == 0:
            return
        if abs(value - hits / total) > TOLERANCE:
            why = NOT_THE_RATE.format(value=value, k=k, n=n, share=hits / total)
            raise AuditorInputError(why, source=source, field=f"{where}/{rate}/value")
        rates[rate] = value
    expected = {"balanced_accuracy": (rates["tpr"] + 1 - rates["fpr"]) / 2,
                "advantage": rates["tpr"] - rates["fpr"]}  # fmt: skip
    for key, value in expected.items():
        found = node.get(key)
        if _number(found) and abs(found - value) > TOLERANCE:
            why = NOT_FROM_RATES.format(value=found, expected=value)
            raise AuditorInputError(why, source=source, field=f"{where}/{key}")
