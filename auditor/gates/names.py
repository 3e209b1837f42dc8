"""Human names of gates: what a reviewer reads in the card, the terminal, summary.md,
junit.xml and the CI annotations ("sex: equalized-odds gap <= 0.20").

A name is made from the rule's bound and the concrete metric path (never the worst-off
group), so it is as stable as the gate's id; a rule's own ``name`` is used as written. The
id stays the key for baselines and ``auditor diff``.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.audit_tree import parse_path
from auditor.config.gates import GateRule
from auditor.config.labels import LABEL_MAX, shorten  # noqa: F401 - this module's API too

# How a metric key reads in a name (keys not listed: underscores become spaces).
METRIC_WORDS = {
    "equalized_odds_difference": "equalized-odds gap",
    "demographic_parity_difference": "demographic-parity gap",
    "equalized_odds_ratio": "equalized-odds ratio",
    "demographic_parity_ratio": "demographic-parity ratio",
    "true_positive_rate_difference": "TPR gap",
    "false_positive_rate_difference": "FPR gap",
    "accuracy_difference": "accuracy gap",
    "balanced_accuracy": "balanced accuracy",
    "f1_macro": "macro F1",
    "roc_auc": "ROC AUC",
    "ece": "calibration error (ECE)",
    "log_loss": "log loss",
    "selection_rate": "selection rate",
    "tpr": "TPR",
    "fpr": "FPR",
    "auc": "membership AUC",
}
ATTACK_WORDS = {
    "loss": "LOSS",
    "correctness": "correctness",
    "lira_online": "LiRA (online)",
    "lira_offline": "LiRA (offline)",
    "rmia": "RMIA",
}
STAGE_WORDS = {"finetuned": "fine-tuned", "pretrained": "pretrained"}
# The most characters of a metric path or gate id shown (it holds labels; whole in audit.json).
PATH_MAX = 200


def words(key: str, table: dict[str, str] | None = None) -> str:
    """A key as words: from ``table`` (default :data:`METRIC_WORDS`), else underscores as spaces."""
    return (table if table is not None else METRIC_WORDS).get(key, key.replace("_", " "))


def attack_name(key: str) -> str:
    """``lira_online`` -> ``LiRA (online)``."""
    return words(key, ATTACK_WORDS)


def fpr_text(level: str) -> str:
    """``"0.01"`` -> ``1%`` (a fixed false-positive rate as a percentage)."""
    try:
        return f"{float(level) * 100:g}%"
    except ValueError:
        return level


def number_text(x: float) -> str:
    """A bound in a name: a whole number as is (5), else two decimals where that is exact
    (0.20, 0.90), else as written (0.005)."""
    if x == int(x):
        return f"{x:g}"
    return f"{x:.2f}" if round(x, 2) == x else f"{x:g}"


def bound_phrase(rule: GateRule) -> str:
    """``>= 0.90``, ``<= 0.20``, ``>= 0.10 and <= 0.90``, ``in {a, b}``."""
    return bound_words(min=rule.min, max=rule.max, allowed=rule.allowed)


def bound_words(*, min: float | None, max: float | None, allowed: Sequence[str] | None) -> str:
    """:func:`bound_phrase` of a bound as a gate result records it (``bound`` in audit.json)."""
    parts = []
    if min is not None:
        parts.append(f">= {number_text(min)}")
    if max is not None:
        parts.append(f"<= {number_text(max)}")
    if allowed is not None:
        parts.append("in {" + ", ".join(allowed) + "}")
    return " and ".join(parts)


# What an unfilled ``*`` reads as (a section that did not run: nothing was picked), by the
# key before it; a name read "*: membership TPR at 1% FPR <= 0.10".
EVERY = {"features": "every feature", "groups": "every group", "attacks": "every attack",
         "items": "every item", "finetuned": "every split", "pretrained": "every split",
         "performance": "every stage"}  # fmt: skip


def labels(metric: str, picked: tuple[str, ...]) -> list[str]:
    """The keys and item labels of the node a rule reached: the rule's keys, with each
    wildcard or selector filled by the label it picked (its own text where nothing was
    picked, e.g. a section that did not run; ``*`` in words: "every attack"). Never
    re-parses a concrete path: a label may hold any character."""
    out: list[str] = []
    rest = list(picked)
    for step in parse_path(metric):
        if step.kind == "key":
            out.append(str(step.key))
        elif rest:
            out.append(rest.pop(0))
        elif step.kind == "any":
            out.append(EVERY.get(out[-1] if out else "", "every key"))
        else:
            out.append(str(step.value or step.index))
    return out


def _fairness(keys: list[str]) -> str | None:
    # features.<F>.disparities.<M>[.between_groups] | features.<F>.groups.<G>.<M>
    if len(keys) >= 4 and keys[0] == "features" and keys[2] == "disparities":
        metric, _, cls = keys[3].partition("@")  # a multi-class gap: that class vs the rest
        return f"{keys[1]}: {words(metric)}" + (f" (class {cls} vs rest)" if cls else "")
    if len(keys) >= 5 and keys[0] == "features" and keys[2] == "groups":
        return f"{keys[1]} = {keys[3]}: " + " ".join(words(k) for k in keys[4:] if k != "metrics")
    return None


def _privacy(keys: list[str]) -> str | None:
    if len(keys) >= 3 and keys[0] == "attacks":
        attack = attack_name(keys[1])
        if keys[2] == "tpr_at_fpr" and len(keys) >= 4:
            return f"{attack}: membership TPR at {fpr_text(keys[3])} FPR"
        return f"{attack}: {' '.join(words(k) for k in keys[2:])}"
    return None


def _checklist(keys: list[str], rule: GateRule) -> str | None:
    if len(keys) == 3 and keys[0] == "items" and keys[2] == "status" and rule.allowed:
        allowed = set(rule.allowed)
        state = "declared" if "declared" in allowed else "met" if "met" in allowed else None
        return f"checklist: {words(keys[1])}" + (f" {state}" if state else "")
    return None


def subject(rule: GateRule, picked: tuple[str, ...] = ()) -> str:
    """What the node a rule reached measures, in words (no bound)."""
    area, *keys = (shorten(k) for k in labels(rule.metric, picked))
    named: str | None = None
    if area == "performance" and len(keys) >= 3:
        stage = words(keys[0], STAGE_WORDS)
        named = f"{stage} {keys[1]} {' '.join(words(k) for k in keys[2:])}"
    elif area == "fairness":
        named = _fairness(keys)
    elif area == "privacy":
        named = _privacy(keys)
    elif area == "transparency":
        named = _checklist(keys, rule)
    return named or " ".join(words(k) for k in [area, *keys])


def human_name(rule: GateRule, picked: tuple[str, ...] = ()) -> str:
    """The gate's name: the rule's own (with the keys its wildcards picked), else the subject
    and the bound ("sex: equalized-odds gap <= 0.20"; a checklist name carries its state)."""
    if rule.name:
        steps = parse_path(rule.metric)
        many = any(s.kind == "any" or (s.kind == "match" and s.key) for s in steps)
        shown = ", ".join(shorten(p) for p in picked)
        return f"{rule.name} ({shown})" if many and picked else rule.name
    text = subject(rule, picked)
    if text.startswith("checklist: ") and text.endswith((" met", " declared")):
        return text
    return f"{text} {bound_phrase(rule)}"
