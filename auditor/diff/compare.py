"""What changed between two audits, for a review: verdict changes first, then the metrics
whose change is beyond noise, each marked better or worse in the metric's direction;
unchanged and within-noise rows folded away. ``diff_audits`` -> :class:`AuditDiff`;
``render_markdown`` / ``render_text`` print it.

Beyond noise: both numbers have intervals and the intervals do not overlap. A gate that
reads the metric and changed its verdict does not make it so (a point-mode bound crossed by a
change inside both intervals): the gate's row says so, with both values it judged. A number
without an interval cannot be told from noise: it is listed as changed only inside the
folded details. Intervals at other confidence levels in A and B are said (``levels``). Direction
(:func:`direction`): accuracy, AUC, F1 and the like higher is better; gaps, calibration
error, losses, a false negative rate (1 - recall) and a membership attack's AUC and TPR at a
fixed FPR lower is better; a ratio
between groups higher is better; a rate with no better side (a group's selection rate or
FPR, an attack's TPR and FPR at its own threshold) is "changed".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from auditor.audit_tree import Evidence, estimates, read
from auditor.diff.scope import chance, levels, thin_parts, under
from auditor.diff.settings import changed_settings, config_hash, settings
from auditor.gates.comparable import not_comparable
from auditor.gates.names import bound_words
from auditor.gates.section import bound_text, identity
from auditor.report.bound import gate_side
from auditor.report.gap_count import all_gap_counts, gap_counts

# Plain numbers (no estimate node) worth a row: performance per stage and split, and the
# canary audit's epsilon bound. Every estimate node of every section gets a row too.
_PERF_KEYS = ("accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "log_loss", "brier", "ece",
              "reconstruction_mse")  # fmt: skip
_SECTIONS = ("performance", "fairness", "privacy", "explanations")
BEYOND_NOISE = ("better", "worse", "changed", "added", "removed")
# a gap known only as a bound of itself (bound_only) on either side: no change is measured
BOUND = "not comparable (a bound)"
_HIGHER = ("accuracy", "balanced_accuracy", "f1", "f1_macro", "roc_auc", "precision",
           "precision_macro", "recall", "recall_macro")  # fmt: skip
# fnr is 1 - recall: lower is better, as recall is higher (fpr, 1 - specificity, has no side)
_LOWER = ("ece", "log_loss", "brier", "reconstruction_mse", "epsilon_lower_bound", "fnr")


def direction(path: str) -> int:
    """+1 when higher is better, -1 when lower is better, 0 when neither (see the module)."""
    keys = [k.strip('"') for k in path.replace("[", ".").replace("]", "").split(".")]
    leaf = keys[-1]
    if keys[0] == "privacy":
        # an attack's AUC, its TPR at a fixed FPR and the epsilon bound; the TPR and FPR at
        # the attack's own threshold move together with that threshold: no direction
        attack = "auc" in keys or "tpr_at_fpr" in keys or leaf == "epsilon_lower_bound"
        return -1 if attack else 0
    named = next((k for k in reversed(keys) if k.endswith(("_difference", "_ratio"))), None)
    if named is not None:
        return -1 if named.endswith("_difference") else 1
    return 1 if leaf in _HIGHER else -1 if leaf in _LOWER else 0


def _row(ev: Evidence) -> dict[str, Any]:
    value = ev.value if isinstance(ev.value, float) else None
    row = {"value": value, "ci_low": ev.ci_low, "ci_high": ev.ci_high, "n": ev.n}
    return row | ({"bound_only": ev.bound_only} if ev.bound_only is not None else {})


def _plain(audit: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    perf = audit.get("performance") or {}
    if perf.get("status") == "ok":
        for stage in ("finetuned", "pretrained"):
            for split, m in (perf.get(stage) or {}).items():
                for key in _PERF_KEYS:
                    if key in m:
                        ev = read(m[key], parent=m, leaf=key)
                        rows[f"performance.{stage}.{split}.{key}"] = _row(ev)
    privacy = audit.get("privacy") or {}
    canaries = privacy.get("canaries") if privacy.get("status") == "ok" else None
    if isinstance(canaries, dict) and "epsilon_lower_bound" in canaries:
        ev = read(canaries["epsilon_lower_bound"], parent=canaries, leaf="epsilon_lower_bound")
        rows["privacy.canaries.epsilon_lower_bound"] = _row(ev)
    return rows


def _metrics(audit: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every number worth comparing, by its metric path: the plain headline numbers, every
    estimate node of every section, and the value of any gate not already listed."""
    rows = _plain(audit)
    for name in _SECTIONS:
        part = audit.get(name) or {}
        if part.get("status") == "ok":
            rows.update((path, _row(ev)) for path, ev in estimates(part, name))
    for path, pair in all_gap_counts(audit):  # a gap has no n: '84 vs 260'
        if path in rows and rows[path]["n"] is None:
            rows[path]["pair"] = pair
    gates = audit.get("gates") or {}
    for r in gates.get("results", []) if gates.get("status") == "ok" else []:
        if r["source"] != "baseline" and isinstance(r["value"], float) and r["metric"] not in rows:
            rows[r["metric"]] = _judged(audit, r)
    return rows


def _gate_rows(audit: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """(stable identity, result) of each gate (rule path, bound, mode: never the group)."""
    gates = audit.get("gates") or {}
    if gates.get("status") != "ok":
        return []
    out = []
    seen: Counter[str] = Counter()
    for r in gates["results"]:
        key = identity(r["metric"], r["bound"], r["mode"])
        seen[key] += 1  # two rules with the same path and bound are numbered, as gates does
        out.append((key if seen[key] == 1 else f"{key} #{seen[key]}", r))
    return out


def _checklist(audit: dict[str, Any]) -> dict[str, str]:
    part = audit.get("transparency") or {}
    if part.get("status") != "ok":
        return {}
    items = part.get("items") or part.get("checklist") or []
    if isinstance(items, dict):
        items = [
            {"id": k, **v} if isinstance(v, dict) else {"id": k, "status": v}
            for k, v in items.items()
        ]
    out = {}
    for i, item in enumerate(items):
        if isinstance(item, dict) and isinstance(item.get("status"), str):
            out[str(item.get("id", item.get("name", i)))] = item["status"]
    return out


def _provenance(audit: dict[str, Any], config: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, s in (audit.get("data", {}).get("splits") or {}).items():
        if s["n_rows"]:  # a split of no rows (a predictions audit's training splits) is absent
            out[f"data split {name}"] = f"{s['sha256']} ({s['n_rows']} rows)"
    for name, c in (audit.get("model", {}).get("checkpoints") or {}).items():
        out[f"checkpoint {name}"] = c["sha256"]
    out["config (sha256 of JSON)"] = config_hash(config)
    out["auditor version"] = str(audit.get("tool", {}).get("version"))
    out["seed"] = str(audit.get("run", {}).get("seed"))
    for lib, version in (audit.get("run", {}).get("library_versions") or {}).items():
        out[f"library {lib}"] = str(version)
    return out


@dataclass(frozen=True)
class Change:
    """One row. ``change``: "same", "added", "removed", "changed" (a text, a verdict, or a
    number beyond noise without a direction), "renamed" (a gate whose name alone changed);
    for numbers also "better" / "worse" (beyond noise, in the metric's direction), "within
    noise" (intervals overlap), "insufficient data" (a group below the minimum size, on
    either side: no verdict on it), "no interval" (a different value that cannot be told from
    noise: no interval, or undefined on one side), "not comparable (a bound)" (either side
    is only a bound of the number: its record's ``bound_only``) and "not comparable" (the
    two numbers answer different questions: another task, positive class or scenario, or a
    gap over other groups; see ``AuditDiff.not_comparable``)."""

    key: str
    a: Any
    b: Any
    change: str
    label: str | None = None  # a gate's human name
    # a gate's: the number it judged in A and in B ({value, ci_low, ci_high, n}; None: absent)
    judged: tuple[dict[str, Any] | None, dict[str, Any] | None] = (None, None)


@dataclass(frozen=True)
class AuditDiff:
    a_name: str
    b_name: str
    metrics: list[Change] = field(default_factory=list)
    gates: list[Change] = field(default_factory=list)
    checklist: list[Change] = field(default_factory=list)
    provenance: list[Change] = field(default_factory=list)
    verdicts: tuple[str, str] = ("not_run", "not_run")
    # The test split's sha256 in A and B when they differ (different test data), else None.
    test_data: tuple[str, str] | None = None
    # Why numbers of A and B cannot be set against each other, one sentence each: the whole
    # audit (another task, positive class or scenario) or one feature's gaps (other groups).
    not_comparable: tuple[str, ...] = ()
    comparable: bool = True  # False: no number of A is set against B's (another task ...)
    # One sentence per section whose intervals are at another confidence level in A and B.
    levels: tuple[str, ...] = ()
    # (numbers told by their intervals, how many of them fall apart by chance alone): only
    # where the test data differ (``test_data``); on the same rows A's and B's estimates
    # share their sampling noise, and that rate (of independent samples) does not hold
    chance: tuple[int, float] | None = None

    @property
    def n_changed(self) -> int:
        return sum(
            c.change != "same"
            for part in (self.metrics, self.gates, self.checklist, self.provenance)
            for c in part
        )

    @property
    def beyond_noise(self) -> list[Change]:
        """Metric rows that changed beyond noise (none when A and B are not comparable)."""
        return [c for c in self.metrics if c.change in BEYOND_NOISE and self.comparable]

    @property
    def within_noise(self) -> list[Change]:
        """The other metric rows that changed: within noise, without an interval, or not
        compared (A and B not comparable)."""
        beyond = BEYOND_NOISE if self.comparable else ()
        return [c for c in self.metrics if c.change != "same" and c.change not in beyond]


def _compare(
    a: Mapping[str, Any], b: Mapping[str, Any], same: Callable[[Any, Any], bool]
) -> list[Change]:
    out = []
    for key in list(a) + [k for k in b if k not in a]:
        if key not in b:
            out.append(Change(key, a[key], None, "removed"))
        elif key not in a:
            out.append(Change(key, None, b[key], "added"))
        else:
            out.append(Change(key, a[key], b[key], "same" if same(a[key], b[key]) else "changed"))
    return out


def _overlap(x: Mapping[str, Any], y: Mapping[str, Any]) -> bool | None:
    """Whether two intervals overlap; None when either number has none."""
    if None in (x["ci_low"], x["ci_high"], y["ci_low"], y["ci_high"]):
        return None
    return bool(x["ci_low"] <= y["ci_high"] and y["ci_low"] <= x["ci_high"])


def _metric_change(key: str, x: dict[str, Any], y: dict[str, Any]) -> str:
    if _same_metric(x, y):
        return "same"
    if x["value"] is None or y["value"] is None:
        return "no interval"  # undefined on one side (e.g. no predicted positives)
    if x.get("bound_only") or y.get("bound_only"):
        return BOUND  # a bound of a number set against it (or another bound): no direction
    overlap = _overlap(x, y)
    if overlap is not False:  # a gate crossing inside both intervals is no better or worse
        return "no interval" if overlap is None else "within noise"
    sign = direction(key)
    if sign == 0 or y["value"] == x["value"]:
        return "changed"
    return "better" if (y["value"] - x["value"]) * sign > 0 else "worse"


def _metrics_diff(
    a: Mapping[str, Any], b: Mapping[str, Any], apart: tuple[str, ...]
) -> list[Change]:
    """Every metric row; ``apart``: path prefixes (``""``: all) whose numbers are not
    comparable, so a difference there is "not comparable", never better or worse; a number
    of a part with insufficient data on either side is "insufficient data"."""
    thin = {p for audit in (a, b) for name in _SECTIONS for p in thin_parts(audit.get(name), name)}
    out = []
    for c in _compare(_metrics(a), _metrics(b), lambda x, y: False):
        if c.change == "changed":
            change = _metric_change(c.key, c.a, c.b)
            if change != "same" and any(c.key.startswith(p) for p in apart):
                change = "not comparable"
            elif change != "same" and thin and under(c.key, thin):
                change = "insufficient data"
            c = Change(c.key, c.a, c.b, change)
        out.append(c)
    return out


def _gates_diff(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[Change]:
    """Each gate's verdict in A and B; a rule whose bound alone changed (one gate of A and
    one of B with the same name, metric and mode) is one row naming both bounds."""
    rows_a, rows_b = dict(_gate_rows(a)), dict(_gate_rows(b))
    names = {key: r["name"] for key, r in [*rows_a.items(), *rows_b.items()]}
    status_a, status_b = ({k: r["status"] for k, r in rows.items()} for rows in (rows_a, rows_b))
    out = [_renamed(c, rows_a, names) for c in _compare(status_a, status_b, lambda x, y: x == y)]
    removed = _by_rule([c for c in out if c.change == "removed"], rows_a)
    added = _by_rule([c for c in out if c.change == "added"], rows_b)
    merged: dict[str, Change] = {}  # by A's key: the row where A's gate was
    for rule in removed.keys() & added.keys():
        old, new = removed[rule], added[rule]
        bounds = f"{bound_text(rows_a[old.key]['bound'])} → {bound_text(rows_b[new.key]['bound'])}"
        label = f"{_rule_name(rows_b[new.key])} (bound {bounds})"
        merged[old.key] = Change(new.key, old.a, new.b, "bound changed", label=label)
    in_b = {c.key for c in merged.values()}
    rows = [merged.get(c.key, c) for c in out if not (c.change == "added" and c.key in in_b)]
    old = {c.key: key for key, c in merged.items()}  # a merged row's key in A
    return [replace(c, judged=(_judged(a, rows_a.get(old.get(c.key, c.key))),
                               _judged(b, rows_b.get(c.key)))) for c in rows]  # fmt: skip


def _judged(audit: Mapping[str, Any], r: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The number a gate judged, as a metric row (None: no gate, or no number); a gap's
    ``pair``: the rows of the two groups it compares ('84 vs 260')."""
    if r is None or not isinstance(r.get("value"), float):
        return None
    side = gate_side(audit, r)
    return {**{k: r.get(k) for k in ("value", "ci_low", "ci_high", "n")},
            "pair": gap_counts(audit, r), **({"bound_only": side} if side else {})}  # fmt: skip


def _renamed(c: Change, rows_a: Mapping[str, Mapping[str, Any]], names: dict[str, str]) -> Change:
    """``c`` labelled with B's name; a gate of A and B (the same rule path, bound and mode:
    one key) whose name alone changed is "renamed", naming both (it was shown as unchanged,
    under B's name alone)."""
    old, new = (rows_a[c.key]["name"] if c.key in rows_a else None), names.get(c.key)
    if c.change not in ("same", "changed") or old is None or old == new:
        return Change(c.key, c.a, c.b, c.change, label=new)
    label = f"{new} (renamed from {old})"
    return Change(c.key, c.a, c.b, "renamed" if c.change == "same" else c.change, label=label)


def _rule_name(r: Mapping[str, Any]) -> str:
    """A gate's name apart from its bound: a rule without its own name is named with its
    bound ("fine-tuned test accuracy >= 0.99", :func:`auditor.gates.names.human_name`), so
    that name changes with the bound (as a name given with the bound in it does)."""
    name, bound = str(r["name"]), r.get("bound") or {}
    words = bound_words(min=bound.get("min"), max=bound.get("max"), allowed=bound.get("allowed"))
    return name.removesuffix(f" {words}") if words else name


def _by_rule(changes: list[Change], rows: Mapping[str, Mapping[str, Any]]) -> dict[Any, Change]:
    """Each change by its rule apart from the bound (name without its bound, metric, mode),
    where that rule has one gate alone on this side."""
    found: dict[Any, list[Change]] = {}
    for c in changes:
        r = rows[c.key]
        found.setdefault((_rule_name(r), r["metric"], r["mode"]), []).append(c)
    return {rule: cs[0] for rule, cs in found.items() if len(cs) == 1}


def _test_data(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[str, str] | None:
    sa = ((a.get("data") or {}).get("splits") or {}).get("test") or {}
    sb = ((b.get("data") or {}).get("splits") or {}).get("test") or {}
    if "sha256" in sa and "sha256" in sb and sa["sha256"] != sb["sha256"]:
        return str(sa["sha256"]), str(sb["sha256"])
    return None


def _same_metric(x: dict[str, Any], y: dict[str, Any], tol: float = 1e-12) -> bool:
    for k in ("value", "ci_low", "ci_high"):
        if (x[k] is None) != (y[k] is None):
            return False
        if x[k] is not None and abs(x[k] - y[k]) > tol:
            return False
    # a value one side knows only as a bound (bound_only) is not the same number
    return x.get("n") == y.get("n") and x.get("bound_only") == y.get("bound_only")


def _provenance_diff(a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
    """Data, checkpoints, config (its hash, then each setting that changed), versions."""
    ca, cb = settings(a, b)
    rows = _compare(_provenance(a, ca), _provenance(b, cb), lambda x, y: x == y)
    at = next((i + 1 for i, c in enumerate(rows) if c.key.startswith("config ")), len(rows))
    found = [Change(k, va, vb, "changed") for k, (va, vb) in changed_settings(ca, cb).items()]
    return rows[:at] + found + rows[at:]


def diff_audits(a: dict[str, Any], b: dict[str, Any]) -> AuditDiff:
    """Compare audit A (before) with audit B (after)."""
    eq = lambda x, y: x == y  # noqa: E731
    apart = not_comparable(a, b)
    metrics = _metrics_diff(a, b, tuple(p for p, _ in apart))
    test_data = _test_data(a, b)
    return AuditDiff(
        a_name=a["run"]["name"] + " @ " + a["run"]["created_at"],
        b_name=b["run"]["name"] + " @ " + b["run"]["created_at"],
        metrics=metrics,
        gates=_gates_diff(a, b),
        checklist=_compare(_checklist(a), _checklist(b), eq),
        provenance=_provenance_diff(a, b),
        verdicts=(
            a.get("gates", {}).get("verdict", "not_run"),
            b.get("gates", {}).get("verdict", "not_run"),
        ),
        test_data=test_data,
        not_comparable=tuple(r for _, r in apart),
        comparable=all(p for p, _ in apart),
        levels=levels(a, b),
        chance=chance(((c.key, c.change) for c in metrics), a, b) if test_data else None,
    )
