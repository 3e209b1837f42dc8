"""Judging one rule against an audit: resolve its path, read the evidence through
:mod:`auditor.audit_tree`, and decide pass / fail / insufficient data / not run.

Outcomes
--------
- a path that does not exist in a section that ran is a config error (``ValueError`` here,
  exit 2 from the entry point), not a pass;
- a path into a section or probe that did not run is ``not_run``; below ``min_n`` (or an
  undefined value, or a rate the counts cannot resolve) it is ``insufficient_data``; each
  maps to warn or fail per rule, so it never passes silently;
- modes: ``point`` (the estimate against the bound), ``confident-fail`` (fail only when the
  whole interval is beyond the bound), ``confident-pass`` (pass only when the whole interval
  is within it). Where no interval exists the point estimate decides, and the result says so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

from auditor.audit_tree import Evidence, Match, count, evidence_of, resolve
from auditor.config.gates import GateRule
from auditor.gates.gap_groups import over_large_groups
from auditor.gates.names import human_name, shorten
from auditor.gates.section import Bound, GateResult, bound_text, identity
from auditor.numbers import DOWN, UP, bounds_of, fmt_sig
from auditor.results.classification import NOT_COMPUTED

MSG_BOUND_ONLY = (
    "insufficient data: one of its two rates is undefined (no positives, or no negatives, in "
    "all but one compared group), so it is {said}, the other rate's alone: no "
    "value of the undefined rate is ruled out, and the verdict on {bound} depends on it"
)
# A disparity that is only a bound of itself (its record's ``bound_only``), in words: the one
# table gate messages and every report (auditor.report.bound) write its side with.
BOUND_WORDS = {"lower": "at least ", "upper": "at most "}
MSG_ALLOWED_NEEDS_TEXT = "metric path {path!r}: allowed needs a status text, found {value!r}"
MSG_TEXT_NOT_NUMBER = "metric path {path!r} is the text {value!r}: use allowed = [...]"
# The most characters of a checklist item's reason or evidence a failed gate's message shows.
WHY_MAX = 200
MSG_EMPTY_WILDCARD = "the path's wildcard matched nothing in this audit"
MSG_CANNOT_FAIL = (
    "insufficient data: this audit can show at most epsilon {ceiling} (every one of {guesses} "
    "right), so '{bound}' cannot fail; raise the guesses: privacy.canary_guesses, or "
    "privacy.n_canaries where that is unset (n_canaries // 5 a side)"
)


def interval_relation(lo: float, hi: float, *, max: float | None, min: float | None) -> str:
    """'within' (whole interval inside the bounds), 'beyond' (wholly outside one bound) or
    'straddles' (crosses a bound)."""
    if (max is not None and lo > max) or (min is not None and hi < min):
        return "beyond"
    within = (max is None or hi <= max) and (min is None or lo >= min)
    return "within" if within else "straddles"


def judge(
    value: float,
    lo: float | None,
    hi: float | None,
    *,
    mode: str,
    max: float | None,
    min: float | None,
) -> bool:
    """True when the gate passes. Without an interval every mode compares the estimate."""
    if mode == "point" or lo is None or hi is None:
        return (max is None or value <= max) and (min is None or value >= min)
    relation = interval_relation(lo, hi, max=max, min=min)
    if mode == "confident-fail":
        return relation != "beyond"
    if mode == "confident-pass":
        return relation == "within"
    raise ValueError(f"unknown gate mode {mode!r}")


def fmt(v: Any, bounds: tuple[float, ...] = (), toward: int | None = None) -> str:
    """A value in a gate message: 4 significant digits (an interval's ends rounded outward:
    ``toward`` DOWN / UP), '—' for none; more digits where 4 would print it on a bound of
    ``bounds`` it is not on, or across one (0.94996 against >= 0.95 is 0.94996, not 0.95)."""
    if v is None:
        return "—"
    if not isinstance(v, float):
        return str(v)
    return fmt_sig(v, 4, toward, bounds)


def _verb(ok: bool, value: float, rule: GateRule) -> str:
    """'meets' / 'breaks' where the estimate agrees with the verdict, else what the interval
    decided: an estimate past the bound whose interval straddles it passes a confident-fail
    gate without meeting the bound."""
    inside = judge(value, None, None, mode="point", max=rule.max, min=rule.min)
    if inside == ok:
        return "meets" if ok else "breaks"
    return "is not confidently past" if ok else "is not confidently within"


def rule_bound(rule: GateRule) -> Bound:
    allowed = tuple(rule.allowed) if rule.allowed is not None else None
    return Bound(min=rule.min, max=rule.max, allowed=allowed)


@dataclass(frozen=True)
class _Verdict:
    outcome: str
    message: str
    relation: str | None = None
    warning: bool = False  # a failed bound that the rule reports as a warning (warn_on)


def _no_verdict(match: Match, ev: Evidence, min_n: int) -> _Verdict | None:
    """Why the evidence gives no verdict (not run, insufficient data), or None."""
    if match.not_run:
        return _Verdict("not_run", f"not evaluated: {match.not_run}")
    if ev.status in ("not_run", "not_applicable"):
        return _Verdict("not_run", f"not evaluated: {ev.undefined or ev.status}")
    if ev.value is None and ev.undefined in NOT_COMPUTED:  # e.g. ECE without a score column
        return _Verdict("not_run", f"not evaluated: {ev.undefined}")
    if match.insufficient is not None:
        return _Verdict("insufficient_data", f"insufficient data: {match.insufficient}")
    if ev.resolvable is False:
        why = "the counts cannot resolve this rate (resolvable = false)"
        return _Verdict("insufficient_data", f"insufficient data: {why}")
    if ev.status == "insufficient_data":
        n = f" (n={ev.n})" if ev.n is not None else ""
        return _Verdict(
            "insufficient_data", f"insufficient data: {ev.undefined or 'the node says so'}{n}"
        )
    if ev.n is not None and ev.n < min_n:
        msg = f"insufficient data: n={ev.n} below the minimum count {min_n}"
        return _Verdict("insufficient_data", msg)
    if ev.value is None:
        return _Verdict("insufficient_data", f"insufficient data: {ev.undefined or 'no value'}")
    return None


def _cannot_fail(rule: GateRule, match: Match, ev: Evidence) -> _Verdict | None:
    """Insufficient data where a ``max``-only rule's bound is at or above the most the value
    could be in this audit (``ev.ceiling``: an epsilon lower bound with every canary guess
    right): no outcome fails it, so its pass would say nothing. The bound only rises with
    right guesses, so the rule can fail exactly when its max is below the ceiling."""
    if rule.max is None or rule.min is not None or ev.ceiling is None:
        return None
    if not isinstance(ev.value, float) or rule.max < ev.ceiling:
        return None
    p = match.parent if isinstance(match.parent, dict) else {}
    r, m = count(p.get("r")), count(p.get("m"))
    guesses = f"its {r} guesses on {m} canaries" if None not in (r, m) else "its canary guesses"
    ceiling = fmt(ev.ceiling, bounds_of({"max": rule.max}), UP)  # "at most": rounded up
    bound = bound_text(rule_bound(rule))
    msg = MSG_CANNOT_FAIL.format(ceiling=ceiling, guesses=guesses, bound=bound)
    return _Verdict("insufficient_data", msg)


def bound_decides(
    side: Literal["lower", "upper"], value: float, lo: float | None, hi: float | None, *, mode: str,
    max: float | None, min: float | None,
) -> bool:  # fmt: skip
    """Whether the verdict on ``value`` [lo, hi], only the ``side`` ("lower" / "upper")
    bound of a fraction, holds whatever the fraction is beyond it. Every mode's verdict moves
    one way as the value and its interval ends move together (to 1 above a lower bound, to 0
    below an upper one), so a pass stands where the far end passes too; a failure, where the
    far end fails and, for a rule bounded on both sides, the failure is on the side the
    fraction can only move away from."""
    ok = judge(value, lo, hi, mode=mode, max=max, min=min)
    edge = 1.0 if side == "lower" else 0.0
    if judge(edge, edge, edge, mode=mode, max=max, min=min) != ok:
        return False
    if ok or max is None or min is None:
        return True
    away = {"max": max, "min": None} if side == "lower" else {"max": None, "min": min}
    return not judge(value, lo, hi, mode=mode, **away)


def bound_phrase(
    side: Literal["lower", "upper"], value: float, lo: float | None, hi: float | None,
    *, max: float | None, min: float | None,
) -> str:  # fmt: skip
    """'at least 0.2339 [0.1756, 0.2937]' ('at most' for an upper bound): a bound of its
    metric as a gate message writes it (:func:`fmt` against the rule's own bounds)."""
    bounds = bounds_of({"min": min, "max": max})
    ci = f" [{fmt(lo, bounds, DOWN)}, {fmt(hi, bounds, UP)}]" if None not in (lo, hi) else ""
    return f"{BOUND_WORDS[side]}{fmt(float(value), bounds)}{ci}"


def _half_message(rule: GateRule, ev: Evidence) -> str:
    said = bound_phrase(ev.bound_only, ev.value, ev.ci_low, ev.ci_high, max=rule.max,
                        min=rule.min)  # fmt: skip
    return MSG_BOUND_ONLY.format(said=said, bound=bound_text(rule_bound(rule)))


def _item_why(item: Any) -> str:
    """What the node beside a status says about it (a checklist item's reason, else its
    evidence), as ``": ..."``; empty when it says nothing."""
    if not isinstance(item, dict):
        return ""
    why = item.get("reason") or item.get("evidence")
    if not isinstance(why, str) or not why.strip():
        return ""
    # cut the middle, half kept at each end: the way on (a key to set) ends the text
    return ": " + shorten(why.strip(), WHY_MAX, head=WHY_MAX // 2 - 1)


def _verdict(rule: GateRule, match: Match, ev: Evidence, min_n: int) -> _Verdict:
    none = _no_verdict(match, ev, min_n) or _cannot_fail(rule, match, ev)
    if none is not None:
        return none
    text = bound_text(rule_bound(rule))
    if rule.allowed is not None:
        if not isinstance(ev.value, str):
            raise ValueError(MSG_ALLOWED_NEEDS_TEXT.format(path=match.path, value=ev.value))
        ok = ev.value in rule.allowed
        warning = not ok and ev.value in (rule.warn_on or ())
        msg = f"{ev.value!r} {'is' if ok else 'is not'} {text}"
        if not ok:
            msg += _item_why(match.parent)
        return _Verdict("pass" if ok else "fail", msg, warning=warning)
    if not isinstance(ev.value, float):  # a text (None never gets here: no verdict)
        raise ValueError(MSG_TEXT_NOT_NUMBER.format(path=match.path, value=ev.value))
    ok = judge(ev.value, ev.ci_low, ev.ci_high, mode=rule.mode, max=rule.max, min=rule.min)
    if ev.bound_only is not None and not bound_decides(
        ev.bound_only, ev.value, ev.ci_low, ev.ci_high, mode=rule.mode, max=rule.max,
        min=rule.min,
    ):  # fmt: skip
        return _Verdict("insufficient_data", _half_message(rule, ev))
    relation, ci = None, ""
    bounds = bounds_of({"min": rule.min, "max": rule.max})
    if ev.ci_low is not None and ev.ci_high is not None:
        relation = interval_relation(ev.ci_low, ev.ci_high, max=rule.max, min=rule.min)
        ci = f" [{fmt(ev.ci_low, bounds, DOWN)}, {fmt(ev.ci_high, bounds, UP)}]"
    count = f" (n={ev.n})" if ev.n is not None else ""
    msg = f"{fmt(ev.value, bounds)}{ci}{count} {_verb(ok, ev.value, rule)} {text}"
    if ev.group is not None and match.picked[-1:] != (ev.group,):
        msg += f"; worst-off group {shorten(ev.group)}"
    if relation:
        msg += f"; interval {relation} the bound ({rule.mode})"
    if rule.mode != "point" and ev.interval == "none":
        msg += "; no interval at this path, so the point estimate decided"
    return _Verdict("pass" if ok else "fail", msg, relation)


def outcome_status(rule: GateRule, outcome: Any, *, warning: bool = False) -> str | None:
    """The status ``rule`` gives ``outcome`` (a failure is a warning under severity
    "warning", or where ``warning``: a status in its ``warn_on``); None for no outcome."""
    if outcome == "pass":
        return "pass"
    if outcome == "fail":
        return "warn" if rule.severity == "warning" or warning else "fail"
    return {"insufficient_data": rule.insufficient, "not_run": rule.not_run}.get(outcome)


def gate_name(rule: GateRule, match: Match) -> str:
    """The gate's human name (:func:`auditor.gates.names.human_name`)."""
    return human_name(rule, match.picked)


def evaluate_match(
    rule: GateRule, match: Match, *, min_count: int, rule_ref: str, source: str, note: str = ""
) -> GateResult:
    """The gate result of one node a rule's path reached; ``note`` ends its message."""
    start = time.perf_counter()
    min_n = rule.min_n or min_count
    ev = Evidence(value=None) if match.not_run else evidence_of(match)
    v = _verdict(rule, match, ev, min_n)
    bound = rule_bound(rule)
    area = match.path.split(".", 1)[0].split("[", 1)[0]
    return GateResult(
        id=identity(match.path, bound, rule.mode),
        name=gate_name(rule, match),
        area=area,
        metric=match.path,
        group=ev.group or "all",
        rule=rule_ref,
        source=source,
        mode=rule.mode,
        bound=bound,
        value=ev.value,
        ci_low=ev.ci_low,
        ci_high=ev.ci_high,
        interval=ev.interval,
        n=ev.n,
        min_n=min_n,
        outcome=v.outcome,
        status=outcome_status(rule, v.outcome, warning=v.warning) or rule.not_run,
        relation=v.relation,
        message=v.message + note,
        seconds=round(time.perf_counter() - start, 6),
    )


def evaluate_rule(
    audit: dict[str, Any],
    rule: GateRule,
    *,
    min_count: int = 30,
    rule_ref: str = "rules[0]",
    source: str = "config",
) -> list[GateResult]:
    """Evaluate one rule; a wildcard gives one result per match. Raises ``ValueError`` for a
    path that does not exist where its section ran."""
    matches = resolve(audit, rule.metric) or [Match(rule.metric, not_run=MSG_EMPTY_WILDCARD)]
    min_n = rule.min_n or min_count
    judged = [over_large_groups(audit, rule, m, min_n) for m in matches]
    return [
        evaluate_match(rule, m, min_count=min_count, rule_ref=rule_ref, source=source, note=note)
        for m, note in judged
    ]
