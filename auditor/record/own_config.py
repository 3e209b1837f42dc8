"""The gate results of an audit that other gate code judged, checked against the gates config
the file records (``config.gates``): :func:`auditor.record.own_numbers.check_own_numbers`
checks each verdict against its own numbers, but a result's minimum count, bound and mode
were read as written, so a lowered ``min_n`` (an insufficient-data gate made a pass), a
bound moved, a failure made a warning or a gate removed (the stamp deleted with it) went
unseen.

What the config gives whatever gate code judged the file (the same since schema 2.0): each
result's rule (``defaults[k]`` only where the config uses the built-in gates, ``rules[k]``
one of its rules) and minimum count (the rule's ``min_n``, else ``gates.min_count``); for a
rule of the config, also its bound, mode and the status each outcome becomes (its severity,
``warn_on``, ``insufficient`` and ``not_run``), and the nodes its path reads in this file
(one result each, in order; one "not run" result where a wildcard reads none); each rule
and each built-in gate up to the last one held gives one result at least; a baseline
comparison's tolerance is its rule's (else ``gates.baseline_tolerance``); and the section's
``fail_on`` and ``defaults``. What only the gate code gives (a built-in gate's bound and mode,
how many built-in gates a scenario has) is not checked. A file whose config does not record
its gates (``config.gates`` absent) is read as before.
:func:`auditor.record.verdicts.check_gate_verdicts` calls it.
"""

from __future__ import annotations

import re
from typing import Any

from auditor.audit_tree import parse_path, resolve
from auditor.errors import AuditorInputError
from auditor.gates.judge import outcome_status, rule_bound
from auditor.gates.section import Bound
from auditor.record.baseline_verdicts import differs

BAD_CONFIG = "its gates config cannot judge this audit again ({why})"
TOO_MANY_RULES = "{rules:,} rules, each giving one gate at least, where the file holds {held:,}"
DISABLED = "its gates config disables the gates (gates.enabled = false), but it holds results"
NOT_CONFIG = "{found!r} is not what its gates config gives ({right!r}{why})"
NO_RULE = "{ref!r} is not a rule of its gates config ({why})"
NO_GATE = "its gates config gives {ref} ({metric!r}) one gate at least; the file holds none"
NOT_READ = "its gates config's {ref} reads {right} here; the file holds {found}"
REF = re.compile(r"(defaults|rules)\[(\d+)\]")


def gates_config(data: dict[str, Any], source: str, *, held: int | None = None) -> Any:
    """The file's own gates config (its baseline left out: only the file is read); ``held``:
    the gates the file holds (each rule gives one at least: more rules are refused before
    any is read, 0.3 ms a rule, so that a config of 100,000 rules costs no time; None: the
    rules are not read)."""
    from pydantic import ValidationError

    from auditor.config.gates import GatesConfig
    from auditor.config.keys import first_problem

    config = data.get("config")
    raw = config.get("gates", {}) if isinstance(config, dict) else {}
    rules = raw.get("rules") if isinstance(raw, dict) else None
    if held is None and isinstance(rules, list):
        raw = {**raw, "rules": []}
    elif held is not None and isinstance(rules, list) and len(rules) > held:
        why = TOO_MANY_RULES.format(rules=len(rules), held=held)
        raise AuditorInputError(why, source=source, field="config/gates/rules")
    try:
        return GatesConfig.model_validate(raw).model_copy(update={"baseline": None})
    except ValidationError as exc:  # in the config file's words ("gates.min_count: ...")
        key, msg = first_problem(exc, GatesConfig, prefix="gates.")
        why = BAD_CONFIG.format(why=f"{key}: {msg}"[:200])
        raise AuditorInputError(why, source=source, field="config/gates") from None


def _path_texts(path: Any) -> list[tuple[str, str]] | None:
    try:
        steps = parse_path(path)
    except (ValueError, TypeError, AttributeError):
        return None
    return [(s.kind if s.kind == "key" else "item", str(s.key or s.value or s.index))
            for s in steps]  # fmt: skip


def same_path(stored: Any, right: Any) -> bool:
    """True where ``stored`` is the metric path ``right`` with a label written bare (``[10]``
    for the group "10": before 3398015)."""
    texts = _path_texts(stored)
    return texts is not None and texts == _path_texts(right)


def _status(rule: Any, r: dict[str, Any]) -> str | None:
    """The status ``rule`` gives the outcome of ``r`` (the judge's own rule); None for an
    outcome it gives none."""
    warned = rule.allowed is not None and r.get("value") in (rule.warn_on or ())
    return outcome_status(rule, r.get("outcome"), warning=warned)


def _rule_of(cfg: Any, r: dict[str, Any]) -> tuple[str, int, Any] | str:
    """(kind, index, rule: None for a built-in gate) of the rule ``r`` names; why it names
    none of the config's, else."""
    ref = r.get("rule")
    found = REF.fullmatch(ref) if isinstance(ref, str) else None
    if found is None:
        return "neither defaults[k] nor rules[k]"
    kind, k = found[1], int(found[2])
    wanted = "default" if kind == "defaults" else "config"
    if r.get("source") not in (wanted, "baseline"):
        return f"a gate of source {r.get('source')!r} names a rule of source {wanted!r}"
    if kind == "defaults":
        return (kind, k, None) if cfg.use_defaults else "gates.use_defaults = false"
    if k >= len(cfg.rules):
        return f"it holds {len(cfg.rules):,} rules"
    return kind, k, cfg.rules[k]


def _expected(cfg: Any, rule: Any, r: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``r`` that ``rule`` (None: a built-in gate) of ``cfg`` gives."""
    min_n = (rule.min_n if rule is not None else None) or cfg.min_count
    if r.get("source") == "baseline":
        tol = rule.tolerance if rule is not None else None
        tol = cfg.baseline_tolerance if tol is None else tol
        return {"min_n": min_n, "bound": Bound(tolerance=tol).model_dump()}
    if rule is None:
        return {"min_n": min_n}
    bound = rule_bound(rule).model_dump()
    return {"min_n": min_n, "mode": rule.mode, "status": _status(rule, r), "bound": bound}


def _refuse(why: str, source: str, field: str) -> None:
    raise AuditorInputError(why, source=source, field=field)


def _check_section(data: dict[str, Any], cfg: Any, source: str, tolerance: float) -> None:
    gates = data["gates"]
    run = data.get("run")
    scenario = run.get("scenario") if isinstance(run, dict) else None
    right = {"fail_on": cfg.fail_on, "defaults": str(scenario) if cfg.use_defaults else None}
    summary = gates.get("baseline")
    if isinstance(summary, dict):
        right["baseline/tolerance"] = cfg.baseline_tolerance
    for key, expected in right.items():
        found = summary.get("tolerance") if key.startswith("baseline/") else gates.get(key)
        if differs(found, expected, tolerance):
            _refuse(NOT_CONFIG.format(found=found, right=expected, why=""), source,
                    f"gates/{key}")  # fmt: skip


def _check_reads(data: dict[str, Any], cfg: Any, by_rule: dict[str, list[tuple[int, Any]]],
                 source: str) -> None:  # fmt: skip
    """Each rule of ``cfg`` gives one result per node its path reads in ``data`` (one where
    a wildcard reads none), in order; each built-in gate up to the last one held, one at
    least (``by_rule``: the results held, by rule)."""
    defaults = [int(ref[9:-1]) for ref in by_rule if ref.startswith("defaults[")]
    for k in range(max(defaults, default=-1)):
        if f"defaults[{k}]" not in by_rule:
            _refuse(NO_GATE.format(ref=f"defaults[{k}]", metric="a built-in gate"), source,
                    "gates/results")  # fmt: skip
    for k, rule in enumerate(cfg.rules):
        held = by_rule.get(f"rules[{k}]", [])
        if not held:
            _refuse(NO_GATE.format(ref=f"rules[{k}]", metric=rule.metric), source, "gates/results")
        try:
            paths = [m.path for m in resolve(data, rule.metric)] or [rule.metric]
        except (ValueError, TypeError):
            continue  # a path of another version: its results are not compared
        if len(paths) != len(held):
            why = NOT_READ.format(ref=f"rules[{k}]", right=f"{len(paths):,} nodes",
                                  found=f"{len(held):,} gates")  # fmt: skip
            _refuse(why, source, "gates/results")
        for (i, r), path in zip(held, paths, strict=True):
            metric = r.get("metric")
            if metric != path and not same_path(metric, path):
                why = NOT_READ.format(ref=f"rules[{k}]", right=repr(path), found=repr(metric))
                _refuse(why, source, f"gates/results/{i}/metric")


def check_own_config(
    data: dict[str, Any], results: list[Any], *, source: str, tolerance: float
) -> None:
    """Raise :class:`AuditorInputError` naming the first field of ``results`` (the gate
    results of ``data``, a file other gate code judged) or of its gates section that the
    gates config ``data`` records does not give (see the module); nothing where it records
    none."""
    config = data.get("config")
    if not isinstance(config, dict) or not isinstance(config.get("gates"), dict):
        return  # a file that does not record its gates config
    held = sum(r.get("source") != "baseline" for r in results)
    cfg = gates_config(data, source, held=held)
    if not cfg.enabled:
        _refuse(DISABLED, source, "gates/status")
    _check_section(data, cfg, source, tolerance)
    by_rule: dict[str, list[tuple[int, Any]]] = {}
    for i, r in enumerate(results):
        found = _rule_of(cfg, r)
        if isinstance(found, str):
            _refuse(NO_RULE.format(ref=r.get("rule"), why=found), source,
                    f"gates/results/{i}/rule")  # fmt: skip
        kind, k, rule = found
        for field, right in _expected(cfg, rule, r).items():
            if differs(r.get(field), right, tolerance):
                said = f" for the outcome {r.get('outcome')!r}" if field == "status" else ""
                why = f"{said}: {kind}[{k}] of config/gates"
                _refuse(NOT_CONFIG.format(found=r.get(field), right=right, why=why), source,
                        f"gates/results/{i}/{field}")  # fmt: skip
        if r.get("source") != "baseline":
            by_rule.setdefault(f"{kind}[{k}]", []).append((i, r))
    _check_reads(data, cfg, by_rule, source)
