"""The release decision, as every rendering shows it first: the verdict, each failing and
warning gate in one line, and the headline numbers with their intervals.

One source of status: a headline's status is the status of the gate that reads the same
node (none when no gate reads it), so a tile never contradicts a gate. Numbers are read
through :mod:`auditor.audit_tree` (accuracy gets its Wilson interval, with Brown-Cai-DasGupta's
ends as the per-group rates, there).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditor.audit_tree import Evidence, count, fmt_key, read
from auditor.gates.evaluate import exit_code
from auditor.gates.names import attack_name, fpr_text, shorten, words
from auditor.gates.section import bound_text
from auditor.numbers import fmt_interval
from auditor.report.bound import bound_sign, gate_side, one_evidence, side_words
from auditor.report.bound import gate_sign as gate_sign  # the cards' gate tables
from auditor.report.gap_count import gap_counts, gate_ties, pair_sizes

ACCURACY_PATH = "performance.finetuned.test.accuracy"
GAP_METRIC = "equalized_odds_difference"
PRIVACY_LEVEL = "0.01"
# audit_tree.wilson_interval, as the gate and the per-group rates take it
ACCURACY_INTERVAL = "95% Wilson interval, Brown-Cai-DasGupta ends"
STATUS_RANK = {"fail": 2, "warn": 1, "pass": 0}


@dataclass(frozen=True)
class Headline:
    """One headline number: what it is, its estimate and interval, the gate's status that
    reads it (None: no gate does), a short note, and the card anchor that explains it."""

    key: str
    label: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    status: str | None
    note: str
    anchor: str
    bound: Mapping[str, Any] | None = None  # the gate's, so no rounding puts the value across it
    bound_only: str | None = None  # the value is only this bound of the number ("lower": ≥)

    @property
    def sign(self) -> str:
        """'≥ ' before a value that is only a lower bound (:mod:`auditor.report.bound`)."""
        return bound_sign(self.bound_only)


def _gates_by_metric(audit: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    gates = audit.get("gates") or {}
    if gates.get("status") != "ok":
        return {}
    return {r["metric"]: r for r in gates["results"] if r["source"] != "baseline"}


def worst_status(results: list[Mapping[str, Any]]) -> str | None:
    """The worst status among gate results (None for none)."""
    if not results:
        return None
    return max((r["status"] for r in results), key=lambda s: STATUS_RANK[s])


def warnings_fail(
    gates: Mapping[str, Any], *, fail_on: str | None = None, set_by: str | None = None
) -> str:
    """'(warnings fail)' beside a verdict of warnings that fail the gate (``fail_on``, else
    the gates' own, is "warning"), else ''. The one wording of the terminal, the cards and
    summary.md. ``set_by``: what this command's user wrote to set it ('--fail-on warning',
    'fail_on = warning'), named only then: audit.json records the setting, not who set it,
    so what is rendered from it alone names neither. The exit code's rule decides
    (:func:`auditor.gates.evaluate.exit_code`): the words and the exit status agree."""
    if gates.get("status") != "ok" or gates["verdict"] != "warn":
        return ""
    if exit_code(gates, fail_on=fail_on) == 0:
        return ""
    return f"({_warnings_fail_words(set_by)})"


def _warnings_fail_words(set_by: str | None) -> str:
    """The words inside both :func:`warnings_fail` and :func:`failed_by_warnings`."""
    return f"warnings fail: {set_by}" if set_by else "warnings fail"


def failed_by_warnings(*, set_by: str | None = None) -> tuple[str, str]:
    """The verdict where :func:`warnings_fail` (same ``set_by``) fails the gate, and why, in
    its words, not unwrapped from its string (R8 #5): ``("FAIL", "(the gates' verdict is WARN,
    and warnings fail)")``, summary.md's line."""
    return "FAIL", f"(the gates' verdict is WARN, and {_warnings_fail_words(set_by)})"


def problems(audit: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Failing gates, then warning gates (each a gate result dict)."""
    gates = audit.get("gates") or {}
    if gates.get("status") != "ok":
        return []
    fails = [r for r in gates["results"] if r["status"] == "fail"]
    return fails + [r for r in gates["results"] if r["status"] == "warn"]


def _gate_note(gate: Mapping[str, Any] | None) -> str:
    """What a reader of the tile must know about its gate: an interval that straddles the
    bound (the gate's mode decided), or no verdict."""
    if gate is None:
        return ""
    if gate["relation"] == "straddles":
        return f"; interval straddles {bound_text(gate['bound'])} ({gate['mode']})"
    if gate["outcome"] in ("insufficient_data", "not_run"):
        return "; " + gate["outcome"].replace("_", " ")
    return ""


def _accuracy(audit: Mapping[str, Any], gates: Mapping[str, Mapping[str, Any]]) -> Headline | None:
    ev = one_evidence(audit, ACCURACY_PATH)
    if ev is None or not isinstance(ev.value, float):
        return None
    gate = gates.get(ACCURACY_PATH)
    predictions = (audit.get("run") or {}).get("mode") == "predictions"  # no test split there
    return Headline(
        "accuracy", "Accuracy over every row" if predictions else "Test accuracy",
        ev.value, ev.ci_low, ev.ci_high, ev.n,
        gate["status"] if gate else None, f"{ACCURACY_INTERVAL}, n={ev.n}" + _gate_note(gate),
        "performance", gate["bound"] if gate else None,
    )  # fmt: skip


def _fairness(audit: Mapping[str, Any], gates: Mapping[str, Mapping[str, Any]]) -> Headline | None:
    """The largest between-groups equalized-odds gap over every audited feature; where no
    feature has one for want of rows, no number: "insufficient data" with the first such
    feature's counts."""
    part = audit.get("fairness") or {}
    if part.get("status") != "ok":
        return None
    best: tuple[float, str, Evidence, str] | None = None
    short: tuple[str, Evidence] | None = None  # the first gap without a verdict for want of data
    bounds: list[tuple[str, Evidence, str]] = []  # gaps known only as a bound of themselves
    for name, feat in (part.get("features") or {}).items():
        node = ((feat.get("disparities") or {}).get(GAP_METRIC) or {}).get("between_groups")
        ev = read(node) if isinstance(node, dict) else None
        if ev is not None and ev.status == "insufficient_data" and short is None:
            short = (str(name), ev)
        if ev is None or not isinstance(ev.value, float) or ev.status == "insufficient_data":
            continue
        if ev.bound_only is not None:
            bounds.append((str(name), ev, _pair_text(feat, node)))
        if best is None or ev.value > best[0]:
            best = (ev.value, str(name), ev, _pair_text(feat, node))
    label = f"Worst {words(GAP_METRIC)}"
    if best is None:
        if short is None:
            return None
        name, ev = short
        gate = gates.get(_feature_path(name))
        note = f"{shorten(name)}: {ev.undefined or 'too few rows'}"
        return Headline("fairness", label, None, None, None, ev.n, gate["status"] if gate else None,
                        note, "fairness", gate["bound"] if gate else None)  # fmt: skip
    _, name, ev, pair = best
    gate = gates.get(_feature_path(name))
    shown = shorten(name) + (f" ({pair})" if pair else "")
    level = level_text(part.get("ci_level"))
    note = shown + _largest(name, bounds) + (f"; {level} interval" if level else "")
    return Headline(
        "fairness", label, ev.value, ev.ci_low, ev.ci_high, ev.n,
        gate["status"] if gate else None, note + _gate_note(gate), "fairness",
        gate["bound"] if gate else None, ev.bound_only,
    )  # fmt: skip


def _largest(name: str, bounds: list[tuple[str, Evidence, str]]) -> str:
    """'; largest over features' where every other feature's gap is known; else what is
    known: a gap that is only a lower bound of itself may be larger than the one shown (each
    such gap with its interval and its two groups' rows, as the shown one has them)."""
    others = [(n, ev, pair) for n, ev, pair in bounds if n != name]
    if not others:
        return "; largest over features"
    shown = [f"{shorten(n)} {side_words(ev.bound_only)}"
             f"{fmt_interval(ev.value, ev.ci_low, ev.ci_high, 3)}" + (f", {pair}" if pair else "")
             for n, ev, pair in others]  # fmt: skip
    more = f" and {len(shown) - 3} more" if len(shown) > 3 else ""
    return f"; largest of the known gaps (known only as a bound: {'; '.join(shown[:3])}{more})"


def _pair_text(feature: Mapping[str, Any], gap: Mapping[str, Any]) -> str:
    """'a vs b, n=117 vs 62': the two groups a gap compares, with their rows (as the gate's
    line gives them); the groups alone where the record lacks a count, '' where no pair."""
    pair = " vs ".join(shorten(str(g)) for g in (gap.get("pair") or []))
    sizes = pair_sizes(feature, gap) if pair else None
    return pair + (f", n={sizes[0]:,} vs {sizes[1]:,}" if sizes else "")


def _feature_path(name: str) -> str:
    return f"fairness.features.{fmt_key(name)}.disparities.{GAP_METRIC}.between_groups"


def _privacy(audit: Mapping[str, Any], gates: Mapping[str, Mapping[str, Any]]) -> Headline | None:
    """The highest membership TPR at 1% FPR over the attacks whose non-members resolve that
    FPR; where none does (fewer than 1/FPR non-members: the TPR at zero false positives, not at
    1%), no number: "insufficient data" with the strongest attack's counts."""
    part = audit.get("privacy") or {}
    if part.get("status") != "ok":
        return None
    best: tuple[bool, float, str, Mapping[str, Any]] | None = None
    for name, attack in (part.get("attacks") or {}).items():
        node = ((attack or {}).get("tpr_at_fpr") or {}).get(PRIVACY_LEVEL)
        ev = read(node) if isinstance(node, dict) else None
        if ev is None or not isinstance(ev.value, float):
            continue
        key = (ev.resolvable is not False, ev.value)  # a resolved rate before any other
        if best is None or key > best[:2]:
            best = (*key, str(name), node)
    if best is None:
        return None
    resolved, _, name, node = best
    gate = gates.get(f'privacy.attacks.{name}.tpr_at_fpr."{PRIVACY_LEVEL}"')
    status, bound = (gate["status"], gate["bound"]) if gate else (None, None)
    level = level_text(part.get("confidence"))
    if not resolved:
        note = f"{unresolved_text(node)}; {attack_name(name)}, strongest attack"
        return Headline("privacy", "Membership TPR at 1% FPR", None, None, None, count(node),
                        status, note, "privacy", bound)  # fmt: skip
    ev = read(node)
    note = f"{attack_name(name)}, strongest attack; {tpr_counts(node)}"
    note += f"; {level} interval" if level else ""
    return Headline(
        "privacy", "Membership TPR at 1% FPR", ev.value, ev.ci_low, ev.ci_high, ev.n,
        status, note + _gate_note(gate), "privacy", bound,
    )  # fmt: skip


def unresolved_text(node: Mapping[str, Any]) -> str:
    """Why a TPR at an FPR has no number (insufficient data), with its counts: '66 non-members
    cannot resolve FPR 1% (fewer than 100); tp 5/66 at fp 0/66'."""
    need = round(1 / float(PRIVACY_LEVEL))
    return (f"{node.get('n_non_members')} non-members cannot resolve FPR "
            f"{fpr_text(PRIVACY_LEVEL)} (fewer than {need}); {tpr_counts(node)}")  # fmt: skip


def tpr_counts(node: Mapping[str, Any]) -> str:
    """'tp 5/266 at fp 2/266': the members and non-members above a TPR's threshold (its n
    alone where an older audit.json has no counts)."""
    if not all(isinstance(node.get(k), int) for k in ("tp", "fp", "n_non_members")):
        return f"n={node.get('n')}"
    return f"tp {node.get('tp')}/{node.get('n')} at fp {node.get('fp')}/{node.get('n_non_members')}"


def level_text(level: Any) -> str:
    """The confidence level an interval was computed at, as a percentage: 0.95 -> '95%',
    0.999 -> '99.9%'; '' where the record gives none."""
    if isinstance(level, bool) or not isinstance(level, (int, float)):
        return ""
    return f"{100 * float(level):.10g}%"


def checklist_status(audit: Mapping[str, Any]) -> str | None:
    """The worst status of the checklist gates (None when none ran)."""
    gates = audit.get("gates") or {}
    if gates.get("status") != "ok":
        return None
    results = gates["results"]
    return worst_status([r for r in results if r["area"] == "transparency" and not r["baseline"]])


def item_status(audit: Mapping[str, Any], item: str) -> str | None:
    """The status of the gate that reads checklist item ``item`` (None: not gated)."""
    gate = _gates_by_metric(audit).get(f"transparency.items[{item}].status")
    return gate["status"] if gate else None


def headlines(audit: Mapping[str, Any]) -> list[Headline]:
    """Accuracy, the worst fairness gap and the membership TPR at 1% FPR (those that ran)."""
    gates = _gates_by_metric(audit)
    found = (_accuracy(audit, gates), _fairness(audit, gates), _privacy(audit, gates))
    return [h for h in found if h is not None]


def reason(r: Mapping[str, Any], audit: Mapping[str, Any] | None = None) -> str:
    """Why a gate came out as it did, without repeating its value: the bound met or broken,
    the group concerned (given the ``audit``, each of tied groups: :func:`ties_named`), the
    interval's relation; or why there is no verdict."""
    msg = str(r["message"]) if audit is None else ties_named(audit, r)
    if r["outcome"] in ("insufficient_data", "not_run") or not isinstance(r["value"], float):
        return msg
    head, _, rest = msg.partition("; ")
    verb = "meets" if " meets " in head else "breaks" if " breaks " in head else None
    why = f"{verb} {bound_text(r['bound'])}" if verb else head
    return f"{why}; {rest}" if rest else why


def gate_message(audit: Mapping[str, Any], r: Mapping[str, Any]) -> str:
    """A gate's message, a fairness gap's with the rows of its pair beside its value
    ('0.4237 [0.2294, 0.5895] (n=420 vs 115) breaks <= 0.2; ...'): the text the card's
    decision, the terminal, junit.xml and the CI annotations give; any other gate's as
    recorded. Where groups tie as the worst off, each is named ('worst-off groups a and b
    (tied)'), not only the first."""
    message = ties_named(audit, r)
    pair = gap_counts(audit, r)
    head, sep, rest = message.partition("; ")
    if pair is not None:
        at = max(head.find(" breaks "), head.find(" meets "))
        counts = f" (n={pair})"
        head = f"{head[:at]}{counts}{head[at:]}" if at > 0 else f"{head}{counts}"
    words = interval_words(audit, r)
    value, space, after = head.partition(" ")
    if words and after.startswith("[") and "]" in after:  # '0.67 [0.56, 0.75] (n=100) ...'
        end = after.index("]") + 1
        tail = after[end:]
        tail = f" ({words}, {tail[2:]}" if tail.startswith(" (n=") else f" ({words}){tail}"
        head = value + space + after[:end] + tail
    side = gate_side(audit, r) if r.get("outcome") in ("pass", "fail") else None
    if side is not None:  # a verdict bound_decides let stand on a bound of the number
        head = side_words(side) + head
        rest += ("; " if rest else "") + (
            f"the value is only known to be {side_words(side)}this (one of its two rates is "
            "undefined); the verdict is the same whatever that rate is"
        )
        sep = "; "
    return head + sep + rest


def ties_named(audit: Mapping[str, Any], r: Mapping[str, Any]) -> str:
    """A gate's message as recorded, but where groups tie as the worst off each is named
    ('worst-off groups a and b (tied)'), not only the first: every output's text of it
    (:func:`gate_message`, summary.md's and the HTML card's gate tables)."""
    message = str(r["message"])
    tied, one = gate_ties(audit, r), f"; worst-off group {shorten(str(r.get('group')))}"
    if tied is not None and one in message:  # not only the first of the tied groups
        message = message.replace(one, f"; worst-off groups {tied} (tied)", 1)
    return message


def interval_words(audit: Mapping[str, Any], r: Mapping[str, Any]) -> str:
    """'95% Wilson interval', '99.9% interval': the level of a gate's interval (a Wilson
    interval is at 95%; a recorded one at its section's level, fairness.ci_level or
    privacy.confidence); '' where the gate has no interval or the record names no level."""
    if r.get("ci_low") is None or r.get("ci_high") is None:
        return ""
    if r.get("interval") == "wilson":
        return "95% Wilson interval"
    area = str(r.get("metric", "")).split(".", 1)[0]
    key = {"fairness": "ci_level", "privacy": "confidence"}.get(area)
    level = level_text((audit.get(area) or {}).get(key)) if key else ""
    return f"{level} interval" if level else ""


def problem_line(r: Mapping[str, Any]) -> str:
    """One line per failing or warning gate: its name, then the evidence and why."""
    return f"{r['name']} — {r['message']}"


def label_determined(audit: Mapping[str, Any]) -> list[str]:
    """Audited features whose every group has a base rate of 0 or 1: the group decides the
    label (digits' "digit" slice for odd/even), so their demographic-parity gap is 1 by
    construction and says nothing about fairness."""
    part = audit.get("fairness") or {}
    if part.get("status") != "ok":
        return []
    out = []
    for name, feat in (part.get("features") or {}).items():
        if feat.get("kind", "feature") != "feature":
            continue  # an intersection with such a feature says the same again
        nodes = [(g.get("metrics") or {}).get("base_rate") for g in feat.get("groups") or []]
        rates = [read(n).value for n in nodes if isinstance(n, dict)]
        if len(rates) >= 2 and all(r in (0.0, 1.0) for r in rates):
            out.append(str(name))
    return out


def small_groups(audit: Mapping[str, Any]) -> list[tuple[str, str, int | None]]:
    """(feature, group, n on the audited split) of each group of a single feature (not an
    intersection) too small for a verdict, as the fairness section counted it."""
    part = audit.get("fairness") or {}
    if part.get("status") != "ok":
        return []
    return [
        (str(name), str(g.get("group")), g.get("n"))
        for name, feat in (part.get("features") or {}).items()
        if feat.get("kind", "feature") == "feature"
        for g in (feat.get("groups") or [])
        if g.get("status") == "insufficient_data"
    ]


def small_intersections(audit: Mapping[str, Any]) -> list[tuple[str, int, int]]:
    """(intersection, groups too small for a verdict, groups) of each intersection of
    features with such groups: counted, not listed (an intersection may hold hundreds)."""
    part = audit.get("fairness") or {}
    if part.get("status") != "ok":
        return []
    out = []
    for name, feat in (part.get("features") or {}).items():
        small, total = feat.get("n_insufficient"), feat.get("n_groups")
        if feat.get("kind", "feature") != "feature" and isinstance(small, int) and small > 0:
            out.append((str(name), small, total if isinstance(total, int) else small))
    return out
