"""The count of a fairness gap, the one text every output gives it beside the gap (a gap
has no n of its own): summary.md, junit.xml, the terminal, the annotations, the cards and
``auditor diff``. Between two groups '84 vs 260' (their rows); to the overall rate '84 vs
2,000 overall' (its group's rows and all rows); a mitigation preview's '445 over all
groups' (the rows it was evaluated on: the preview records no group's rows)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from auditor.audit_tree import estimate_paths, fmt_key, read, resolve
from auditor.fairness.disparities import tie_text  # the note's own wording of a tie
from auditor.gates.gap_groups import judged_gap  # the gap a gate judged, re-taken or not

MITIGATION = "fairness.mitigation."


def gap_counts(audit: Mapping[str, Any], r: Mapping[str, Any]) -> str | None:
    """The count of the gap a fairness gate judged (:func:`pair_counts`,
    :func:`mitigation_counts`), for a gate's n column: the recorded gap's, or where the gate's
    ``min_n`` took the gap again over fewer groups, that gap's
    (:func:`auditor.gates.gap_groups.judged_gap`); None for any other gate."""
    metric = str(r.get("metric", ""))
    mitigation = metric.startswith(MITIGATION)
    if r.get("n") is not None or not (mitigation or ".disparities." in metric):
        return None
    holder = metric.rsplit(".", 1)[0] if mitigation else metric.rsplit(".disparities.", 1)[0]
    try:
        holders = resolve(dict(audit), holder)
    except ValueError:
        return None
    gap = judged_gap(dict(audit), metric, None if mitigation else r.get("min_n"))
    if gap is None or len(holders) != 1 or not isinstance(holders[0].node, dict):
        return None
    if gap.get("value") != r.get("value"):  # not the gap the gate judged
        return None
    if mitigation:
        return mitigation_counts(holders[0].node)
    return pair_counts(holders[0].node, gap, overall_rows(audit))


def overall_rows(audit: Mapping[str, Any]) -> int | None:
    """All rows of the fairness section (its ``overall.count``'s n; None where not recorded):
    the other side of a gap to the overall rate."""
    overall = (audit.get("fairness") or {}).get("overall")
    node = overall.get("count") if isinstance(overall, Mapping) else None
    n = read(node).n if isinstance(node, dict) else None
    return n if isinstance(n, int) and not isinstance(n, bool) else None


def pair_counts(
    feature: Mapping[str, Any], gap: Mapping[str, Any], overall: int | None
) -> str | None:
    """'84 vs 260': the rows of the two groups a ``gap`` of ``feature`` compares
    (:func:`pair_sizes`); for a gap to the overall rate (``method`` to_overall, pair [group,
    'overall']) '84 vs 2,000 overall', its group's rows and all rows (``overall``); None
    where it compares no pair of listed groups."""
    pair = gap.get("pair")
    if not isinstance(pair, list) or not pair:  # an undefined gap: pair []
        return None
    if gap.get("method") == "to_overall":
        if overall is None:
            return None
        group = pair_sizes(feature, {"pair": [pair[0], pair[0]]})
        return None if group is None else f"{group[0]:,} vs {overall:,} overall"
    sizes = pair_sizes(feature, gap)
    return None if sizes is None else f"{sizes[0]:,} vs {sizes[1]:,}"


def mitigation_counts(summary: Mapping[str, Any]) -> str | None:
    """'445 over all groups': the rows a mitigation preview's ``summary`` (before, or after
    one constraint) was evaluated on, its accuracy's n; None where not recorded."""
    node = summary.get("accuracy")
    n = read(node).n if isinstance(node, dict) else None
    return f"{n:,} over all groups" if isinstance(n, int) and not isinstance(n, bool) else None


def pair_sizes(feature: Mapping[str, Any], gap: Mapping[str, Any]) -> tuple[int, int] | None:
    """The rows of the two groups a fairness ``gap`` compares (its ``pair``, each group's
    ``n`` in ``feature``'s groups); None where it compares no pair of listed groups (an
    undefined gap)."""
    sizes = {str(g.get("group")): g.get("n") for g in feature.get("groups") or ()}
    counts = [sizes.get(str(group)) for group in gap.get("pair") or ()]
    if len(counts) != 2 or not all(isinstance(c, int) for c in counts):
        return None
    return counts[0], counts[1]


def all_gap_counts(audit: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(metric path, count) of every fairness gap with a count: each feature's gaps
    (:func:`pair_counts`) and the mitigation preview's (:func:`mitigation_counts`)."""
    part = audit.get("fairness") or {}
    if part.get("status") != "ok":
        return
    overall = overall_rows(audit)
    features = part.get("features")
    for name, feature in features.items() if isinstance(features, dict) else ():
        gaps = feature.get("disparities") if isinstance(feature, dict) else None
        prefix = f"fairness.features.{fmt_key(str(name))}.disparities"
        for path, node in estimate_paths(gaps, prefix) if isinstance(gaps, dict) else ():
            if (counts := pair_counts(feature, node, overall)) is not None:
                yield path, counts
    for prefix, summary in _mitigation_summaries(part.get("mitigation")):
        counts = mitigation_counts(summary)
        for path, node in estimate_paths(summary, prefix) if counts else ():
            if node.get("n") is None and "pair" in node:
                yield path, counts


def _mitigation_summaries(part: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, summary) of each metrics summary of a mitigation preview: each feature's
    before, and after each constraint that ran."""
    features = part.get("features") if isinstance(part, dict) else None
    for name, feature in features.items() if isinstance(features, dict) else ():
        if not isinstance(feature, dict):
            continue
        prefix = f"{MITIGATION}features.{fmt_key(str(name))}"
        if isinstance(feature.get("before"), dict):
            yield f"{prefix}.before", feature["before"]
        constraints = feature.get("constraints")
        for c, run in constraints.items() if isinstance(constraints, dict) else ():
            if isinstance(run, dict) and isinstance(run.get("after"), dict):
                yield f"{prefix}.constraints.{fmt_key(str(c))}.after", run["after"]


# The note fairness.disparities writes where more than one group has the worst rate
# ("a and b tie as the worst off: selection_rate 0.25 in each").
TIE_NOTE = " tie as the worst off: "


def tied_labels(feature: Any, node: Any) -> list[str]:
    """The groups of ``feature`` that share the worst-off group's rate in a disparity
    ``node`` (its ``decided_by`` rate, over the groups compared: not its
    ``excluded_groups``), the worst-off group first; [] where the gap names one worst-off
    group, or none. Read from the groups' values, never from the note's prose (a label may
    hold '; ' or ' and ')."""
    if not isinstance(feature, Mapping) or not isinstance(node, Mapping):
        return []
    worst, rate = node.get("worst_group"), node.get("decided_by")
    if worst is None or not isinstance(rate, str) or TIE_NOTE not in str(node.get("reason")):
        return []
    left_out = {str(g) for g in node.get("excluded_groups") or ()}
    values: dict[str, Any] = {}
    for g in feature.get("groups") or ():
        est = (g.get("metrics") or {}).get(rate) if isinstance(g, Mapping) else None
        if isinstance(est, Mapping) and str(g.get("group")) not in left_out:
            values[str(g.get("group"))] = est.get("value")
    target = values.get(str(worst))
    if not isinstance(target, (int, float)) or isinstance(target, bool):
        return []
    tied = [label for label, v in values.items() if v == target and label != str(worst)]
    return [str(worst), *tied] if tied else []


def tied_groups(feature: Any, node: Any) -> str | None:
    """:func:`tie_text` of :func:`tied_labels`; None where one group, or none, is worst off."""
    labels = tied_labels(feature, node)
    return tie_text(labels) if labels else None


def gate_tied_labels(audit: Mapping[str, Any], r: Mapping[str, Any]) -> list[str]:
    """:func:`tied_labels` of the gap a fairness gate judged: the recorded one, or the one its
    ``min_n`` took again without the smaller groups
    (:func:`auditor.gates.gap_groups.judged_gap`, whose ``excluded_groups`` name them);
    [] for any other gate, or where one group is worst off."""
    metric = str(r.get("metric", ""))
    if ".disparities." not in metric:
        return []
    try:
        holders = resolve(dict(audit), metric.rsplit(".disparities.", 1)[0])
    except ValueError:
        return []
    gap = judged_gap(dict(audit), metric, r.get("min_n"))
    if gap is None or len(holders) != 1 or gap.get("worst_group") != r.get("group"):
        return []
    return tied_labels(holders[0].node, gap)


def gate_ties(audit: Mapping[str, Any], r: Mapping[str, Any]) -> str | None:
    """:func:`tie_text` of :func:`gate_tied_labels`; None where one group, or none, is worst
    off (and for any other gate)."""
    labels = gate_tied_labels(audit, r)
    return tie_text(labels) if labels else None
