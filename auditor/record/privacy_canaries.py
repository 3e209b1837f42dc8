"""The canaries of an audit read back: their counts, exposures and one-run epsilon bound, each
tied to what auditor derives it from.

auditor splits its ``m`` audited canaries over its kinds (mislabelled test rows first, then
noise images: ``m // k`` each, the remainder to the mislabelled), so ``m`` is the sum of the
kinds' ``n_audited``, the mislabelled canaries and their never-inserted candidates are rows of
the test split, and the canary model trains on the members and the inserted canaries
(``n_canaries_inserted``, the sum of the kinds' ``n_inserted``); ``m`` is the config's
``privacy.n_canaries``. It guesses ``k_plus`` in and ``k_minus`` out (the config's
``canary_guesses`` each, as far as ``m`` allows), ``r = k_plus + k_minus``, ``correct`` of
them right (``0 <= correct <= r <= m``); the lower bound on epsilon
and its ceiling (the bound of every guess right) are
:func:`auditor.privacy.canaries.epsilon_lower_bound` of ``m``, ``r``, ``correct`` (or ``r``),
``delta`` (the config's ``privacy.dp.target_delta``, 0 where ``dp`` is null) and
``confidence``, recomputed here (a bisection to 1e-6; the bound null, with its reason in
``undefined``, exactly where the ceiling is 0). At delta 0 the ceiling is recomputed at any
``r`` and the bound up to RECOMPUTED_GUESSES_AT_0 guesses; with a delta both up to
RECOMPUTED_GUESSES, the ceiling held in [0, LARGEST_FINITE] past it; past either limit the
bound is held in [0, ceiling]. Each kind's loss AUC is over its audited canaries and each
exposure is ``log2(n_candidates + 1) - log2(rank)`` with a rank from 1 to ``n_candidates +
1``: in [0, ``exposure_bits_max_possible`` = ``log2(n_candidates + 1)``]. A hand-edited
count (a correct or an m of 10^15), bound (1e300, beside a ceiling of 1e300) or exposure
(beside a maximum of 1e300) was shown by the card and the diff. ``claim_status`` and
``exceeds_claim`` are canary_probe's claim_verdict of ``claimed_epsilon``, the bound and the
ceiling, an untestable claim's reason in ``undefined``; config/privacy/dp is privacy/dp's
(a dict with its ``target_delta`` where ``enabled``, else null).
:func:`check_canaries` is called by :func:`auditor.record.privacy_counts.check_attack_counts`.
"""

from __future__ import annotations

import math
from typing import Any

from auditor.audit_tree import count
from auditor.errors import AuditorInputError
from auditor.privacy.canaries import epsilon_lower_bound
from auditor.record.bounds import check_a_count, check_count, check_estimate, check_range, number

BISECTION = 1e-6  # how far the epsilon bounds' bisection stops from the bound
# Above this many guesses (with a delta above 0; at 0, RECOMPUTED_GUESSES_AT_0) the lower bound
# is only held below the ceiling: one p-value sums the binomial masses one by one, over up to
# the guesses with a delta (the bound 0.02 s at 20,000), over at most about 9 standard
# deviations at 0 (the bound 0.5 s at worst at 10^8, 20 s at 10^12: a hand-edited count would
# stall a gate). At 0 the ceiling's p-value is one mass (every guess right), q^r: its bisection
# costs the same at any r, and is recomputed at any r (R16 #1, R3 #3).
RECOMPUTED_GUESSES = 20_000
RECOMPUTED_GUESSES_AT_0 = 100_000_000
# No bound is larger: past 53 ln 2 = 36.7368, q = 1 / (1 + e^-eps) rounds to 1, whose p-value
# (every guess right is then certain) rejects nothing, so no bound is ever infinite (R3 #3).
LARGEST_FINITE = 53 * math.log(2)
NOT_THE_GUESSES = "{r!r} is not k_plus + k_minus ({k})"
NOT_THE_SUM = "{found!r} is not the sum of the kinds' {key} ({total!r})"
NOT_THE_SPLIT = "{found!r} is not this kind's share of m = {m!r} canaries ({n!r})"
NOT_THE_TRAINING = "{found!r} is not privacy/members/n + n_canaries_inserted ({n!r})"
NOT_THE_TEST_ROWS = (
    "{found!r} audited and candidate mislabelled canaries are more than the test split's "
    "{n!r} rows (data/splits/test/n_rows) they are drawn from"
)
NULL_BOUND = "null beside a ceiling of {ceiling!r}: auditor writes it null only at a ceiling of 0"
NOT_THE_BOUND = "{found!r} is not the bound of m, r, {v}, delta and confidence ({expected})"
NOT_THE_AUDITED = "{found!r} is not this kind's n_audited ({n!r})"
NOT_THE_MAXIMUM = "{found!r} is not log2(n_candidates + 1) ({expected:.6g})"
NOT_CONFIGURED = "{found!r} is not config/privacy/{key} ({n!r})"
NOT_GUESSED = "{found!r} is not the guesses config/privacy/canary_guesses makes of m ({n!r})"
NOT_THE_DELTA = "{found!r} is not config/privacy/dp/target_delta ({n!r})"
NO_DP_DELTA = "{found!r} is not 0.0, the delta auditor audits at where config/privacy/dp is null"
DP_NOT_OFF = "{found!r} is not null, as privacy/dp/enabled false says (no DP-SGD ran)"
DP_NOT_ON = "{found!r} is not privacy/dp/target_delta ({n!r}), the delta DP-SGD ran at"
NOT_NULL = "{found!r} beside a ceiling of 0: auditor writes it null there (no outcome shows more)"
NO_REASON = (
    "{found!r}: a null epsilon_lower_bound needs its reason here (auditor writes why no outcome "
    "of the guesses can show an epsilon above 0)"
)
NO_CLAIM_REASON = (
    "{found!r}: an untestable claim needs its reason here (auditor writes why no outcome of "
    "the guesses can exceed the claim)"
)
NOT_THE_CLAIM = (
    "{found!r} is not the {key} of a claimed epsilon {claimed!r} beside the bound {bound!r} "
    "and the ceiling {ceiling!r} ({expected!r})"
)
EPSILON = "an epsilon lower bound"
PROBABILITY = "a probability"
EXPOSURE = "an exposure in bits"
EXPOSURES = ("exposure_bits_mean_inserted", "exposure_bits_max_inserted",
             "exposure_bits_mean_not_inserted")  # fmt: skip
KINDS = ("mislabelled", "noise")  # make_canaries' order: the remainder of m to the first
WHERE = "privacy/canaries"


def check_canaries(data: dict[str, Any], *, source: str) -> None:
    """Raise :class:`AuditorInputError` naming the first number of ``privacy.canaries`` (an
    audit read back from ``source``) that breaks what the module lists."""
    canaries = _part(_part(data, "privacy"), "canaries")
    if canaries.get("status") != "ok":
        return
    kinds = {k: v for k, v in _part(canaries, "kinds").items() if isinstance(v, dict)}
    config = _part(_part(data, "config"), "privacy")
    _audited(canaries, kinds, config, source)  # before each kind's counts, tied to n_audited
    for name, kind in kinds.items():
        _kind(kind, f"{WHERE}/kinds/{name}", source)
    _drawn(canaries, kinds, data, source)
    _guesses(canaries, source)
    _configured(canaries, config, source)
    for key in ("inclusion_probability", "delta", "confidence"):
        check_range(canaries.get(key), 0.0, 1.0, what=PROBABILITY, field=f"{WHERE}/{key}",
                    source=source)  # fmt: skip
    _delta(canaries, _tied_dp(data, config, source), source)
    _bounds(canaries, source)
    _claim(canaries, source)


def _sum(kinds: dict[str, Any], key: str) -> int | None:
    values = [kind.get(key) for kind in kinds.values()]
    return sum(values) if values and all(count(v) is not None for v in values) else None


def _refuse_unequal(found: Any, expected: Any, why: str, field: str, source: str) -> None:
    if count(found) is not None and expected is not None and found != expected:
        raise AuditorInputError(why, source=source, field=field)


def _audited(canaries: dict[str, Any], kinds: dict[str, Any], config: dict[str, Any],
             source: str) -> None:  # fmt: skip
    """``m`` the config's ``n_canaries``, then each kind's ``n_audited`` its share of ``m`` (as
    make_canaries splits it), then ``m`` their sum (first, where the config has no
    ``n_canaries``): an edited ``n_audited`` is named as itself, not as its loss AUC's ``n``
    or as ``m`` (r10 #2)."""
    m, n = canaries.get("m"), config.get("n_canaries")
    check_a_count(m, field=f"{WHERE}/m", source=source)
    _refuse_unequal(m, count(n), NOT_CONFIGURED.format(found=m, key="n_canaries", n=n),
                    f"{WHERE}/m", source)  # fmt: skip
    total = _sum(kinds, "n_audited")
    why = NOT_THE_SUM.format(found=m, key="n_audited", total=total)
    if count(n) is None:  # m not held to the config: m named first where the kinds disagree
        _refuse_unequal(m, total, why, f"{WHERE}/m", source)
    if count(m) is not None and set(kinds) <= set(KINDS):
        for i, name in enumerate(k for k in KINDS if k in kinds):
            share = m // len(kinds) + (1 if i < m % len(kinds) else 0)
            found = kinds[name].get("n_audited")
            _refuse_unequal(found, share, NOT_THE_SPLIT.format(found=found, m=m, n=share),
                            f"{WHERE}/kinds/{name}/n_audited", source)  # fmt: skip
    _refuse_unequal(m, total, why, f"{WHERE}/m", source)


def _drawn(canaries: dict[str, Any], kinds: dict[str, Any], data: dict[str, Any],
           source: str) -> None:  # fmt: skip
    """The mislabelled canaries drawn from the test split; the canary model trained on the
    members and those inserted."""
    test = _part(_part(data, "data"), "splits")
    rows = _part(test, "test").get("n_rows")
    mislabelled = kinds.get("mislabelled", {})
    drawn, candidates = mislabelled.get("n_audited"), mislabelled.get("n_candidates")
    if all(count(x) is not None for x in (rows, drawn, candidates)) and drawn + candidates > rows:
        why = NOT_THE_TEST_ROWS.format(found=drawn + candidates, n=rows)
        raise AuditorInputError(why, source=source, field=f"{WHERE}/kinds/mislabelled")
    model = canaries.get("model")
    if not isinstance(model, dict):
        return
    inserted = model.get("n_canaries_inserted")
    total = _sum(kinds, "n_inserted")
    _refuse_unequal(inserted, total, NOT_THE_SUM.format(found=inserted, key="n_inserted",
                    total=total), f"{WHERE}/model/n_canaries_inserted", source)  # fmt: skip
    members = _part(_part(data, "privacy"), "members").get("n")
    n_train = model.get("n_train")
    if count(members) is not None and count(inserted) is not None:
        n = members + inserted
        _refuse_unequal(n_train, n, NOT_THE_TRAINING.format(found=n_train, n=n),
                        f"{WHERE}/model/n_train", source)  # fmt: skip


def _part(node: Any, key: str) -> dict[str, Any]:
    """``node[key]`` where both are objects, else an empty one."""
    part = node.get(key) if isinstance(node, dict) else None
    return part if isinstance(part, dict) else {}


def _guesses(canaries: dict[str, Any], source: str) -> None:
    """``0 <= correct <= r <= m``, ``r = k_plus + k_minus``."""
    m, r = canaries.get("m"), canaries.get("r")
    if count(m) is None or count(r) is None:
        return
    check_count(r, m, name="m", field=f"{WHERE}/r", source=source)
    check_count(canaries.get("correct"), r, name="r", field=f"{WHERE}/correct", source=source)
    for key in ("k_plus", "k_minus"):
        check_count(canaries.get(key), r, name="r", field=f"{WHERE}/{key}", source=source)
    k_plus, k_minus = canaries.get("k_plus"), canaries.get("k_minus")
    if count(k_plus) is not None and count(k_minus) is not None and r != k_plus + k_minus:
        why = NOT_THE_GUESSES.format(r=r, k=k_plus + k_minus)
        raise AuditorInputError(why, source=source, field=f"{WHERE}/r")


def _configured(canaries: dict[str, Any], config: dict[str, Any], source: str) -> None:
    """Each side's guesses are the config's ``canary_guesses`` (``n_canaries // 5``, at least
    1, where null), as far as ``m`` allows (one_run_audit); ``m`` is ``n_canaries``."""
    m, n = canaries.get("m"), config.get("n_canaries")
    if count(m) is None or count(n) is None:
        return
    guesses = config.get("canary_guesses", 0)
    k = max(n // 5, 1) if guesses is None else count(guesses)
    if k is None or "canary_guesses" not in config:
        return
    k_plus = min(k, m)
    for key, want in (("k_plus", k_plus), ("k_minus", min(k, max(m - k_plus, 0)))):
        found = canaries.get(key)
        _refuse_unequal(found, want, NOT_GUESSED.format(found=found, n=want),
                        f"{WHERE}/{key}", source)  # fmt: skip


def _tied_dp(data: dict[str, Any], config: dict[str, Any], source: str) -> Any:
    """The config's ``dp`` (``...`` where it has none), held to the section's privacy/dp where
    that states ``enabled``: a dict with its ``target_delta`` where true, null (or none) where
    false, so that a second edit of config/privacy/dp cannot reopen ``delta`` (R14 #1)."""
    section, dp = _part(_part(data, "privacy"), "dp"), config.get("dp", ...)
    enabled = section.get("enabled")
    if enabled is False and dp not in (None, ...):
        why = DP_NOT_OFF.format(found=dp)
        raise AuditorInputError(why, source=source, field="config/privacy/dp")
    if enabled is True:
        want = section.get("target_delta")
        found = dp.get("target_delta") if isinstance(dp, dict) else dp
        if not isinstance(dp, dict) or not number(found) or found != want:
            why = DP_NOT_ON.format(found=None if dp is ... else found, n=want)
            raise AuditorInputError(why, source=source, field="config/privacy/dp/target_delta")
    return None if enabled is False else dp


def _delta(canaries: dict[str, Any], dp: Any, source: str) -> None:
    """``delta`` is the config's ``dp.target_delta``, 0.0 where ``dp`` is null (canary_probe),
    as ``m`` is held to ``n_canaries``: a delta of 5e-324 turned off every recomputation past
    RECOMPUTED_GUESSES (R8 #1). Not held where neither the config nor privacy/dp (older files)
    says whether there is a ``dp``."""
    delta = canaries.get("delta")
    if dp is None:
        want, why = 0.0, NO_DP_DELTA.format(found=delta)
    elif isinstance(dp, dict) and number(dp.get("target_delta")):
        want = dp["target_delta"]
        why = NOT_THE_DELTA.format(found=delta, n=want)
    else:
        return
    if number(delta) and delta != want:
        raise AuditorInputError(why, source=source, field=f"{WHERE}/delta")


def _bounds(canaries: dict[str, Any], source: str) -> None:
    """The ceiling and the lower bound as :func:`epsilon_lower_bound` gives them, as far as the
    module says; the bound null exactly where the ceiling is 0 (powerless, R3 #2)."""
    m, r, correct = (canaries.get(key) for key in ("m", "r", "correct"))
    delta, confidence = canaries.get("delta"), canaries.get("confidence")
    ceiling, bound = canaries.get("epsilon_ceiling"), canaries.get("epsilon_lower_bound")
    known = all(count(x) is not None for x in (m, r, correct))
    known = known and number(delta) and number(confidence)
    if known and (delta == 0 or r <= RECOMPUTED_GUESSES):
        top = epsilon_lower_bound(m, r, r, delta=delta, confidence=confidence)
        _same_bound(ceiling, top, "r", "epsilon_ceiling", source)
    else:
        check_range(ceiling, 0.0, LARGEST_FINITE, what=EPSILON, field=f"{WHERE}/epsilon_ceiling",
                    source=source)  # fmt: skip
        top = ceiling if number(ceiling) else LARGEST_FINITE
    if top == 0:  # powerless: null with its reason, as the writer writes it (R8 #2)
        _powerless(canaries, source)
        return
    if known and r <= (RECOMPUTED_GUESSES if delta > 0 else RECOMPUTED_GUESSES_AT_0):
        expected = epsilon_lower_bound(m, r, correct, delta=delta, confidence=confidence)
        _same_bound(bound, expected, "correct", "epsilon_lower_bound", source)
    elif bound is None:
        why = NULL_BOUND.format(ceiling=ceiling)
        raise AuditorInputError(why, source=source, field=f"{WHERE}/epsilon_lower_bound")
    else:
        check_range(bound, 0.0, top + BISECTION, what=EPSILON,
                    field=f"{WHERE}/epsilon_lower_bound", source=source)  # fmt: skip


def _powerless(canaries: dict[str, Any], source: str) -> None:
    """The bound null beside a ceiling of 0, with the reason the card shows in its place."""
    bound = canaries.get("epsilon_lower_bound")
    if bound is not None:
        why = NOT_NULL.format(found=bound)
        raise AuditorInputError(why, source=source, field=f"{WHERE}/epsilon_lower_bound")
    reason = _part(canaries, "undefined").get("epsilon_lower_bound")
    if not isinstance(reason, str) or not reason.strip():
        why = NO_REASON.format(found=reason)
        raise AuditorInputError(why, source=source, field=f"{WHERE}/undefined/epsilon_lower_bound")


def _claim(canaries: dict[str, Any], source: str) -> None:
    """``claim_status`` and ``exceeds_claim`` as canary_probe's claim_verdict gives them from
    the claimed epsilon, the ceiling and the bound: "exceeded" beside a bound of 0 and a claim
    of 1.7 made the card say the bound exceeds the claim while the gate read false (R14 #3).
    Where it is "untestable", ``exceeds_claim`` is null with the reason the card shows in its
    place: without it the card raised UndefinedError (R14 #2)."""
    claimed, ceiling = canaries.get("claimed_epsilon"), canaries.get("epsilon_ceiling")
    bound = canaries.get("epsilon_lower_bound")
    if claimed is None:
        want: tuple[str, bool | None] | None = ("no_claim", None)
    elif number(claimed) and number(ceiling) and claimed >= ceiling:
        want = ("untestable", None)
    elif number(claimed) and number(bound):
        want = ("exceeded", True) if bound > claimed else ("within", False)
    else:
        want = None  # a claim below a null bound's ceiling: refused at the bound, or no claim
    for key, expected in zip(("claim_status", "exceeds_claim"), want or (), strict=False):
        found = canaries.get(key)
        if key in canaries and found != expected:  # the schema: a string, a boolean or null
            why = NOT_THE_CLAIM.format(found=found, key=key, claimed=claimed, bound=bound,
                                       ceiling=ceiling, expected=expected)  # fmt: skip
            raise AuditorInputError(why, source=source, field=f"{WHERE}/{key}")
    if canaries.get("claim_status") != "untestable":
        return
    reason = _part(canaries, "undefined").get("exceeds_claim")
    if not isinstance(reason, str) or not reason.strip():
        why = NO_CLAIM_REASON.format(found=reason)
        raise AuditorInputError(why, source=source, field=f"{WHERE}/undefined/exceeds_claim")


def _same_bound(found: Any, expected: float, v: str, key: str, source: str) -> None:
    """``found`` is ``expected`` within two bisection steps."""
    if number(found) and abs(found - expected) <= 2 * BISECTION:
        return
    why = NOT_THE_BOUND.format(found=found, v=v, expected=f"{expected:.6g}")
    raise AuditorInputError(why, source=source, field=f"{WHERE}/{key}")


def _kind(kind: dict[str, Any], where: str, source: str) -> None:
    audited = kind.get("n_audited")
    for key in ("n_audited", "n_candidates"):
        check_a_count(kind.get(key), field=f"{where}/{key}", source=source)
    if count(audited) is not None:
        check_count(kind.get("n_inserted"), audited, name="n_audited",
                    field=f"{where}/n_inserted", source=source)  # fmt: skip
    auc = kind.get("loss_auc")
    if isinstance(auc, dict):
        check_estimate(auc, 0.0, 1.0, what="an AUC", where=f"{where}/loss_auc", source=source)
        n = auc.get("n")
        _refuse_unequal(n, count(audited), NOT_THE_AUDITED.format(found=n, n=audited),
                        f"{where}/loss_auc/n", source)  # fmt: skip
    most, candidates = kind.get("exposure_bits_max_possible"), kind.get("n_candidates")
    if count(candidates) is not None:
        expected = math.log2(candidates + 1)
        if not number(most) or abs(most - expected) > 1e-9 * max(1.0, expected):
            why = NOT_THE_MAXIMUM.format(found=most, expected=expected)
            raise AuditorInputError(why, source=source, field=f"{where}/exposure_bits_max_possible")
    top = most if number(most) else math.inf
    for key in EXPOSURES:
        check_range(kind.get(key), 0.0, top, what=EXPOSURE, field=f"{where}/{key}",
                    source=source)  # fmt: skip
