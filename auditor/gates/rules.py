"""The built-in gates of each scenario, and the check of every rule's path syntax.

``validate_rules`` is where a rule's metric path is checked before any work (config cannot:
the path language lives in :mod:`auditor.audit_tree`, above the config models); whether the
keys exist is known only once the audit is computed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

from auditor.audit_tree import check_path, fmt_key, parse_path
from auditor.audit_tree.shape import path_kinds, unknown_key
from auditor.config.gates import GateRule, GatesConfig
from auditor.config.labels import is_number
from auditor.errors import AuditorInputError

# The privacy gate: each attack's TPR at 1% FPR, an estimate node {value, ci_low, ci_high, n}.
PRIVACY_TPR_PATH = 'privacy.attacks.*.tpr_at_fpr."0.01"'
_EOD = "disparities.equalized_odds_difference.between_groups"
# Declared checklist items a release needs: missing, each is a warning (never a pass).
REQUIRED_DECLARED = ("intended_use", "limitations", "license", "owners", "contact")
# The words a status (a path ending in ``.status``) holds in any section: a checklist item's,
# a fairness group's or gap's, a privacy probe's, a section that did not run.
STATUS_WORDS = ("met", "declared", "missing", "not_applicable", "warn", "fail", "ok",
                "insufficient_data", "undefined", "not_run")  # fmt: skip
MSG_STATUS_NOT_NUMBER = "metric path {path!r} ends at a status (a text): use allowed = [...]"
MSG_NUMBER_NOT_STATUS = "metric path {path!r} ends at a number: use max/min, not allowed"
MSG_NOT_A_LEAF = (
    "metric path {path!r} ends at a {what}, not a number or a status: name one of its fields"
)
MSG_UNKNOWN_STATUS = "{word!r} is not a status (a status is one of: {known})"
MSG_OUT_OF_RANGE = (
    "{bound} {value:g} is outside what {metric} can be ({span}): the rule could never "
    "{never}{hint}"
)
# What each metric a rule may name can be, by its key in audit.json (a class's suffix,
# ``recall@cat``, taken off): (least, most), None where it has no end.
_UNIT, _SIGNED, _COUNT = (0.0, 1.0), (-1.0, 1.0), (0.0, None)
METRIC_RANGES: dict[str, tuple[float | None, float | None]] = {
    # rates over rows, scores' ranks and calibration: fractions, never percentages
    **dict.fromkeys(("accuracy", "balanced_accuracy", "f1", "f1_macro", "precision",
                     "precision_macro", "recall", "recall_macro", "roc_auc", "auc", "loss_auc",
                     "ece", "base_rate", "selection_rate", "positive_rate", "tpr", "fpr",
                     "fnr", "tpr_at_fpr", "test_accuracy", "overall_test_accuracy",
                     "flip_rate"), _UNIT),
    # fairlearn's disparities: a gap between two rates (max - min, or the largest |group -
    # overall|) and a ratio folded to <= 1 (min / max)
    **dict.fromkeys(("demographic_parity_difference", "demographic_parity_ratio",
                     "equalized_odds_difference", "equalized_odds_ratio",
                     "equal_opportunity_difference", "accuracy_difference",
                     "precision_difference", "fnr_difference"), _UNIT),
    # signed differences of two rates: TPR - FPR, a group's accuracy - the overall's, the
    # accuracy lost when a feature is shuffled
    **dict.fromkeys(("advantage", "accuracy_gap", "accuracy_drop"), _SIGNED),
    "brier": (0.0, 2.0),  # a multi-class Brier score sums over the classes
    # no end above: a loss, an epsilon, a count of rows
    **dict.fromkeys(("log_loss", "epsilon_lower_bound", "empirical_epsilon_lower_bound",
                     "accountant_epsilon", "count", "n", "support", "confusion_matrix"),
                    _COUNT),
}  # fmt: skip
# Keys below a metric that hold the metric's own number (an estimate's value and interval
# ends, a disparity's method, a TPR's FPR level such as "0.01").
_OF_THE_METRIC = frozenset({"value", "ci_low", "ci_high", "between_groups", "to_overall"})


def _eod_paths(kind: str, classes: Sequence[str] | None) -> list[str]:
    """The equalized-odds gap of each ``kind`` of feature: one gap for a binary task, one per
    class (that class against the rest, ``equalized_odds_difference@<class>``) for more."""
    if classes is None or len(classes) <= 2:
        return [f"fairness.features[kind={kind}].{_EOD}"]
    keys = [fmt_key(f"equalized_odds_difference@{c}") for c in classes]
    return [f"fairness.features[kind={kind}].disparities.{k}.between_groups" for k in keys]


def default_rules(
    scenario: str,
    *,
    dp_claimed: bool = False,
    intersections: bool = True,
    classes: Sequence[str] | None = None,
) -> list[GateRule]:
    """The built-in gates of a scenario. Each is written so that a section that did not run
    gives a warning, never a crash and never a pass. Why these bounds:

    - performance: fine-tuned test accuracy, confident-fail on its Wilson interval (digits
      and mnist >= 0.90, adult >= 0.80, a table >= 0.70: well below what the recipes reach, so
      a broken pipeline fails and sampling noise does not); calibration ECE <= 0.10;
    - fairness: the equalized-odds difference (between groups) of each audited feature,
      confident-fail at 0.20 (a gap whose whole interval is above 20 points). For your own
      data (``table``) it blocks the release; in the built-in demos it is a warning, so the
      demo exits 0 while showing its findings (adult's model has real gaps by race and age
      band); intersections are warnings everywhere (small cells), and there is no intersection
      gate where the fairness check ran without any (``intersections`` false: one sensitive
      feature, or intersections turned off): nothing to gate. With more than two ``classes``
      each class's gap against the rest is gated (the audit has no single gap); a group
      below the minimum
      count is "insufficient data" (a warning). ``--fail-on warning`` makes them all block;
    - privacy: each membership attack's TPR at 1% FPR on the target, confident-fail at 0.10
      (ten times what guessing gets); with DP-SGD, the canary epsilon lower bound must not
      exceed the claimed epsilon (without DP there is no claim to check);
    - transparency: no automatic checklist item may fail (e.g. a train/test overlap); one
      with a finding (``warn``, e.g. identical content under distinct rows) is a warning;
      the declared intended use, limitations, license, owners and contact are warnings until
      written. Other declared items are shown in the checklist, not gated: a missing item is
      never counted as a passed gate.

    A predictions-only audit (``auditor audit``, scenario "predictions") gets the performance
    and fairness gates only: privacy, explanations and the checklist need the model itself,
    and the card says they did not run; gating them would warn on every such audit.
    """
    acc = {"digits": 0.90, "mnist": 0.90, "adult": 0.80}.get(scenario, 0.70)
    builtin = scenario in ("digits", "mnist", "adult")
    predictions = scenario == "predictions"
    model = "" if scenario in ("predictions", "supplied") else "fine-tuned "
    declared = "transparency.items[{}].status"
    common = [
        GateRule(metric="performance.finetuned.test.accuracy", min=acc, mode="confident-fail",
                 name=f"{model}test accuracy >= {acc:.2f}"),
        GateRule(metric="performance.finetuned.test.ece", max=0.10, mode="point",
                 name=f"{model}test calibration error (ECE) <= 0.10"),
        *(GateRule(metric=path, max=0.20, mode="confident-fail",
                   severity="warning" if builtin else "error")
          for path in _eod_paths("feature", classes)),
        *(GateRule(metric=path, max=0.20, mode="confident-fail", severity="warning")
          for path in (_eod_paths("intersection", classes) if intersections else [])),
    ]  # fmt: skip
    if predictions:
        return common
    return [
        *common,
        GateRule(metric=PRIVACY_TPR_PATH, max=0.10, mode="confident-fail"),
        *([GateRule(metric="privacy.canaries.exceeds_claim", allowed=["false"],
                    name="canary epsilon lower bound within the DP claim")] if dp_claimed else []),
        GateRule(metric="transparency.items[kind=automatic].status",
                 allowed=["met", "not_applicable"], warn_on=["warn"]),
        *(GateRule(metric=declared.format(item), allowed=["met", "declared"], severity="warning")
          for item in REQUIRED_DECLARED),
    ]  # fmt: skip


def rule_problems(
    config: GatesConfig, *, schema: Callable[[], Mapping[str, Any]] | None
) -> list[tuple[str, str]]:
    """``(field, message)`` for every rule whose metric path is malformed or starts outside
    the audit's areas, names a status word no section writes, or (given audit.json's
    ``schema``, called on the first rule with a valid path) whose bound cannot fit what the
    path reaches there; empty when every rule can be evaluated."""
    problems = []
    loaded = cache(schema) if schema is not None else None  # read once, where a rule needs it
    kinds_of: dict[str, frozenset[str]] = {}  # per metric path: copies of a rule walk it once
    for i, rule in enumerate(config.rules):
        try:
            check_path(rule.metric)
        except ValueError as exc:
            problems.append((f"gates.rules[{i}].metric", str(exc)))
            continue
        kinds = None
        if loaded is not None:
            if rule.metric not in kinds_of:
                kinds_of[rule.metric] = path_kinds(loaded(), rule.metric)
            kinds = kinds_of[rule.metric]
            if kinds is None:  # no audit has it: a misspelt key, refused before training
                problems.append((f"gates.rules[{i}].metric", _unknown(loaded(), rule.metric)))
                continue
        problems += [(f"gates.rules[{i}].{f}", msg) for f, msg in _kind_problems(rule, kinds)]
        problems += [(f"gates.rules[{i}].{f}", msg) for f, msg in _range_problems(rule)]
    return problems


def _unknown(schema: Mapping[str, Any], path: str) -> str:
    return unknown_key(schema, path) or f"unknown metric path {path!r}: no audit has it"


def metric_range(path: str) -> tuple[str, tuple[float | None, float | None]] | None:
    """The metric a (valid) path names and what it can be (:data:`METRIC_RANGES`): its last
    key, past an estimate's fields, a disparity's method, an FPR level and list indices
    (``confusion_matrix[0][1]``); None where that key is not a known metric's."""
    for step in reversed(parse_path(path)):
        if step.kind == "index":
            continue
        if step.kind != "key" or step.key is None:
            return None
        name = step.key.split("@", 1)[0]
        if name in METRIC_RANGES:
            return name, METRIC_RANGES[name]
        if name not in _OF_THE_METRIC and not is_number(name):
            return None
    return None


def _range_problems(rule: GateRule) -> list[tuple[str, str]]:
    """``(field, message)`` for a ``max`` / ``min`` outside what the rule's metric can be (an
    accuracy's ``min = 80``, a percentage: never passed; a gap's ``max = 20``: never failed).
    A bound on an end (``min = 0``, ``max = 1``) is one the metric can reach."""
    found = metric_range(rule.metric)
    if found is None:
        return []
    name, (least, most) = found
    span = f"[{_end(least, '-inf')}, {_end(most, 'inf')}]"
    problems = []
    for bound, value in (("min", rule.min), ("max", rule.max)):
        if value is None:
            continue
        above, below = most is not None and value > most, least is not None and value < least
        if not (above or below):
            continue
        never = "pass" if (bound == "min") == above else "fail"
        hint = (f" (written as a fraction: {value:g}% is {value / 100:g})"
                if above and most == 1.0 and value <= 100 else "")  # fmt: skip
        problems.append((bound, MSG_OUT_OF_RANGE.format(bound=bound, value=value, metric=name,
                                                        span=span, never=never, hint=hint)))
    return problems


def _end(value: float | None, none: str) -> str:
    return none if value is None else f"{value:g}"


def _status_words(rule: GateRule) -> list[tuple[str, str]]:
    """A word of ``allowed`` / ``warn_on`` on a ``.status`` path that no section writes (a
    typo such as ``"mett"``, which would fail the gate after the whole run)."""
    last = parse_path(rule.metric)[-1]
    if last.kind != "key" or last.key != "status":
        return []
    known = ", ".join(STATUS_WORDS)
    return [
        (field, MSG_UNKNOWN_STATUS.format(word=word, known=known))
        for field, given in (("allowed", rule.allowed), ("warn_on", rule.warn_on))
        for word in given or ()
        if word not in STATUS_WORDS
    ]


def _kind_problems(rule: GateRule, kinds: frozenset[str] | None) -> list[tuple[str, str]]:
    """``(field, message)`` where a rule's bound fits none of the ``kinds`` of node its path
    reaches in the schema (:func:`auditor.audit_tree.shape.path_kinds`; None: not known
    before the audit): allowed on a number, max/min on a text, either on a mapping or a
    list; and a status word no section writes."""
    problems = _status_words(rule)
    wanted = "text" if rule.allowed is not None else "number"
    if not kinds or "any" in kinds or wanted in kinds:
        return problems
    field = "allowed" if rule.allowed is not None else "max" if rule.max is not None else "min"
    if kinds == {"number"}:
        return [(field, MSG_NUMBER_NOT_STATUS.format(path=rule.metric))]
    if kinds == {"text"}:
        return [(field, MSG_STATUS_NOT_NUMBER.format(path=rule.metric))]
    what = " or ".join(sorted(kinds - {"number", "text"}))
    return [(field, MSG_NOT_A_LEAF.format(path=rule.metric, what=what))]


def validate_rules(
    config: GatesConfig,
    *,
    source: str | None = None,
    schema: Callable[[], Mapping[str, Any]] | None,
) -> None:
    """Raise :class:`AuditorInputError` (exit 2) naming the first bad rule's field and every
    problem, before any training. ``source``: the config file, for the message; ``schema``:
    returns audit.json's JSON Schema (``auditor.record.audit_schema``: the gates sit below
    it), for the check of each bound against what its path reaches (without it, the audit
    itself shows it when judged). Required, so that no caller drops the check by leaving it
    out: ``auditor gate`` and the preflight had, and a bound its path cannot take passed
    them as 'not evaluated'."""
    problems = rule_problems(config, schema=schema)
    if problems:
        (field, first), rest = problems[0], problems[1:]
        # the error names the first field: its message follows it, each other one its own
        text = "; ".join([first, *(f"{f}: {msg}" for f, msg in rest)])
        raise AuditorInputError(text, source=source, field=field)
