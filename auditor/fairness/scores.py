"""Per-group score metrics (ROC AUC, log loss, ECE) with intervals, for a binary score.

Rows are reduced to :class:`~auditor.results.scores.ClassScoreSums` per joint cell (one
value of every sensitive feature) and true class; a group of a feature or an intersection
merges the cells it is made of. The same sums serve a streamed predictions file (added batch
by batch) and a trained model's in-memory predictions. Definitions and intervals:
:mod:`auditor.results.scores`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from auditor.fairness.engine import BELOW_MIN, Estimate, spec_name
from auditor.fairness.score_axis import (
    CellSums,
    Parts,
    ScoreAxis,
    add_part,
    count_keys,
    part_keys,
    part_of,
    shared,
    trailing_zeros,
    workers_for,
)
from auditor.results.score_intervals import log_loss_missing
from auditor.results.scores import (
    NO_SCORES,
    SCORE_INTERVALS,
    ClassScoreSums,
    ScoreMetrics,
    auc_interval,
    distinct_counts,
    ece_interval,
    log_loss_interval,
    merged,
    score_metrics,
    sums_by_code,
)

__all__ = ["CellSums", "GroupScores", "ScoreAxis", "ScoresByGroup", "add_cells", "merge_all",
           "overall_scores", "scores_by_group"]  # fmt: skip
ONE_CLASS = "the group holds one true class only"
NO_ROWS = "the group has no rows"


@dataclass(frozen=True)
class GroupScores:
    """One group's score metrics; ``status`` as the group's in the fairness table."""

    group: str
    n: int
    status: Literal["ok", "insufficient_data"]
    roc_auc: Estimate
    log_loss: Estimate
    ece: Estimate
    reason: str | None = None


@dataclass(frozen=True)
class ScoresByGroup:
    """Per feature (and intersection), each group's ROC AUC, log loss and ECE of the score
    of ``positive_class``, with intervals (``method`` says how)."""

    positive_class: str
    method: str
    features: dict[str, list[GroupScores]]
    status: Literal["ok"] = "ok"


def add_cells(
    cells: CellSums, score: np.ndarray, y: np.ndarray, groups: Sequence[np.ndarray]
) -> None:
    """Add rows to ``cells``. score: (n,) P(positive); y: (n,) true class values; groups:
    one (n,) array per sensitive feature (labels compared as text)."""
    if len(score) == 0:
        return
    codes, labels = [], []
    for g in groups:
        u, c = np.unique(np.asarray(g).astype(str), return_inverse=True)
        codes.append(c.reshape(-1))
        labels.append([str(x) for x in u])
    y_values, y_codes = np.unique(np.asarray(y), return_inverse=True)
    values = [v.item() if hasattr(v, "item") else v for v in y_values]
    add_cell_codes(cells, score, codes, labels, y_codes.reshape(-1), values)


def add_cell_codes(
    cells: CellSums,
    score: np.ndarray,
    codes: Sequence[np.ndarray],
    labels: Sequence[Sequence[str]],
    y_codes: np.ndarray,
    y_values: Sequence[Any],
    *,
    sort: bool = True,
) -> None:
    """Add rows given as codes: ``codes[i]`` (n,) indexes ``labels[i]`` (feature i's group
    labels); ``y_codes`` (n,) indexes ``y_values`` (the true class values). With
    ``sort=False`` the cells' scores may be left unsorted and repeated (``sums_by_code``'s
    ``sort``): such cells (a batch's) are only for :func:`merge_all`, which sorts every
    cell's scores once; nothing else may read them."""
    key, shape = part_keys(codes, labels, y_codes, y_values)
    score = np.asarray(score, np.float64)
    for k, sums in sums_by_code(score, key, math.prod(shape), sort=sort).items():
        add_part(cells, *part_of(k, shape, labels, y_values), sums)


def merge_all(parts: list[CellSums]) -> CellSums:
    """The cells of every part (batches, partitions) added up: one sort per cell and class,
    where merging part by part would sort the growing sums once per part; the cells and
    classes are merged on every free core (numpy's sorts release the GIL). ``parts`` is
    emptied, so each part's arrays are freed once merged."""
    lists: dict[tuple[str, ...], dict[Any, list[ClassScoreSums]]] = {}
    parts.reverse()  # popped in file order
    while parts:
        for cell, by_class in parts.pop().items():
            for value, sums in by_class.items():
                lists.setdefault(cell, {}).setdefault(value, []).append(sums)
    out: CellSums = {cell: dict.fromkeys(by_class) for cell, by_class in lists.items()}

    def merge(job: tuple[tuple[str, ...], Any], _worker: int) -> None:
        cell, value = job
        out[cell][value] = _merged(lists[cell].pop(value))  # its parts' arrays freed

    jobs = [(cell, value) for cell, by_class in lists.items() for value in by_class]
    rows = sum(p.n for by_class in lists.values() for ps in by_class.values() for p in ps)
    shared(jobs, merge, workers=workers_for(rows))
    return out


def _merged(parts: list[ClassScoreSums]) -> ClassScoreSums:
    """``merged(parts)``, the distinct scores merged by one sort of uint64 keys (the score's
    float64 bits, the count in the bits they leave) where the scores are in [0, 1] and the
    counts fit; else by ``merged``'s sort of the floats carrying their counts (slower). A
    part's scores may be unsorted, each counted once (``add_cell_codes`` with ``sort=False``):
    every path below sorts them."""
    pieces = [p for p in parts if len(p.values)]
    ones = all(int(p.counts.max()) == 1 for p in pieces)
    if len(pieces) == 1 and ones and not _increasing(pieces[0].values):
        return _sorted_floats(parts, pieces)  # one batch's unsorted scores
    # the least and largest score: a sorted part's ends, an unsorted part's p_min and p_max
    if len(pieces) < 2 or not all(min(p.values[0], p.p_min) >= 0 and max(p.values[-1], p.p_max)
                                  <= 1 for p in pieces):  # fmt: skip
        return merged(parts)
    if ones:  # each score once a piece: sort floats
        return _sorted_floats(parts, pieces)
    tz = trailing_zeros(pieces)
    cb = 2 + tz  # 62 - tz bits of score, then the count's
    if max(int(p.counts.max()) for p in pieces) > 1 << cb:
        return merged(parts)
    keys = np.concatenate([count_keys(p, tz, cb) for p in pieces])
    keys.sort()  # plain keys, so no stability needed: numpy's vectorised sort
    out = merged([replace(p, **_NO_VALUES) for p in parts])
    score = keys >> np.uint64(cb)
    starts = np.flatnonzero(np.concatenate([[True], score[1:] != score[:-1]]))
    keys &= np.uint64((1 << cb) - 1)
    counts = keys.astype(np.int64)
    counts += 1
    out.counts = np.add.reduceat(counts, starts)
    out.values = (score[starts] << np.uint64(tz)).view(np.float64)
    return out


def _increasing(values: np.ndarray) -> bool:
    """Whether ``values`` are sorted, no two equal."""
    return bool((values[1:] > values[:-1]).all())


def _sorted_floats(parts: list[ClassScoreSums], pieces: list[ClassScoreSums]) -> ClassScoreSums:
    """``merged(parts)`` where each of ``pieces`` (the parts with scores) counts every score
    of its own once: one sort of their scores."""
    out = merged([replace(p, **_NO_VALUES) for p in parts])
    values = np.concatenate([p.values for p in pieces])
    values += 0.0  # -0.0 -> 0.0, as the keys below make it
    values.sort()
    out.values, out.counts = distinct_counts(values)
    return out


_NO_VALUES = dict(zip(("values", "counts"), NO_SCORES, strict=True))  # the sums only


_FLOATS = ("log_p", "log_p2", "log_1mp", "log_1mp2", "p", "p2")


def _group_sums(cells: CellSums, groups: Sequence[Parts]) -> list[ClassScoreSums]:
    """The running sums of each group's parts, without their distinct scores (not needed but
    for the AUC, which :class:`ScoreAxis` counts), every group at once: each part's sums are
    a row of arrays, and the k-th part of every group that has one is added in one step, so
    each group's sums are added in its parts' order, as :func:`merged` adds them (the same
    floats); one merge per group was 0.5 s of the scores of a 1,000-group audit (0.16 s)."""
    if not groups:
        return []
    keys = [(c, v) for c, by_class in cells.items() for v in by_class]
    row = {k: i for i, k in enumerate(keys)}
    parts = [cells[c][v] for c, v in keys]
    table = {
        "n": np.array([p.n for p in parts], np.int64),
        "floats": np.array([[getattr(p, f) for f in _FLOATS] for p in parts]).reshape(-1, 6),
        **{f: np.array([getattr(p, f) for p in parts]).reshape(len(parts), -1)
           for f in ("bin_n", "bin_conf", "bin_above")},
    }  # fmt: skip
    least = np.array([p.p_min for p in parts])
    most = np.array([p.p_max for p in parts])
    order = sorted(range(len(groups)), key=lambda g: -len(groups[g]))  # longest first
    acc = {k: np.zeros((len(groups), *v.shape[1:]), v.dtype) for k, v in table.items()}
    low, high = np.full(len(groups), math.inf), np.full(len(groups), -math.inf)
    lengths, have = [len(groups[g]) for g in order], len(order)
    for j in range(lengths[0]):
        while lengths[have - 1] <= j:
            have -= 1  # the groups with a j-th part are the first ``have`` of ``order``
        at = np.array([row[groups[g][j]] for g in order[:have]], np.intp)
        for k, v in table.items():
            acc[k][: len(at)] += v[at]
        np.minimum(low[: len(at)], least[at], out=low[: len(at)])
        np.maximum(high[: len(at)], most[at], out=high[: len(at)])
    out: list[ClassScoreSums] = [ClassScoreSums()] * len(groups)
    rows = zip(order, acc["n"].tolist(), acc["floats"].tolist(), low.tolist(), high.tolist(),
               acc["bin_n"], acc["bin_conf"], acc["bin_above"], strict=True)  # fmt: skip
    for g, n, (lp, lp2, l1, l12, p, p2), least_p, most_p, bin_n, bin_conf, bin_above in rows:
        out[g] = ClassScoreSums(n, lp, lp2, l1, l12, p, p2, least_p, most_p, bin_n, bin_conf,
                                bin_above, *NO_SCORES)  # fmt: skip
    return out


def _classes(cells: CellSums, members: list[tuple[str, ...]], positive: Any) -> tuple[Parts, Parts]:
    """The (cell, class) parts of the cells ``members``: the positive class's, the others'."""
    pos = [(c, v) for c in members for v in cells[c] if v == positive]
    neg = [(c, v) for c in members for v in cells[c] if v != positive]
    return pos, neg


def overall_scores(cells: CellSums, positive: Any, axis: ScoreAxis | None = None) -> ScoreMetrics:
    """The score metrics of every row in ``cells``."""
    pos, neg = _classes(cells, sorted(cells), positive)  # summed in one order, any engine
    metrics = score_metrics(*_group_sums(cells, [pos, neg]))  # its AUC: of no scores
    return replace(metrics, roc_auc=(axis or ScoreAxis(cells)).auc(cells, pos, neg))


def _estimates(m: ScoreMetrics, *, level: float) -> dict[str, Estimate]:
    if m.n == 0:
        return {k: Estimate(math.nan, math.nan, math.nan, 0, NO_ROWS)
                for k in ("roc_auc", "log_loss", "ece")}  # fmt: skip
    auc_lo, auc_hi = auc_interval(m.roc_auc, m.n_positive, m.n_negative, level=level, var=m.auc_var)
    ll_lo, ll_hi = log_loss_interval(m.log_loss, m.class_losses, level=level)
    ece_lo, ece_hi = ece_interval(m.ece, m.reliability, level=level)
    auc_reason = ONE_CLASS if math.isnan(m.roc_auc) else None
    ll_reason = log_loss_missing(m.class_losses) if math.isnan(ll_lo) else None
    return {
        "roc_auc": Estimate(m.roc_auc, auc_lo, auc_hi, m.n, auc_reason),
        "log_loss": Estimate(m.log_loss, ll_lo, ll_hi, m.n, ll_reason),
        "ece": Estimate(m.ece, ece_lo, ece_hi, m.n),
    }


def scores_by_group(
    cells: CellSums,
    *,
    features: Sequence[str],
    specs: Sequence[Sequence[str]],
    positive: Any,
    positive_name: str,
    min_group_size: int,
    level: float,
    score_axis: ScoreAxis | None = None,
) -> ScoresByGroup:
    """Every spec's groups (those with rows, sorted by label) and their score metrics.
    ``features``: the sensitive features in the order of the cells' labels; ``score_axis``:
    the cells' :class:`ScoreAxis` when the caller has it."""
    score_axis = score_axis or ScoreAxis(cells)
    groups: list[tuple[str, tuple[str, ...], Parts, Parts]] = []  # spec, label, parts
    for spec in specs:
        axes = [list(features).index(f) for f in spec]
        members: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        for cell in cells:
            members.setdefault(tuple(cell[a] for a in axes), []).append(cell)
        groups += [(spec_name(spec), label, *_classes(cells, members[label], positive))
                   for label in sorted(members)]  # fmt: skip
    aucs = score_axis.aucs(cells, [(pos, neg) for _, _, pos, neg in groups])
    sums = _group_sums(cells, [parts for _, _, *both in groups for parts in both])
    out: dict[str, list[GroupScores]] = {spec_name(spec): [] for spec in specs}
    for i, ((name, label, _, _), auc) in enumerate(zip(groups, aucs, strict=True)):
        m = replace(score_metrics(sums[2 * i], sums[2 * i + 1]), roc_auc=auc)
        ok = m.n >= min_group_size
        out[name].append(GroupScores(
            group=spec_name(label), n=m.n, status="ok" if ok else "insufficient_data",
            **_estimates(m, level=level),
            reason=None if ok else BELOW_MIN.format(n=m.n, min=min_group_size),
        ))  # fmt: skip
    return ScoresByGroup(positive_class=positive_name, method=SCORE_INTERVALS, features=out)
