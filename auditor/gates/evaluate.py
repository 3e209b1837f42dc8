"""The entry point: every gate (built-in and configured) over one audit -> the gates section.

``judge_audit`` returns the typed :class:`GatesSection` (or :class:`NotRun`);
``evaluate_gates`` its audit.json form; ``exit_code`` what the CLI exits with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from auditor.audit_tree import Match
from auditor.config.gates import GateRule, GatesConfig
from auditor.errors import AuditorInputError
from auditor.gates import baseline as base
from auditor.gates.comparable import not_comparable
from auditor.gates.judge import evaluate_match, evaluate_rule
from auditor.gates.rules import default_rules, validate_rules
from auditor.gates.section import GateResult, GatesSection, Status
from auditor.gates.stamp import judged_by
from auditor.results._base import NotRun, dump

MSG_DISABLED = "gates are disabled in config (gates.enabled = false)"
MSG_DEFAULT_UNREADABLE = "built-in gate cannot read this audit: {exc}"


def _all_rules(audit: Mapping[str, Any], config: GatesConfig) -> list[tuple[str, str, GateRule]]:
    """(rule ref, source, rule): the scenario's built-in rules, then the config's."""
    rules: list[tuple[str, str, GateRule]] = []
    if config.use_defaults:
        scenario = str((audit.get("run") or {}).get("scenario", ""))
        privacy_cfg = (audit.get("config") or {}).get("privacy") or {}
        defaults = default_rules(scenario, dp_claimed=bool(privacy_cfg.get("dp")),
                                 intersections=_may_have_intersections(audit),
                                 classes=_classes(audit))  # fmt: skip
        rules += [(f"defaults[{i}]", "default", r) for i, r in enumerate(defaults)]
    rules += [(f"rules[{i}]", "config", r) for i, r in enumerate(config.rules)]
    return rules


def _fairness_ran(audit: Mapping[str, Any]) -> Mapping[str, Any]:
    """The fairness section where it ran; else {} (its shape then unknown to the defaults)."""
    fairness = audit.get("fairness")
    ran = isinstance(fairness, Mapping) and fairness.get("status") == "ok"
    return fairness if ran else {}


def _may_have_intersections(audit: Mapping[str, Any]) -> bool:
    """False only where the fairness check ran and audited no intersection (one sensitive
    feature, or intersections off): a fairness section that did not run still gets the
    intersection gate, which then warns that it was not run."""
    features = _fairness_ran(audit).get("features")
    if not isinstance(features, Mapping):
        return True
    kinds = [f.get("kind") if isinstance(f, Mapping) else None for f in features.values()]
    return None in kinds or "intersection" in kinds  # an unknown shape keeps the gate


def _classes(audit: Mapping[str, Any]) -> list[str] | None:
    """The fairness section's class names where it ran (None: unknown)."""
    classes = _fairness_ran(audit).get("classes")
    return [str(c) for c in classes] if isinstance(classes, list) else None


def _one_rule(
    audit: Mapping[str, Any], ref: str, source: str, rule: GateRule, config: GatesConfig,
    *, config_file: str | None, strict: bool,
) -> list[GateResult]:  # fmt: skip
    try:
        return evaluate_rule(
            dict(audit), rule, min_count=config.min_count, rule_ref=ref, source=source
        )
    except ValueError as exc:
        if not strict:
            return []
        if source == "default":
            # A built-in gate must never stop a run: it reports what it could not read.
            missing = Match(rule.metric, not_run=MSG_DEFAULT_UNREADABLE.format(exc=exc))
            return [
                evaluate_match(
                    rule, missing, min_count=config.min_count, rule_ref=ref, source=source
                )
            ]
        raise AuditorInputError(str(exc), source=config_file, field=f"gates.{ref}.metric") from None


def _numbered(base: str, k: int) -> str:
    return base if k == 1 else f"{base} #{k}"


def _unique(
    result: GateResult, seen: set[str], names: set[str], low: dict[tuple[str, str], int]
) -> GateResult:
    """Two rules may reach the same node with the same bound, or give the same name: number
    the later ones, so ids and names are each unique (junit keys testcases by name). ``low``:
    per id and name, a number below which every one is taken (the sets only grow), where the
    search starts: 19,000 copies of one rule counted up from #2 each, 1m56s for a gate."""
    base_id, base_name = result.id, result.name
    k = max(low.get(("id", base_id), 1), low.get(("name", base_name), 1))
    while _numbered(base_id, k) in seen or _numbered(base_name, k) in names:
        k += 1
    if k > 1:
        result = result.model_copy(
            update={"id": _numbered(base_id, k), "name": _numbered(base_name, k)}
        )
    seen.add(result.id)
    names.add(result.name)
    for key, text, taken in (("id", base_id, seen), ("name", base_name, names)):
        j = low.get((key, text), 1)
        while _numbered(text, j) in taken:
            j += 1
        low[key, text] = j
    return result


def _evaluate(
    audit: Mapping[str, Any], config: GatesConfig, *, config_file: str | None, strict: bool,
    limit: int | None = None,
) -> tuple[list[GateResult], dict[str, GateRule]]:  # fmt: skip
    """Every rule's results (the rules after the one that passes ``limit`` results left out)."""
    results: list[GateResult] = []
    by_id: dict[str, GateRule] = {}
    seen: set[str] = set()
    names: set[str] = set()
    low: dict[tuple[str, str], int] = {}
    for ref, source, rule in _all_rules(audit, config):
        for r in _one_rule(
            audit, ref, source, rule, config, config_file=config_file, strict=strict
        ):
            r = _unique(r, seen, names, low)
            by_id[r.id] = rule
            results.append(r)
        if limit is not None and len(results) > limit:
            break
    return results, by_id


def judge_audit(
    audit: Mapping[str, Any],
    config: GatesConfig,
    *,
    config_file: str | None = None,
    baseline: Mapping[str, Any] | None = None,
    baseline_file: str | None = None,
    limit: int | None = None,
) -> GatesSection | NotRun:
    """Evaluate every gate over ``audit`` (and against ``baseline``, or the config's baseline
    file). Raises :class:`AuditorInputError` (exit 2) for a bad rule path or baseline.
    ``limit``: where given, no rule is judged once the results pass it (a file read back that
    holds ``limit`` gates: one rule with many matches, repeated, made it judge thousands)."""
    if not config.enabled:
        return NotRun(reason=MSG_DISABLED)
    validate_rules(config, source=config_file, schema=None)  # the audit itself judges the kinds
    if baseline is None and config.baseline is not None:
        folder = Path(config_file).parent if config_file else None
        baseline = base.load_baseline(config.baseline, base=folder)
        baseline_file = baseline_file or str(config.baseline)
    results, by_id = _evaluate(audit, config, config_file=config_file, strict=True, limit=limit)
    summary = None
    if baseline is not None:
        old, _ = _evaluate(baseline, config, config_file=config_file, strict=False)
        apart = not_comparable(baseline, audit, names=("the baseline", "this run"))
        extra = base.compare(results, old, by_id, tolerance=config.baseline_tolerance, apart=apart)
        results += extra
        summary = base.summary(
            extra, dict(baseline), file=baseline_file, tolerance=config.baseline_tolerance
        )
    counts, verdict = tally(r.status for r in results)
    return GatesSection(
        verdict=verdict,
        fail_on=config.fail_on,
        config_file=config_file,
        defaults=str(audit["run"]["scenario"]) if config.use_defaults else None,
        counts=counts,
        results=tuple(results),
        baseline=summary,
        judged_by=judged_by(),
    )


def tally(statuses: Iterable[str]) -> tuple[dict[str, int], Status]:
    """The counts of pass, warn and fail among gates' ``statuses``, and their verdict: fail
    if any failed, else warn if any warned, else pass."""
    found = list(statuses)
    counts = {k: found.count(k) for k in ("pass", "warn", "fail")}
    verdict: Status = "fail" if counts["fail"] else "warn" if counts["warn"] else "pass"
    return counts, verdict


def evaluate_gates(
    audit: Mapping[str, Any],
    config: GatesConfig,
    *,
    config_file: str | None = None,
    baseline: Mapping[str, Any] | None = None,
    baseline_file: str | None = None,
) -> dict[str, Any]:
    """:func:`judge_audit` as the ``gates`` section of audit.json (a plain dict)."""
    section = judge_audit(
        audit, config, config_file=config_file, baseline=baseline, baseline_file=baseline_file
    )
    return dump(section)


def exit_code(
    gates: Mapping[str, Any] | GatesSection | NotRun, *, fail_on: str | None = None
) -> int:
    """0 pass (warnings pass unless fail_on = "warning"), 1 a gate failed. The one rule: the
    terminal's FAIL and the cards' "failed (warnings fail)" ask it."""
    g = dump(gates) if not isinstance(gates, Mapping) else gates
    if g.get("status") != "ok":
        return 0
    if g["verdict"] == "fail" or (g["verdict"] == "warn" and warnings_may_fail(g, fail_on=fail_on)):
        return 1
    return 0


def warnings_may_fail(gates: Mapping[str, Any], *, fail_on: str | None = None) -> bool:
    """Whether a warning fails these gates: ``fail_on`` (this command's --fail-on or config),
    else the gates' own (audit.json's gates.fail_on), is "warning"."""
    return (fail_on or gates.get("fail_on") or "failure") == "warning"
