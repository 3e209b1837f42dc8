"""What a reader of a predictions audit should know about the file's groups, beside the
numbers: rows with no sensitive value audited as the group '(missing)' (with their count),
groups whose labels differ only in case ('Male', 'male'), which are separate groups, a column
of many numbers (age in years) audited one group per number, and a predicted class that no
true label holds. Written into the card's data section and printed by
``auditor audit``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from auditor.config.labels import alike_notes, alike_sets, first_classes, is_no_value_mark
from auditor.data.number_groups import number_note
from auditor.data.spelling import merged_notes
from auditor.errors import rows_text
from auditor.predictions.confidence import flipped_note
from auditor.predictions.read import PredictionCounts
from auditor.predictions.spelling import number_notes
from auditor.predictions.totals import totals_notes

MAX_ALIKE = 3  # sets of groups differing only in case (marks for no value) named per feature
MARK_GROUP = (
    "{is_} written as {mark} for no value: {each} audited as a group of its own; an empty "
    "cell is a missing value (refused, or the group '(missing)' with --missing-group)."
)


def group_sizes(pc: PredictionCounts) -> dict[str, dict[str, int]]:
    """Per sensitive feature, its groups' row counts."""
    table = pc.table
    sizes = {}
    for feature in table.features:
        labels, counts = table.marginal([feature])
        sizes[feature] = {lab[0]: int(c.sum()) for lab, c in zip(labels, counts, strict=True)}
    return sizes


def input_notes(sizes: dict[str, dict[str, int]], missing_group: str | None) -> list[str]:
    """What a reader of the card should know about the groups as the file wrote them: rows
    with no value audited as ``missing_group`` (with their count), and labels that differ
    only in case ('Male', 'male'), which are separate groups (surrounding spaces are not part
    of a label: ' Male' is 'Male'), and groups written as a mark for no value
    (:data:`~auditor.config.labels.NO_VALUE_MARKS`: '-', '.', as a spreadsheet or SQL client
    writes one, audited as a group), and more than 50 numbers audited one group each (age in
    years: :func:`~auditor.data.number_groups.number_note`, with the way to bands). Each list
    is cut at :data:`MAX_ALIKE`, then "N more"."""
    notes = []
    for feature, groups in sizes.items():
        n = groups.get(missing_group, 0) if missing_group is not None else 0
        if n:
            rows = f"{n:,} rows with no value are" if n > 1 else "1 row with no value is"
            notes.append(f"{feature}: {rows} audited as the group {missing_group!r}.")
        alike = [", ".join(f"{lab!r} ({rows_text(groups[lab])})" for lab in labels)
                 for labels in alike_sets(list(groups), key=str.lower)]  # fmt: skip
        if alike:
            notes.append(f"{feature}: {first_classes(alike, sep='; ', shown=MAX_ALIKE)} differ "
                         "only in case and are audited as separate groups.")  # fmt: skip
        marks = [f"{lab!r} ({rows_text(groups[lab])})" for lab in groups
                 if lab != missing_group and is_no_value_mark(lab)]  # fmt: skip
        if marks:
            one = len(marks) == 1
            said = MARK_GROUP.format(is_="is" if one else "are", mark="a mark" if one else "marks",
                                     each="it is" if one else "each")  # fmt: skip
            notes.append(f"{feature}: group{'' if one else 's'} "
                         f"{first_classes(marks, shown=MAX_ALIKE)} {said}")  # fmt: skip
        numbers = number_note(feature, groups, missing=missing_group)
        if numbers is not None:
            notes.append(numbers)
        notes += number_notes({feature: groups})
    return notes


def class_notes(balance: dict[str, int], y_true: str) -> list[str]:
    """A multi-class file: each class audited against the rest, with its true rows, the
    fewest first (a stray label, '2' in one row of a 0/1 column, turns a binary audit
    multi-class: its count shows it); a class the model predicts that the true labels never
    hold (a binary file's is refused): a class of its own, with no true rows."""
    names = list(balance)
    notes = []
    if len(names) > 2:  # the fewest rows first: a stray one-row class is never left out
        fewest = sorted(names, key=lambda name: balance[name])
        shown = first_classes([f"@{name}" for name in fewest])
        held = first_classes([f"{name!r} in {rows_text(balance[name])}" for name in fewest
                              if balance[name]])  # fmt: skip
        notes.append(f"{len(names)} classes: a multi-class audit, each class against the rest "
                     f"(its rates marked {shown}); there is no single positive class, "
                     f"and no score metrics. {y_true} holds {held}.")  # fmt: skip
    notes += alike_notes(y_true, balance)
    never = [name for name, n in balance.items() if n == 0]
    return notes + [f"class {name!r} is predicted but never occurs in {y_true}; it is audited "
                    "as a class of its own with no true rows." for name in never]  # fmt: skip


HARD_SCORES = (
    "y_score is 0 or 1 in each of its {n}: a predicted class, not a probability? ROC AUC is "
    "then a hard prediction's (y_pred's balanced accuracy where the two agree) and log loss "
    "counts each wrong row as a certain mistake; give P({positive}) for the score metrics."
)


def certain_scores(bins: Sequence[tuple[int, float | None]]) -> bool:
    """Every scored row's top-label confidence is 1, so each score is 0 or 1 (a predicted
    class given as y_score): ``bins`` the reliability bins' (rows, mean confidence)."""
    filled = [confidence for n, confidence in bins if n]
    return bool(filled) and all(confidence == 1.0 for confidence in filled)


def score_notes(roc_auc: float | None, class_names: Sequence[str], positive: str | None, *,
                hard_rows: int = 0) -> list[str]:  # fmt: skip
    """A score of only 0 and 1 (``hard_rows`` rows scored so, :func:`certain_scores`): its
    metrics are a hard prediction's, not a probability's. A ROC AUC below 0.5 (y_score ranks
    the other class first): said beside the number, which may be the other class's
    probability read as the positive class's (one far below 0.5 while y_pred is better than
    chance is refused by the reader)."""
    if roc_auc is None or positive is None or len(class_names) != 2:
        return []
    notes = [HARD_SCORES.format(n=rows_text(hard_rows), positive=positive)] if hard_rows else []
    if not roc_auc < 0.5:
        return notes
    other = next(name for name in class_names if name != positive)
    return [*notes, f"ROC AUC {roc_auc:.3f} is below 0.5: y_score ranks class {other!r} above "
            f"the positive class {positive!r} more often than not; if y_score is P({other}), "
            f"give P({positive}) (1 - y_score)."]  # fmt: skip


def file_notes(balance: dict[str, int], y_true: str, *, roc_auc: float | None,
               positive: str | None, sizes: dict[str, dict[str, int]],
               missing_group: str | None, merged: dict[str, dict[str, list[str]]] | None = None,
               bins: Sequence[tuple[int, float | None]] = (),
               predicted: tuple[str, dict[str, int]] | None = None,
               flipped: dict[str, float] | None = None) -> list[str]:  # fmt: skip
    """Every note, in the order the card and the terminal give them: the classes
    (:func:`class_notes`, ``balance`` each class's true rows; a label that may be a totals
    row, :func:`~auditor.predictions.totals.totals_notes`), the score (:func:`score_notes`;
    ``bins`` its reliability bins' (rows, mean confidence); ``flipped`` its flipped reading's
    AUCs, :func:`~auditor.predictions.confidence.flipped_note`), the groups (:func:`input_notes`,
    ``sizes`` as :func:`group_sizes` gives them) and the labels merged (:func:`merged_notes`,
    with each label's rows: ``balance`` for y_true's, ``predicted`` y_pred's name and each
    class's predicted rows)."""
    hard = sum(n for n, _ in bins) if certain_scores(bins) else 0
    totals = [(y_true, balance), *([predicted] if predicted else [])]
    neg = [name for name in balance if name != positive]
    flip = flipped_note(flipped, y_true=y_true, y_pred=predicted[0], pos=positive,
                        neg=neg[0]) if flipped and predicted and positive and neg else []
    return [*class_notes(balance, y_true), *totals_notes(totals),
            *score_notes(roc_auc, list(balance), positive, hard_rows=hard), *flip,
            *input_notes(sizes, missing_group),
            *merged_notes(merged, sizes={**sizes, **dict([predicted] if predicted else []),
                                         y_true: balance})]  # fmt: skip


def record_notes(data: dict[str, Any], sensitive: Sequence[str],
                 missing_group: str | None) -> list[str]:  # fmt: skip
    """:func:`file_notes` from an ``audit.json`` (for the terminal)."""
    fairness = data["fairness"]
    features = fairness.get("features", {}) if fairness["status"] == "ok" else {}
    sizes = {f: {g["group"]: g["n"] for g in features[f]["groups"]} for f in sensitive
             if f in features}  # fmt: skip
    test = data["data"]["splits"]["test"]
    performance = data["performance"]["finetuned"]["test"]
    auc = performance.get("roc_auc")
    bins = [(b["n"], b["mean_confidence"]) for b in performance.get("reliability") or []]
    positive = fairness.get("positive_class") if fairness["status"] == "ok" else None
    merged = fairness.get("source", {}).get("merged_labels") if features else None
    flipped = fairness.get("source", {}).get("score_flipped") if features else None
    y_pred = fairness.get("source", {}).get("columns", {}).get("y_pred") if features else None
    cm = performance.get("confusion_matrix")
    predicted = (y_pred, dict(zip(performance["class_names"], np.sum(cm, axis=0).tolist(),
                                  strict=True))) if y_pred and cm else None  # fmt: skip
    return file_notes(test["class_balance"], data["data"]["finetune_task"]["name"],
                      roc_auc=auc, positive=positive, sizes=sizes,
                      missing_group=missing_group, merged=merged, bins=bins,
                      predicted=predicted, flipped=flipped)  # fmt: skip
