"""Gates: thresholds over numbers in ``audit.json`` -> pass / fail / warn, each with its
evidence (value, interval, count), so a CI job can stop a model and say why.

Metric paths
------------
A path is dotted keys into ``audit.json``: ``performance.finetuned.test.accuracy``.

- ``*`` matches every key of a mapping (or every item of a list): one gate per match,
  e.g. ``fairness.features.*.disparities.equalized_odds_difference``.
- ``[...]`` picks items: ``[3]`` by position in a list, ``[*]`` every item, ``[key=value]``
  the items whose field ``key`` is ``value`` (lists and mappings:
  ``fairness.features[kind=feature]``), ``[value]`` the item whose id / name / group / label
  is ``value``, or the mapping's key ``value`` (``fairness.features.sex.groups[Female]``).
- A key with dots or spaces is quoted: ``fairness.features."sex & race".disparities.x``.

The path ends at a number, a status string, or a node ``{value, ci_low, ci_high, n, status}``.
Next to a bare number ``x`` the interval is read from ``x_ci_low``/``x_ci_high`` (or
``x_ci`` = [low, high]) and the count from the parent's ``n``; an ``accuracy`` beside
``n_correct`` and ``n`` gets its Wilson score interval. A node without ``value`` whose
interval belongs to its ``tpr`` (privacy's ``tpr_at_fpr_detail``) is read as that rate with
``n_members`` as its count; ``resolvable: false`` there means insufficient data. A boolean
is the text ``"true"`` / ``"false"`` for ``allowed``.

Outcomes
--------
- a path that does not exist in a section that ran is a config error (exit 2), not a pass;
- a path into a section or probe that did not run is ``not_run``; below ``min_n`` (or an
  undefined value) it is ``insufficient_data``; each maps to warn or fail per rule, so it
  never passes silently;
- modes: ``point`` (the estimate against the bound), ``confident-fail`` (fail only when the
  whole interval is beyond the bound), ``confident-pass`` (pass only when the whole interval
  is within it). Where no interval exists the point estimate decides, and the result says so.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from auditor.config.gates import GateRule, GatesConfig
from auditor.errors import AuditorInputError

# Top-level keys of audit.json a gate may address.
AREAS = (
    "performance",
    "fairness",
    "privacy",
    "explanations",
    "transparency",
    "data",
    "model",
    "training",
    "run",
)
_ID_KEYS = ("id", "name", "group", "label", "feature", "attack", "split")
_WILSON_Z = 1.959963984540054  # 95%
# In a node without "value", the number its ci_low/ci_high belong to -> the key of its count.
_PRIMARY_KEYS = {"tpr": "n_members", "estimate": "n"}

MSG_UNKNOWN_AREA = "unknown metric path {path!r}: it must start with one of {areas}"
MSG_UNKNOWN_KEY = "unknown metric path {path!r}: {at!r} has no {key!r} (it has: {have})"


# ---------------------------------------------------------------------------- paths


@dataclass(frozen=True)
class Step:
    kind: str  # "key" | "any" | "index" | "match"
    key: str | None = None
    value: str | None = None
    index: int | None = None


_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|([^.\[\]"]+)|\[([^\]]*)\]|(\.)')


def parse_path(path: str) -> list[Step]:
    """``a.b[*].c`` -> steps. Raises ``ValueError`` on a malformed path."""
    steps: list[Step] = []
    pos, expect_key = 0, True
    text = path.strip()
    if not text:
        raise ValueError("empty metric path")
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ValueError(f"cannot parse metric path {path!r} at {text[pos:]!r}")
        quoted, bare, bracket, dot = m.groups()
        if dot is not None:
            if expect_key:
                raise ValueError(f"empty key in metric path {path!r}")
            expect_key = True
        elif bracket is not None:
            if expect_key and steps:
                raise ValueError(f"'[' after '.' in metric path {path!r}")
            steps.append(_bracket(bracket.strip(), path))
            expect_key = False
        else:
            if not expect_key:
                raise ValueError(f"missing '.' in metric path {path!r}")
            key = quoted.replace('\\"', '"') if quoted is not None else bare.strip()
            steps.append(Step("any") if key == "*" and quoted is None else Step("key", key=key))
            expect_key = False
        pos = m.end()
    if expect_key:
        raise ValueError(f"metric path {path!r} ends with '.'")
    return steps


def _bracket(inner: str, path: str) -> Step:
    if inner == "*":
        return Step("any")
    if re.fullmatch(r"-?\d+", inner):
        return Step("index", index=int(inner))
    if "=" in inner:
        key, value = (s.strip().strip("'\"") for s in inner.split("=", 1))
        return Step("match", key=key, value=value)
    if not inner:
        raise ValueError(f"empty [] in metric path {path!r}")
    return Step("match", value=inner.strip("'\""))


def _step_text(step: Step) -> str:
    if step.kind == "key":
        return "." + _fmt_key(step.key)
    if step.kind == "any":
        return ".*"
    if step.kind == "index":
        return f"[{step.index}]"
    return f"[{step.key}={step.value}]" if step.key else f"[{step.value}]"


def _fmt_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_\-]+", key) else '"' + key.replace('"', '\\"') + '"'


@dataclass(frozen=True)
class Match:
    """One node a path reached. ``path``: concrete (no wildcards); ``picked``: the keys or
    item labels the wildcards and selectors chose; ``not_run``: why it could not be reached."""

    path: str
    node: Any = None
    parent: Any = None
    leaf: str | None = None
    picked: tuple[str, ...] = ()
    not_run: str | None = None
    insufficient: str | None = None  # an enclosing node (e.g. the group) lacks data


def _item_label(item: Any, index: int) -> str:
    if isinstance(item, dict):
        for k in _ID_KEYS:
            if isinstance(item.get(k), (str, int)) and not isinstance(item.get(k), bool):
                return str(item[k])
    return str(index)


def _not_run_reason(node: Any) -> str | None:
    if isinstance(node, dict) and node.get("status") == "not_run":
        return str(node.get("reason") or "not run")
    return None


def resolve(audit: dict[str, Any], path: str) -> list[Match]:
    """Every node ``path`` reaches in ``audit``. Raises :class:`ValueError` for a path that
    cannot exist (unknown area, or a key missing where its section ran)."""
    steps = parse_path(path)
    first = steps[0]
    if first.kind != "key" or first.key not in AREAS:
        raise ValueError(MSG_UNKNOWN_AREA.format(path=path, areas=", ".join(AREAS)))
    out: list[Match] = []

    def walk(node: Any, parent, leaf, i: int, done: str, picked: tuple[str, ...], short=None):
        reason = _not_run_reason(node)
        if reason is not None:
            rest = "".join(_step_text(s) for s in steps[i:])
            out.append(Match(done + rest, node, parent, leaf, picked, not_run=reason))
            return
        if i == len(steps):
            out.append(Match(done, node, parent, leaf, picked, insufficient=short))
            return
        if isinstance(node, dict) and node.get("status") == "insufficient_data" and short is None:
            n = node.get("n")
            short = f"{done} has insufficient data" + (f" (n={n})" if isinstance(n, int) else "")
        step = steps[i]
        if step.kind == "key":
            if not isinstance(node, dict) or step.key not in node:
                have = ", ".join(list(node)[:12]) if isinstance(node, dict) else type(node).__name__
                raise ValueError(
                    MSG_UNKNOWN_KEY.format(path=path, at=done, key=step.key, have=have)
                )
            sep = "." if done else ""
            walk(
                node[step.key],
                node,
                step.key,
                i + 1,
                done + sep + _fmt_key(step.key),
                picked,
                short,
            )
        elif step.kind == "any":
            if isinstance(node, dict):
                for k, v in node.items():
                    walk(v, node, k, i + 1, f"{done}.{_fmt_key(k)}", (*picked, k), short)
            elif isinstance(node, list):
                for j, v in enumerate(node):
                    label = _item_label(v, j)
                    walk(v, node, label, i + 1, f"{done}[{label}]", (*picked, label), short)
            else:
                raise ValueError(f"metric path {path!r}: {done!r} is not a mapping or a list")
        elif step.kind == "index":
            if not isinstance(node, list) or not -len(node) <= step.index < len(node):
                raise ValueError(f"metric path {path!r}: {done!r} has no item [{step.index}]")
            v = node[step.index]
            label = _item_label(v, step.index % len(node))
            walk(v, node, label, i + 1, f"{done}[{label}]", (*picked, label), short)
        else:
            keys = (step.key,) if step.key else _ID_KEYS
            # A list's items, or a mapping's (key, value) pairs, picked by a field's value
            # (or, for a mapping without a field name, by the key itself).
            if isinstance(node, list):
                items = [
                    (_item_label(v, j), v, f"{done}[{_item_label(v, j)}]")
                    for j, v in enumerate(node)
                ]
            elif isinstance(node, dict):
                items = [(str(k), v, f"{done}.{_fmt_key(str(k))}") for k, v in node.items()]
            else:
                raise ValueError(f"metric path {path!r}: {done!r} is not a mapping or a list")
            hits = [
                (label, v, where)
                for label, v, where in items
                if (not step.key and isinstance(node, dict) and label == step.value)
                or (
                    isinstance(v, dict) and any(str(v.get(k)) == step.value for k in keys if k in v)
                )
            ]
            if not hits:
                labels = ", ".join(label for label, _, _ in items[:12])
                raise ValueError(
                    f"unknown metric path {path!r}: no item {step.value!r} in {done!r} "
                    f"(it has: {labels})"
                )
            for label, v, where in hits:
                walk(v, node, label, i + 1, where, (*picked, label), short)

    walk(audit, None, None, 0, "", ())
    return out


# ---------------------------------------------------------------------------- evidence


@dataclass(frozen=True)
class Evidence:
    """What a matched node says: a number with its interval and count, or a status text."""

    value: float | str | None
    ci_low: float | None = None
    ci_high: float | None = None
    interval: str = "none"  # "reported" | "wilson" | "none"
    n: int | None = None
    n_source: str | None = None  # whose count n is (e.g. a disparity's smallest group rate)
    group: str | None = None
    status: str | None = None  # the node's own status (e.g. insufficient_data)
    undefined: str | None = None  # why the value is null
    resolvable: bool | None = None  # False: the counts cannot resolve the rate (e.g. 0.1% FPR)


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v) if math.isfinite(v) else None


def _count(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def wilson_interval(k: int, n: int, z: float = _WILSON_Z) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion k/n (default 95%)."""
    if n <= 0:
        return (math.nan, math.nan)
    p = k / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return (max(0.0, centre - half), min(1.0, centre + half))


def _pair(v: Any) -> tuple[float | None, float | None]:
    if isinstance(v, (list, tuple)) and len(v) == 2:
        return _num(v[0]), _num(v[1])
    if isinstance(v, dict):
        return _num(v.get("low", v.get("ci_low"))), _num(v.get("high", v.get("ci_high")))
    return None, None


def evidence_of(match: Match) -> Evidence:
    """Read value / interval / count from the node a path reached (see module doc)."""
    node, parent, leaf = match.node, match.parent, match.leaf
    group = match.picked[-1] if match.picked else None
    if isinstance(node, dict):
        primary = next((k for k in _PRIMARY_KEYS if k in node), None)
        if "value" in node:
            value: Any = node["value"]
        elif primary is not None and "ci_low" in node:
            value = node[primary]  # e.g. {tpr, ci_low, ci_high, n_members} at a fixed FPR
        elif isinstance(node.get("status"), str):
            value = node["status"]  # a status node, e.g. a checklist item
        else:
            raise ValueError(
                f"metric path {match.path!r} reaches a mapping without 'value' or 'status' "
                f"(it has: {', '.join(list(node)[:12])})"
            )
        lo, hi = _num(node.get("ci_low")), _num(node.get("ci_high"))
        if lo is None and hi is None:
            lo, hi = _pair(node.get("ci"))
        n = _count(node.get("n", node.get("count")))
        if n is None and primary is not None and "value" not in node:
            n = _count(node.get(_PRIMARY_KEYS[primary]))
        worst = node.get("worst_group", node.get("group"))
        status = node.get("status") if isinstance(node.get("status"), str) else None
        undefined = node.get("reason") if value is None or status == "insufficient_data" else None
        num = _num(value)
        return Evidence(
            value=num if num is not None else (value if isinstance(value, str) else None),
            ci_low=lo,
            ci_high=hi,
            interval="reported" if lo is not None and hi is not None else "none",
            n=n,
            n_source=node.get("n_source") if isinstance(node.get("n_source"), str) else None,
            group=str(worst) if worst is not None else group,
            status=status,
            undefined=str(undefined) if undefined else None,
            resolvable=node.get("resolvable") if isinstance(node.get("resolvable"), bool) else None,
        )
    if isinstance(node, bool):
        return Evidence(value="true" if node else "false", group=group)
    if isinstance(node, str):
        return Evidence(value=node, group=group)
    if node is None or _num(node) is not None or isinstance(node, float):
        value = _num(node)
        p = parent if isinstance(parent, dict) else {}
        lo, hi = _num(p.get(f"{leaf}_ci_low")), _num(p.get(f"{leaf}_ci_high"))
        if lo is None or hi is None:
            lo, hi = _pair(p.get(f"{leaf}_ci"))
        if lo is None or hi is None:
            lo, hi = _pair((p.get("ci") or {}).get(leaf) if isinstance(p.get("ci"), dict) else None)
        n = _count(p.get("n", p.get("count")))
        kind = "reported" if lo is not None and hi is not None else "none"
        k = _count(p.get("n_correct"))
        if kind == "none" and leaf == "accuracy" and k is not None and n:
            lo, hi = wilson_interval(k, n)
            kind = "wilson"
        undefined = None
        if value is None:
            why = (
                (p.get("undefined") or {}).get(leaf)
                if isinstance(p.get("undefined"), dict)
                else None
            )
            undefined = str(why) if why else "the value is undefined (null) in audit.json"
        return Evidence(
            value=value, ci_low=lo, ci_high=hi, interval=kind, n=n, group=group, undefined=undefined
        )
    raise ValueError(
        f"metric path {match.path!r} reaches a {type(node).__name__}, not a number, "
        "a status or a {value, ci_low, ci_high} node"
    )


# ---------------------------------------------------------------------------- judging


def interval_relation(lo: float, hi: float, *, max: float | None, min: float | None) -> str:
    """'within' (whole interval inside the bounds), 'beyond' (wholly outside one bound) or
    'straddles' (crosses a bound)."""
    beyond = (max is not None and lo > max) or (min is not None and hi < min)
    if beyond:
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


@dataclass(frozen=True)
class GateResult:
    """One evaluated gate. ``outcome`` is what the evidence says; ``status`` what CI does
    with it (warn: reported, not failing unless fail_on = "warning")."""

    id: str
    name: str
    area: str
    metric: str
    group: str
    rule: str  # "defaults[i]" | "rules[i]" | "baseline"
    source: str  # "default" | "config" | "baseline"
    mode: str
    bound: dict[str, Any]
    value: float | str | None
    ci_low: float | None
    ci_high: float | None
    interval: str
    n: int | None
    min_n: int
    outcome: str  # pass | fail | insufficient_data | not_run
    status: str  # pass | fail | warn
    relation: str | None
    message: str
    seconds: float
    baseline: dict[str, Any] | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _bound_text(rule: GateRule) -> str:
    parts = []
    if rule.min is not None:
        parts.append(f">= {rule.min:g}")
    if rule.max is not None:
        parts.append(f"<= {rule.max:g}")
    if rule.allowed is not None:
        parts.append("in {" + ", ".join(rule.allowed) + "}")
    return " and ".join(parts)


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _evaluate_match(
    rule: GateRule, match: Match, *, min_count: int, rule_ref: str, source: str
) -> GateResult:
    start = time.perf_counter()
    area = match.path.split(".", 1)[0].split("[", 1)[0]
    min_n = rule.min_n or min_count
    bound = {"min": rule.min, "max": rule.max, "allowed": rule.allowed}
    ev = Evidence(value=None) if match.not_run else evidence_of(match)
    group = ev.group or "all"
    relation = None
    if match.not_run:
        outcome, msg = "not_run", f"not evaluated: {match.not_run}"
    elif ev.status in ("not_run", "not_applicable"):
        outcome, msg = "not_run", f"not evaluated: {ev.undefined or ev.status}"
    elif match.insufficient is not None:
        outcome, msg = "insufficient_data", f"insufficient data: {match.insufficient}"
    elif ev.resolvable is False:
        outcome = "insufficient_data"
        msg = "insufficient data: the counts cannot resolve this rate (resolvable = false)"
    elif ev.status == "insufficient_data":
        outcome = "insufficient_data"
        msg = f"insufficient data: {ev.undefined or 'the node says so'}" + (
            f" (n={ev.n})" if ev.n is not None else ""
        )
    elif ev.n is not None and ev.n < min_n:
        outcome = "insufficient_data"
        msg = f"insufficient data: n={ev.n} below the minimum count {min_n}" + (
            f" ({ev.n_source})" if ev.n_source else ""
        )
    elif rule.allowed is not None and ev.value is None:
        outcome, msg = "insufficient_data", f"no value: {ev.undefined or 'null in audit.json'}"
    elif rule.allowed is not None:
        if not isinstance(ev.value, str):
            raise ValueError(
                f"metric path {match.path!r}: allowed needs a status text, found {ev.value!r}"
            )
        ok = ev.value in rule.allowed
        outcome = "pass" if ok else "fail"
        msg = f"{ev.value!r} {'is' if ok else 'is not'} {_bound_text(rule)}"
    elif ev.value is None:
        outcome, msg = "insufficient_data", f"insufficient data: {ev.undefined or 'no value'}"
    elif isinstance(ev.value, str):
        raise ValueError(
            f"metric path {match.path!r} is the text {ev.value!r}: use allowed = [...]"
        )
    else:
        ok = judge(ev.value, ev.ci_low, ev.ci_high, mode=rule.mode, max=rule.max, min=rule.min)
        outcome = "pass" if ok else "fail"
        if ev.ci_low is not None and ev.ci_high is not None:
            relation = interval_relation(ev.ci_low, ev.ci_high, max=rule.max, min=rule.min)
            ci = f" [{_fmt(ev.ci_low)}, {_fmt(ev.ci_high)}]"
        else:
            ci = ""
        verb = "meets" if ok else "breaks"
        count = f" (n={ev.n})" if ev.n is not None else ""
        msg = f"{_fmt(ev.value)}{ci}{count} {verb} {_bound_text(rule)}"
        if relation:
            msg += f"; interval {relation} the bound ({rule.mode})"
        if rule.mode != "point" and ev.interval == "none":
            msg += "; no interval at this path, so the point estimate decided"
    if outcome == "pass":
        status = "pass"
    elif outcome == "fail":
        status = "warn" if rule.severity == "warning" else "fail"
    elif outcome == "insufficient_data":
        status = rule.insufficient
    else:
        status = rule.not_run
    bounds = "|".join(
        f"{k}={v:g}" for k, v in (("min", rule.min), ("max", rule.max)) if v is not None
    )
    allowed = "in=" + ",".join(rule.allowed) if rule.allowed is not None else ""
    ident = f"{match.path}@{group}|{bounds or allowed}|{rule.mode}"
    return GateResult(
        id=ident,
        name=rule.name or f"{match.path}@{group}",
        area=area,
        metric=match.path,
        group=group,
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
        outcome=outcome,
        status=status,
        relation=relation,
        message=msg,
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
    matches = resolve(audit, rule.metric)
    if not matches:
        start = time.perf_counter()
        area = rule.metric.split(".", 1)[0]
        empty = Match(rule.metric, not_run="the path's wildcard matched nothing in this audit")
        result = _evaluate_match(rule, empty, min_count=min_count, rule_ref=rule_ref, source=source)
        return [replace(result, area=area, seconds=round(time.perf_counter() - start, 6))]
    return [
        _evaluate_match(rule, m, min_count=min_count, rule_ref=rule_ref, source=source)
        for m in matches
    ]


# ---------------------------------------------------------------------------- defaults


def default_rules(scenario: str, *, dp_claimed: bool = False) -> list[GateRule]:
    """The built-in gates of a scenario. Each is written so that a section that did not run
    gives a warning, never a crash and never a pass. Why these bounds:

    - performance: fine-tuned test accuracy, confident-fail on its Wilson interval (digits
      and mnist >= 0.90, adult >= 0.80, a table >= 0.70: well below what the recipes reach, so
      a broken pipeline fails and sampling noise does not); calibration ECE <= 0.10;
    - fairness: the equalized-odds difference (between groups) of each audited feature,
      confident-fail at 0.20 (a gap whose whole interval is above 20 points). For your own
      data (``table``) it blocks the release; in the built-in demos it is a warning, so the
      demo exits 0 while showing its findings (adult's model has real gaps by race and age
      band); intersections are warnings everywhere (small cells); a group below the minimum
      count is "insufficient data" (a warning). ``--fail-on warning`` makes them all block;
    - privacy: each membership attack's TPR at 1% FPR on the target, confident-fail at 0.10
      (ten times what guessing gets); with DP-SGD, the canary epsilon lower bound must not
      exceed the claimed epsilon (without DP there is no claim to check);
    - transparency: no checklist item may fail (e.g. a train/test overlap); the declared
      intended use, limitations and license are warnings until written.

    A predictions-only audit (``auditor audit``, scenario "predictions") gets the performance
    and fairness gates only: privacy, explanations and the checklist need the model itself,
    and the card says they did not run; gating them would warn on every such audit.
    """
    acc = {"digits": 0.90, "mnist": 0.90, "adult": 0.80}.get(scenario, 0.70)
    builtin = scenario in ("digits", "mnist", "adult")
    predictions = scenario == "predictions"
    model = "" if predictions else "fine-tuned "
    eod = "disparities.equalized_odds_difference.between_groups"
    declared = "transparency.items[{}].status"
    common = [
        GateRule(metric="performance.finetuned.test.accuracy", min=acc, mode="confident-fail",
                 name=f"{model}test accuracy"),
        GateRule(metric="performance.finetuned.test.ece", max=0.10, mode="point",
                 name=f"{model}test calibration (ECE)"),
        GateRule(metric=f"fairness.features[kind=feature].{eod}", max=0.20,
                 mode="confident-fail", severity="warning" if builtin else "error"),
        GateRule(metric=f"fairness.features[kind=intersection].{eod}", max=0.20,
                 mode="confident-fail", severity="warning"),
    ]  # fmt: skip
    if predictions:
        return common
    return [
        *common,
        GateRule(metric='privacy.attacks.*.tpr_at_fpr_detail."0.01"', max=0.10,
                 mode="confident-fail"),
        *([GateRule(metric="privacy.canaries.exceeds_claim", allowed=["false"],
                    name="canary epsilon lower bound within the DP claim")] if dp_claimed else []),
        GateRule(metric="transparency.items.*.status",
                 allowed=["met", "declared", "missing", "not_applicable", "warn"]),
        *(GateRule(metric=declared.format(item), allowed=["met", "declared"], severity="warning")
          for item in ("intended_use", "limitations", "license")),
    ]  # fmt: skip


# ---------------------------------------------------------------------------- baseline


def _margin(value: float, rule: GateRule) -> float:
    """Distance to the nearest bound; positive inside. A drop in margin is a worsening."""
    parts = []
    if rule.max is not None:
        parts.append(rule.max - value)
    if rule.min is not None:
        parts.append(value - rule.min)
    return min(parts)


def _baseline_result(
    cur: GateResult, old: GateResult | None, rule: GateRule, tol: float
) -> GateResult:
    start = time.perf_counter()
    info: dict[str, Any] = {
        "value": None,
        "ci_low": None,
        "ci_high": None,
        "n": None,
        "status": None,
        "delta": None,
        "tolerance": tol,
    }
    if old is not None:
        info.update(
            value=old.value, ci_low=old.ci_low, ci_high=old.ci_high, n=old.n, status=old.status
        )
    numeric = isinstance(cur.value, float) and old is not None and isinstance(old.value, float)
    comparable = (
        old is not None and old.outcome in ("pass", "fail") and cur.outcome in ("pass", "fail")
    )
    if not comparable or (rule.allowed is None and not numeric):
        finding = "new"
        msg = (
            "new: no comparable value in the baseline"
            if old is None or old.outcome in ("pass", "fail")
            else f"new: the baseline has no verdict ({old.outcome})"
        )
    else:
        worse = False
        if numeric:
            info["delta"] = cur.value - old.value
            cur_margin = _margin(cur.value, rule)
            if rule.mode == "confident-fail" and cur.ci_low is not None and cur.ci_high is not None:
                # as the rule itself: worse only when the whole interval is worse than before
                cur_margin = max(_margin(cur.ci_low, rule), _margin(cur.ci_high, rule))
            worse = _margin(old.value, rule) - cur_margin > tol + 1e-12
        else:
            worse = old.outcome == "pass" and cur.outcome == "fail"
        if old.outcome == "fail" and cur.outcome == "pass":
            finding = "fixed"
        elif worse:
            finding = "worse"
        else:
            finding = "unchanged"
        delta = f" ({info['delta']:+.4g})" if info["delta"] is not None else ""
        msg = f"{finding}: {_fmt(old.value)} -> {_fmt(cur.value)}{delta}, tolerance {tol:g}"
        if numeric and rule.mode == "confident-fail" and cur.ci_low is not None:
            msg += f" (whole interval [{_fmt(cur.ci_low)}, {_fmt(cur.ci_high)}] compared)"
    info["finding"] = finding
    return GateResult(
        id=cur.id + "|baseline",
        name=f"{cur.name} (vs baseline)",
        area=cur.area,
        metric=cur.metric,
        group=cur.group,
        rule=cur.rule,
        source="baseline",
        mode="no-worse",
        bound={"min": None, "max": None, "allowed": None, "tolerance": tol},
        value=cur.value,
        ci_low=cur.ci_low,
        ci_high=cur.ci_high,
        interval=cur.interval,
        n=cur.n,
        min_n=cur.min_n,
        outcome="fail" if finding == "worse" else "pass",
        status="fail" if finding == "worse" else "pass",
        relation=None,
        message=msg,
        seconds=round(time.perf_counter() - start, 6),
        baseline=info,
    )


# ---------------------------------------------------------------------------- entry point


def _all_rules(audit: dict[str, Any], config: GatesConfig) -> list[tuple[str, str, GateRule]]:
    rules: list[tuple[str, str, GateRule]] = []
    if config.use_defaults:
        scenario = str((audit.get("run") or {}).get("scenario", ""))
        privacy_cfg = (audit.get("config") or {}).get("privacy") or {}
        defaults = default_rules(scenario, dp_claimed=bool(privacy_cfg.get("dp")))
        rules += [(f"defaults[{i}]", "default", r) for i, r in enumerate(defaults)]
    rules += [(f"rules[{i}]", "config", r) for i, r in enumerate(config.rules)]
    return rules


def _evaluate(audit, config, *, config_file, strict: bool) -> tuple[list[GateResult], dict]:
    results: list[GateResult] = []
    by_rule: dict[str, GateRule] = {}
    for ref, source, rule in _all_rules(audit, config):
        try:
            found = evaluate_rule(
                audit, rule, min_count=config.min_count, rule_ref=ref, source=source
            )
        except ValueError as exc:
            if not strict:
                continue
            if source == "default":
                # A built-in gate must never stop a run: it reports what it could not read.
                missing = Match(rule.metric, not_run=f"built-in gate cannot read this audit: {exc}")
                found = [
                    _evaluate_match(
                        rule, missing, min_count=config.min_count, rule_ref=ref, source=source
                    )
                ]
                for r in found:
                    by_rule[r.id] = rule
                results += found
                continue
            field_name = f"gates.{ref}.metric" if source == "config" else f"built-in gate {ref}"
            raise AuditorInputError(str(exc), source=config_file, field=field_name) from None
        for r in found:
            by_rule[r.id] = rule
        results += found
    return results, by_rule


def load_baseline(path: str | Path, *, base: Path | None = None) -> dict[str, Any]:
    """Read a baseline ``audit.json`` (or run folder), validated like any audit."""
    from auditor.result import AuditResult

    path = Path(path)
    if not path.is_absolute() and base is not None and (base / path).exists():
        path = base / path
    return AuditResult.load(path).data


def evaluate_gates(
    audit: dict[str, Any],
    config: GatesConfig,
    *,
    config_file: str | None = None,
    baseline: dict[str, Any] | None = None,
    baseline_file: str | None = None,
) -> dict[str, Any]:
    """Evaluate every gate over ``audit`` -> the ``gates`` section of audit.json.

    Raises :class:`AuditorInputError` (exit 2) for an unknown metric path or a bad baseline.
    """
    if not config.enabled:
        return {
            "status": "not_run",
            "reason": "gates are disabled in config (gates.enabled = false)",
        }
    if baseline is None and config.baseline is not None:
        base = Path(config_file).parent if config_file else None
        baseline = load_baseline(config.baseline, base=base)
        baseline_file = baseline_file or str(config.baseline)
    results, by_rule = _evaluate(audit, config, config_file=config_file, strict=True)
    summary_base = None
    if baseline is not None:
        old_results, _ = _evaluate(baseline, config, config_file=config_file, strict=False)
        old_by_id = {r.id: r for r in old_results}
        extra = []
        for cur in results:
            if cur.outcome not in ("pass", "fail"):
                continue  # no value to compare: the gate itself already warns or fails
            rule = by_rule[cur.id]
            tol = rule.tolerance if rule.tolerance is not None else config.baseline_tolerance
            extra.append(_baseline_result(cur, old_by_id.get(cur.id), rule, tol))
        results += extra
        findings = {k: 0 for k in ("new", "unchanged", "worse", "fixed")}
        for r in extra:
            findings[r.baseline["finding"]] += 1
        summary_base = {
            "file": baseline_file,
            "run_name": baseline["run"]["name"],
            "created_at": baseline["run"]["created_at"],
            "tolerance": config.baseline_tolerance,
            "findings": findings,
        }
    counts = {k: sum(r.status == k for r in results) for k in ("pass", "warn", "fail")}
    verdict = "fail" if counts["fail"] else "warn" if counts["warn"] else "pass"
    return {
        "status": "ok",
        "verdict": verdict,
        "fail_on": config.fail_on,
        "config_file": config_file,
        "defaults": str(audit["run"]["scenario"]) if config.use_defaults else None,
        "counts": counts,
        "results": [r.to_dict() for r in results],
        "baseline": summary_base,
    }


def exit_code(gates: dict[str, Any], *, fail_on: str | None = None) -> int:
    """0 pass (warnings pass unless fail_on = "warning"), 1 a gate failed."""
    if gates.get("status") != "ok":
        return 0
    fail_on = fail_on or gates.get("fail_on", "failure")
    if gates["verdict"] == "fail" or (gates["verdict"] == "warn" and fail_on == "warning"):
        return 1
    return 0


def gate_lines(gates: dict[str, Any]) -> list[str]:
    """Terminal lines: the verdict, then each failing and warning gate by name."""
    if gates.get("status") != "ok":
        return [f"Gates: not run ({gates.get('reason')})"]
    c = gates["counts"]
    lines = [
        f"Gates: {gates['verdict'].upper()} ({c['pass']} pass, {c['warn']} warn, {c['fail']} fail)"
    ]
    for r in sorted(gates["results"], key=lambda r: r["status"] != "fail"):  # failures first
        if r["status"] != "pass":
            lines.append(f"  {r['status'].upper():4}  {r['name']}: {r['message']}")
    return lines
