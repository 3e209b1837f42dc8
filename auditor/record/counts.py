"""The counts and bounds of a fairness section read back: each group's rates are counts over
its own ``n`` (the gates take a gap again from them:
:func:`auditor.gates.gap_groups.recorded_share`), the rates over all of a group's rows are over
the group's ``n`` (its ``count`` is ``n``), and a feature's groups add up to the rows audited (a
count below 0 is refused before this, in the interval check's one walk of every estimate).
Every rate and a group's ROC AUC and ECE lie in [0, 1] with their intervals, its log loss in
[0, MAX_LOSS] (each row's score is clipped to machine eps, so a row loses at most
:data:`~auditor.results.score_intervals.MAX_LOSS`), each over no more rows than the group's.
auditor writes all of them from one table of confusion counts and one of score sums; a
hand-edited rate (``0.7301`` of 1,520 rows, no whole count), a group's ``n`` raised past its
metrics', a negative ``n`` or an interval end of 1e300 was shown and judged as evidence.
:func:`auditor.record.check_intervals_read_back` calls it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.audit_tree import count
from auditor.errors import AuditorInputError
from auditor.fairness.metrics import BINARY_METRICS, DISPARITIES, GLOBAL_METRICS
from auditor.gates.gap_groups import recorded_share
from auditor.record.bounds import RATE, check_estimate
from auditor.record.fairness_preview import check_fairness_previews
from auditor.results.score_intervals import MAX_LOSS

NOT_A_COUNT = "{value!r} is not a whole count over its n ({n}): the rate of a group is k / n"
NOT_THE_GROUP = "{found!r} is not the group's own n ({n}): {name} is over all its rows"
NOT_THE_ROWS = "the groups' n add up to {found:,}, not the {n:,} rows audited (fairness/n)"
MORE_THAN_THE_GROUP = "{found!r} rows, more than the group's own n ({n})"
NO_CLASS_RECALL = "null (no positive class: a recall per class), but {where} holds no {key!r}"
# The rates a gap is taken from, each a count over its n (F1 is not: 2 TP / (2 TP + FP + FN)).
SHARES = frozenset(c for components, _ in DISPARITIES.values() for c in components)
# Every metric of a group but its row count is a rate.
RATES = frozenset({*BINARY_METRICS, *GLOBAL_METRICS} - {"count"})
RATE_BOUNDS = (0.0, 1.0, RATE)
# The metrics over all a group's rows: their n is the group's.
OVER_ALL = frozenset(k for k, (_, _, den) in {**BINARY_METRICS, **GLOBAL_METRICS}.items()
                     if den == "n")  # fmt: skip
# A group's scores (fairness/scores), each an estimate node. Its log loss is of scores clipped
# to machine eps (auditor.results.scores), unlike a split's (performance: from logits, unbounded).
SCORE_BOUNDS = {"roc_auc": (0.0, 1.0, "an AUC"),
                "log_loss": (0.0, MAX_LOSS, "a group's log loss (its scores clipped to 2^-52)"),
                "ece": (0.0, 1.0, "an ECE")}  # fmt: skip


def _groups(fairness: dict[str, Any]) -> Iterator[tuple[str, Any, Any]]:
    """(where, n, metrics) of the overall rows and of every group of every feature."""
    yield "fairness/overall", fairness.get("n"), fairness.get("overall")
    features = fairness.get("features")
    for name, feature in (features.items() if isinstance(features, dict) else ()):
        groups = feature.get("groups") if isinstance(feature, dict) else None
        for i, group in enumerate(groups if isinstance(groups, list) else ()):
            if isinstance(group, dict):
                where = f"fairness/features/{name}/groups/{i}/metrics"
                yield where, group.get("n"), group.get("metrics")


def _check_metrics(where: str, n: int, metrics: dict[str, Any], source: str) -> None:
    for name, node in metrics.items():
        if not isinstance(node, dict) or node.get("value") is None:
            continue
        base = str(name).split("@", 1)[0]
        if base in OVER_ALL and count(node.get("n")) is not None and node["n"] != n:
            why = NOT_THE_GROUP.format(found=node["n"], n=n, name=name)
            raise AuditorInputError(why, source=source, field=f"{where}/{name}/n")
        if base == "count" and node["value"] != n:
            why = NOT_THE_GROUP.format(found=node["value"], n=n, name=name)
            raise AuditorInputError(why, source=source, field=f"{where}/{name}/value")
        if base in SHARES and count(node.get("n")) is not None:
            try:
                recorded_share(node)
            except ValueError:
                why = NOT_A_COUNT.format(value=node["value"], n=node["n"])
                raise AuditorInputError(why, source=source,
                                        field=f"{where}/{name}/value") from None  # fmt: skip
        _check_bounded(f"{where}/{name}", n, node, source,
                       bounds=RATE_BOUNDS if base in RATES else None)


def _check_bounded(where: str, n: int, node: dict[str, Any], source: str, *,
                   bounds: tuple[float, float, str] | None) -> None:  # fmt: skip
    """``node`` over no more rows than ``n`` (its group's), its value and interval within
    ``bounds`` (low, high, what lies there): a rate's ci_high of 1e300 or ci_low of -0.5 was
    shown as evidence, inside it the value broke no other check."""
    if count(node.get("n")) is not None and node["n"] > n:
        why = MORE_THAN_THE_GROUP.format(found=node["n"], n=n)
        raise AuditorInputError(why, source=source, field=f"{where}/n")
    if bounds is not None:
        lo, hi, what = bounds
        check_estimate(node, lo, hi, what=what, where=where, source=source)


def _check_scores(fairness: dict[str, Any], source: str) -> None:
    """Each group's scores (fairness/scores: ROC AUC, log loss, ECE) and their intervals
    within their bounds, over no more rows than the group's: ci_low -0.5 around an ECE of
    0.023 was read back and printed by the card, as a rate's was before e25ae03."""
    scores = fairness.get("scores")
    features = scores.get("features") if isinstance(scores, dict) else None
    for name, groups in (features.items() if isinstance(features, dict) else ()):
        for i, group in enumerate(groups if isinstance(groups, list) else ()):
            n = count(group.get("n")) if isinstance(group, dict) else None
            if n is None:
                continue
            for key, bounds in SCORE_BOUNDS.items():
                node = group.get(key)
                if isinstance(node, dict):
                    where = f"fairness/scores/features/{name}/{i}/{key}"
                    _check_bounded(where, n, node, source, bounds=bounds)


def _check_per_class(fairness: dict[str, Any], source: str) -> None:
    """Where the section names no positive class (a task of more than two classes), each
    group with rows holds a recall per class, which the card's table reads: a binary
    audit's positive_class made null was an internal error (KeyError 'recall@approved')."""
    classes = fairness.get("classes")
    if fairness.get("positive_class") is not None or not isinstance(classes, list):
        return
    keys = [f"recall@{c}" for c in classes]
    for where, n, metrics in _groups(fairness):
        if not count(n) or not isinstance(metrics, dict) or where == "fairness/overall":
            continue
        lacking = next((k for k in keys if k not in metrics), None)
        if lacking is not None:
            why = NO_CLASS_RECALL.format(where=where, key=lacking)
            raise AuditorInputError(why, source=source, field="fairness/positive_class")


def check_fairness_counts(data: dict[str, Any], *, source: str) -> None:
    """Raise :class:`AuditorInputError` naming the first count of ``data`` (an audit read
    back from ``source``) that breaks what the module lists."""
    fairness = data.get("fairness")
    if not isinstance(fairness, dict) or fairness.get("status") != "ok":
        return
    for where, n, metrics in _groups(fairness):
        if count(n) is not None and isinstance(metrics, dict):
            _check_metrics(where, n, metrics, source)
    _check_per_class(fairness, source)
    _check_scores(fairness, source)
    config = data.get("config")
    own = config.get("fairness") if isinstance(config, dict) else None
    size = own.get("min_group_size") if isinstance(own, dict) else None
    check_fairness_previews(fairness, source=source, min_group_size=size)  # sweep, mitigation
    rows, features = count(fairness.get("n")), fairness.get("features")
    for name, feature in (features.items() if isinstance(features, dict) else ()):
        groups = feature.get("groups") if isinstance(feature, dict) else None
        sizes = [count(g.get("n")) for g in groups or () if isinstance(g, dict)]
        if rows is not None and isinstance(groups, list) and None not in sizes:
            if sum(sizes) != rows:  # type: ignore[arg-type]
                why = NOT_THE_ROWS.format(found=sum(sizes), n=rows)  # type: ignore[arg-type]
                raise AuditorInputError(why, source=source,
                                        field=f"fairness/features/{name}/groups")  # fmt: skip
