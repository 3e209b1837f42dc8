"""The checklist items read from the sections computed before the transparency check:
performance evaluated, fairness coverage, privacy probes, explanations. Each returns an
:data:`Item` (status, evidence, details) from the section's JSON shape (None when absent)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from auditor.checks.perturbed import named_columns
from auditor.numbers import convergence_share

if TYPE_CHECKING:
    from auditor.context import AuditContext

Item = tuple[str, str, dict[str, Any] | None]  # (status, evidence, details)
# An automatic item whose section did not run: what did not run, why, and the way on last
# (a gate's message cuts a long text in its middle, so the end stays whole).
NA_WAY = "(or mark transparency.not_applicable.{key} with why)"
DID_NOT_RUN = "{what} did not run: {reason} " + NA_WAY


def _declared_features(ctx: AuditContext) -> list[str]:
    wanted = ctx.config.fairness.sensitive
    return list(wanted) if wanted else list(ctx.bundle.sensitive_features)


def _strings_in(obj: Any, depth: int = 0) -> set[str]:
    """Every dict key and string value within a few levels (to find covered features)."""
    if depth > 4:
        return set()
    if isinstance(obj, Mapping):
        out = {str(k) for k in obj}
        for v in obj.values():
            out |= _strings_in(v, depth + 1)
        return out
    if isinstance(obj, list):
        out: set[str] = set()
        for v in obj[:200]:
            out |= _strings_in(v, depth + 1)
        return out
    return {obj} if isinstance(obj, str) else set()


def fairness_item(ctx: AuditContext, fairness: Mapping[str, Any] | None) -> Item:
    declared = _declared_features(ctx)
    if not declared:
        return "not_applicable", "the data declares no sensitive feature or slice", None
    if not fairness or fairness.get("status") != "ok":
        reason = (fairness or {}).get("reason", "the fairness section is absent")
        text = DID_NOT_RUN.format(what="fairness audit", reason=reason, key="fairness_coverage")
        return "missing", text, {"declared": declared}
    listed = fairness.get("sensitive_features") or fairness.get("features")
    covered_pool = set(listed) if isinstance(listed, list | dict) else _strings_in(fairness)
    covered = [f for f in declared if f in covered_pool]
    uncovered = [f for f in declared if f not in covered_pool]
    details = {"declared": declared, "covered": covered, "uncovered": uncovered}
    if uncovered:
        return "missing", f"not covered: {', '.join(uncovered)}", details
    text = f"covered all {len(declared)}: {', '.join(declared)}"
    thin = [f for f in covered if _no_gap_verdict(fairness, f)]
    if thin:  # audited, but no verdict on its groups: a finding, not coverage met
        details["no_gap_verdict"] = thin
        return "warn", f"{text}; no gap verdict on {', '.join(thin)}: {FEW_GROUPS}", details
    return "met", text, details


# A feature whose groups all but one fall below the fairness check's min_group_size.
FEW_GROUPS = ("fewer than two of its groups reach fairness.min_group_size rows (insufficient "
              "data): collect more rows, or merge small groups")  # fmt: skip


def _no_gap_verdict(fairness: Mapping[str, Any], feature: str) -> bool:
    """Whether ``feature`` was audited with fewer than two groups of enough data, so no gap
    between its groups has a verdict."""
    features = fairness.get("features")
    node = features.get(feature) if isinstance(features, dict) else None
    if not isinstance(node, dict):
        return False
    n, thin = node.get("n_groups"), node.get("n_insufficient")
    return isinstance(n, int) and isinstance(thin, int) and n - thin < 2


# The probes with a node of their own; the others report attacks (privacy.attacks).
NODE_PROBES = ("groups", "canaries", "stages")
NONE_RAN = "no privacy probe ran: {not_run}"


def privacy_item(ctx: AuditContext, privacy: Mapping[str, Any] | None) -> Item:
    """Met where a probe ran; those configured but not run named with why."""
    if not privacy or privacy.get("status") != "ok":
        reason = (privacy or {}).get("reason", "the privacy section is absent")
        return "missing", DID_NOT_RUN.format(what="privacy probes", reason=reason,
                                             key="privacy_probes"), None  # fmt: skip
    probes = privacy.get("probes")
    wanted = [str(p) for p in probes] if isinstance(probes, list) else ctx.config.privacy.probes
    why = {p: _probe_not_run(privacy, p) for p in wanted}
    ran, skipped = [p for p in wanted if why[p] is None], [p for p in wanted if why[p]]
    not_run = ", ".join(f"{p} ({why[p]})" for p in skipped)
    details = {"probes": ran, "not_run": skipped} if skipped else {"probes": ran}
    if not ran:
        said = NONE_RAN.format(not_run=not_run or "none configured")
        return "missing", f"{said} {NA_WAY.format(key='privacy_probes')}", details
    said = f"probes run: {', '.join(ran)}"
    return "met", said + (f"; not run: {not_run}" if not_run else ""), details


def _probe_not_run(privacy: Mapping[str, Any], probe: str) -> str | None:
    """Why ``probe`` did not run (its node's reason, or no attack of it reported); None: ran."""
    if probe in NODE_PROBES:
        node = privacy.get(probe)
        if isinstance(node, Mapping) and node.get("status") == "not_run":
            return str(node.get("reason") or "not run")
        return None if isinstance(node, Mapping) else "no result reported"
    from auditor.privacy.attacks import registered_attacks  # the attacks: not at import

    attacks = registered_attacks()
    reported = privacy.get("attacks") or {}
    if any(name in attacks and attacks[name].probe == probe for name in reported):
        return None
    return "no attack of it reported"


# Completeness (Sundararajan et al. 2017): the attributions add up to f(x) - f(baseline);
# they ask for agreement within 5 %, and more steps where it is not reached.
COMPLETENESS = 0.05
NOT_ADDING_UP = (
    "the attributions add up to f(x) - f(baseline) within {rel:.1%} only (mean |error| "
    "{delta:.4f} against a mean |f(x) - f(baseline)| of {gap:.4f}, over {limit:.0%}): raise "
    "transparency.ig_steps"
)


def explanations_item(explanations: Mapping[str, Any] | None) -> Item:
    """Met where an explanation ran whole; a warning where it left columns or rows out, or
    where Integrated Gradients miss f(x) - f(baseline) by over :data:`COMPLETENESS`."""
    if not explanations or explanations.get("status") != "ok":
        reason = (explanations or {}).get("reason", "the explanations section is absent")
        said = DID_NOT_RUN.format(what="explanations", reason=reason, key="explanations")
        reliance = (explanations or {}).get("reliance") or {}
        if reliance.get("status") == "ok":  # computed beside an explanation not run
            said += f"; the reliance check ran on {', '.join(reliance['features'])}"
        return "missing", said, None
    findings = [_left_out(explanations)]
    if explanations.get("kind") == "permutation":
        parts = [f"{explanations['method']} ({explanations['n_repeats']} repeats) on "
                 f"{explanations['n_rows']:,} test rows"]  # fmt: skip
    else:
        parts = [f"{explanations['method']} ({explanations['n_steps']} steps) on "
                 f"{explanations['n_rows_attributed']:,} test rows"]  # fmt: skip
        delta, gap = explanations.get("convergence_delta_mean_abs"), explanations.get(
            "score_gap_mean_abs")  # fmt: skip
        rel = convergence_share(explanations)  # None in older records; 0: nothing to add up to
        if rel is not None:
            if rel > COMPLETENESS:
                findings.append(NOT_ADDING_UP.format(rel=rel, delta=delta, gap=gap,
                                                     limit=COMPLETENESS))  # fmt: skip
            else:
                parts[0] += f", adding up to f(x) - f(baseline) within {rel:.1%}"
    reliance = explanations.get("reliance", {})
    if reliance.get("status") == "ok":
        parts.append(f"reliance check on {', '.join(reliance['features'])}")
    else:
        parts.append(f"reliance check not applicable: {reliance.get('reason', '')}")
    found = [f for f in findings if f]
    return ("warn" if found else "met"), "; ".join([*parts, *found]), None


def _left_out(explanations: Mapping[str, Any]) -> str | None:
    """What an explanation that ran left out (outputs not finite), in words; else None."""
    columns = explanations.get("not_finite_columns") or []
    rows = explanations.get("n_rows_not_finite") or 0
    if columns:
        return f"left out {len(columns):,} column(s), outputs not finite: {named_columns(columns)}"
    if rows:
        return f"left out {rows:,} test row(s), gradients not finite on their path"
    return None


def performance_item(perf: Mapping[str, Any] | None) -> Item:
    if not perf or perf.get("status") != "ok":
        return "missing", "performance was not evaluated", None
    test = perf.get("finetuned", {}).get("test")
    if not test:
        return "missing", "no test-split metrics for the fine-tuned model", None
    acc = test.get("accuracy")
    shown = "n/a" if acc is None or not math.isfinite(acc) else f"{acc:.3f}"
    return (
        "met",
        f"test split: n={test['n']:,}, accuracy {shown} ({test['n_correct']:,}/{test['n']:,})",
        None,
    )


SEEN_IN_TRAINING = (
    "but the test split shares rows with a training split (see split_disjointness): these "
    "numbers are not all on rows the model never trained on"
)


def on_seen_rows(performance: Item, disjointness: Item) -> Item:
    """The performance item, a warning where split disjointness failed on a pair whose
    evaluation split is the test split (its rows were trained on): a shared source row, or
    shared content in ``fail`` mode; content shared in ``report`` mode is no such finding."""
    status, text, details = performance
    pairs = (disjointness[2] or {}).get("pairs") or []
    content_fails = (disjointness[2] or {}).get("mode") == "fail"
    seen = any(p.get("eval") == "test" and (p.get("n_id_overlap")
               or (content_fails and p.get("n_content_overlap"))) for p in pairs)  # fmt: skip
    if status != "met" or disjointness[0] != "fail" or not seen:
        return performance
    return "warn", f"{text}; {SEEN_IN_TRAINING}", details
