"""The canaries of an audit read back: their counts, exposures and one-run epsilon bound.

auditor audits ``m`` canaries with ``r = k_plus + k_minus`` guesses fixed in advance, of which
``correct`` hold (``0 <= correct <= r <= m``); the lower bound on epsilon is 0 or more and no
more than ``epsilon_ceiling``, the bound of every guess right (both found by bisection to
1e-6). Each kind's inserted canaries are some of its audited ones, its loss AUC lies in [0, 1],
and each exposure is ``log2(n_candidates + 1) - log2(rank)`` with a rank from 1 to
``n_candidates + 1``: in [0, ``exposure_bits_max_possible``]. A hand-edited count (a correct of
10^15), bound (an epsilon lower bound of 1e300) or exposure was shown by the card and the diff.
:func:`check_canaries` is called by :func:`auditor.record.privacy_counts.check_attack_counts`.
"""

from __future__ import annotations

from typing import Any

from auditor.audit_tree import count
from auditor.errors import AuditorInputError
from auditor.record.bounds import check_count, check_estimate, check_range, number

BISECTION = 1e-6  # how far the epsilon bounds' bisection stops from the bound
NOT_THE_GUESSES = "{r!r} is not k_plus + k_minus ({k})"
EPSILON = "an epsilon lower bound"
PROBABILITY = "a probability"
EXPOSURE = "an exposure in bits"
COUNT = "a count"
UNBOUNDED = float("inf")
EXPOSURES = ("exposure_bits_mean_inserted", "exposure_bits_max_inserted",
             "exposure_bits_mean_not_inserted")  # fmt: skip


def check_canaries(canaries: Any, *, source: str) -> None:
    """Raise :class:`AuditorInputError` naming the first number of ``privacy.canaries`` (an
    audit read back from ``source``) that breaks what the module lists."""
    if not isinstance(canaries, dict) or canaries.get("status") != "ok":
        return
    where = "privacy/canaries"
    _guesses(canaries, where, source)
    for key in ("inclusion_probability", "delta"):
        check_range(canaries.get(key), 0.0, 1.0, what=PROBABILITY, field=f"{where}/{key}",
                    source=source)  # fmt: skip
    ceiling = canaries.get("epsilon_ceiling")
    check_range(ceiling, 0.0, UNBOUNDED, what=EPSILON, field=f"{where}/epsilon_ceiling",
                source=source)  # fmt: skip
    top = ceiling + BISECTION if number(ceiling) else UNBOUNDED
    check_range(canaries.get("epsilon_lower_bound"), 0.0, top, what=EPSILON,
                field=f"{where}/epsilon_lower_bound", source=source)  # fmt: skip
    model = canaries.get("model")
    if isinstance(model, dict) and count(model.get("n_train")) is not None:
        check_range(model["n_train"], 0, UNBOUNDED, what=COUNT, field=f"{where}/model/n_train",
                    source=source)  # fmt: skip
        check_count(model.get("n_canaries_inserted"), model["n_train"], name="n_train",
                    field=f"{where}/model/n_canaries_inserted", source=source)  # fmt: skip
    kinds = canaries.get("kinds")
    for name, kind in kinds.items() if isinstance(kinds, dict) else ():
        if isinstance(kind, dict):
            _kind(kind, f"{where}/kinds/{name}", source)


def _guesses(canaries: dict[str, Any], where: str, source: str) -> None:
    """``0 <= correct <= r <= m``, ``r = k_plus + k_minus``."""
    m, r = canaries.get("m"), canaries.get("r")
    check_range(m, 0, UNBOUNDED, what=COUNT, field=f"{where}/m", source=source)
    if count(m) is None or count(r) is None:
        return
    check_count(r, m, name="m", field=f"{where}/r", source=source)
    check_count(canaries.get("correct"), r, name="r", field=f"{where}/correct", source=source)
    for key in ("k_plus", "k_minus"):
        check_count(canaries.get(key), r, name="r", field=f"{where}/{key}", source=source)
    k_plus, k_minus = canaries.get("k_plus"), canaries.get("k_minus")
    if count(k_plus) is not None and count(k_minus) is not None and r != k_plus + k_minus:
        why = NOT_THE_GUESSES.format(r=r, k=k_plus + k_minus)
        raise AuditorInputError(why, source=source, field=f"{where}/r")


def _kind(kind: dict[str, Any], where: str, source: str) -> None:
    audited = kind.get("n_audited")
    for key in ("n_audited", "n_candidates"):
        check_range(kind.get(key), 0, UNBOUNDED, what=COUNT, field=f"{where}/{key}",
                    source=source)  # fmt: skip
    if count(audited) is not None:
        check_count(kind.get("n_inserted"), audited, name="n_audited",
                    field=f"{where}/n_inserted", source=source)  # fmt: skip
    auc = kind.get("loss_auc")
    if isinstance(auc, dict):
        check_estimate(auc, 0.0, 1.0, what="an AUC", where=f"{where}/loss_auc", source=source)
    most = kind.get("exposure_bits_max_possible")
    check_range(most, 0.0, UNBOUNDED, what=EXPOSURE,
                field=f"{where}/exposure_bits_max_possible", source=source)  # fmt: skip
    top = most if number(most) else UNBOUNDED
    for key in EXPOSURES:
        check_range(kind.get(key), 0.0, top, what=EXPOSURE, field=f"{where}/{key}",
                    source=source)  # fmt: skip
