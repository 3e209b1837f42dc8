"""Shared encoding of a table into model inputs: standardised numerics, one-hot categories.

Scaling, imputation means and categories are fitted on the training rows only (pretrain +
finetune_train); what was done to which column is returned as a
:class:`~auditor.results.info.TablePreprocessing` record for ``audit.json`` and the card.

Members (``finetune_train``) and non-members (``holdout``) have the same size, as for the image
scenarios: :func:`equal_membership` trims the larger of the two when the fractions differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from auditor.data import DatasetBundle, Split, TaskInfo, split_indices
from auditor.errors import AuditorInputError
from auditor.results.info import ImputedColumn, OneHotColumn, TablePreprocessing
from auditor.seeding import Rngs

MISSING_LEVEL = "(missing)"
EQUAL_MEMBERSHIP = (
    "Members (finetune_train, {n} rows) and non-members (holdout, {n} rows) have equal size "
    "for the privacy probes."
)


@dataclass(frozen=True)
class InputSelection:
    """The caller's decisions about columns (see :class:`TablePreprocessing`)."""

    numeric: list[str]
    categorical: list[str]
    sensitive_as_features: bool
    dropped: list[str] = field(default_factory=list)
    sensitive_excluded: list[str] = field(default_factory=list)
    id_like_features: list[str] = field(default_factory=list)
    max_categories: int | None = None
    missing_group: str | None = None
    missing_sensitive: dict[str, int] = field(default_factory=dict)


# A column empty in every training row, or of one value in all of them, is an input of one
# constant there (after scaling: 0), fed other values elsewhere through a weight training never
# moved; a split decides it, so it is left out (a refusal would turn on the seed) and the data
# description says so. A rare value of a 0/1 column may miss a small training split: the model
# cannot have learned it either.
TRAINING_ROWS = "training rows (pretrain and finetune_train)"
UNTRAINED_COLUMN = (
    "Column {col!r} has no {finite}value in any of the {n:,} " + TRAINING_ROWS + ", only in "
    "{held:,} of the {others:,} rows evaluated: it is not a model input."
)
# Empty in every row trained or evaluated, its values only in rows no split draws: as a column
# empty everywhere (refused by table.NO_VALUES), an input of one imputed constant.
UNTRAINED_UNEVALUATED = (
    "Column {col!r} has no {finite}value in any of the {n:,} " + TRAINING_ROWS + " or of the "
    "{others:,} rows evaluated (only in rows no split draws): it is not a model input."
)
ONE_VALUE_COLUMN = (
    "Column {col!r} holds one value ({value}) in {where} and {elsewhere}: the model cannot "
    "learn from it (a rare value can miss a small training split), so it is not a model input."
)
IN_ALL = "all {n:,} " + TRAINING_ROWS
# A number missing or not finite (inf) in training is filled with the training mean: the one
# value again.
IN_THOSE_HOLDING = (
    "the {k:,} of the {n:,} " + TRAINING_ROWS + " that hold one (the other {empty:,} are {blank})"
)
ANOTHER = "another in {held:,} of the {others:,} rows evaluated"
# A text column's empty value is its own level: unseen in training, but no value to look for.
EMPTY = "is empty in {empty:,} of the {others:,} rows evaluated"
ANOTHER_OR_EMPTY = (
    "another in {held:,} of the {others:,} rows evaluated (and is empty in {empty:,} more)"
)
NO_TRAINED_INPUTS = (
    "no input column of {file} holds two values among the {n:,} " + TRAINING_ROWS + ": {cols}; "
    "name other columns in data.features"
)
EMPTY_IN_TRAINING = "{cols} ({blank} there: fill them)"  # _blank's word
ONE_IN_TRAINING = "{cols} (one value there)"


@dataclass(frozen=True)
class EncodedTable:
    """x: float32 (n, F); feature_names: F names; columns: the input columns of each
    source column (a numeric column maps to one input, a categorical one to its block)."""

    x: np.ndarray
    feature_names: list[str]
    columns: dict[str, tuple[int, ...]]
    imputed: list[ImputedColumn]
    one_hot: list[OneHotColumn]


def encode_table(
    frame: pd.DataFrame, *, numeric: list[str], categorical: list[str], fit_rows: np.ndarray
) -> EncodedTable:
    """Standardise ``numeric`` (missing -> training mean) and one-hot ``categorical``
    (missing -> its own level), fitted on ``fit_rows``."""
    blocks: list[np.ndarray] = []
    names: list[str] = []
    columns: dict[str, tuple[int, ...]] = {}
    imputed: list[ImputedColumn] = []
    one_hot: list[OneHotColumn] = []
    for col in numeric:
        values = pd.to_numeric(frame[col], errors="coerce").astype(float).to_numpy()
        fit = values[fit_rows]
        finite = np.isfinite(fit)
        mean = float(fit[finite].mean()) if finite.any() else 0.0
        std = float(fit[finite].std()) if finite.any() else 0.0
        missing = ~np.isfinite(values)
        if missing.any():
            imputed.append(ImputedColumn(column=col, n_missing=int(missing.sum()), fill_value=mean))
        values = np.where(missing, mean, values)
        columns[col] = (len(names),)
        blocks.append(((values - mean) / (std or 1.0))[:, None])
        names.append(col)
    for col in categorical:
        raw = frame[col]
        missing = raw.isna().to_numpy()
        values = raw.astype(str).to_numpy(dtype=object)
        values[missing] = MISSING_LEVEL
        categories = sorted(set(values[fit_rows]))
        lookup = {c: i for i, c in enumerate(categories)}
        codes = np.array([lookup.get(v, -1) for v in values], dtype=np.int64)
        onehot = np.zeros((len(frame), len(categories)), dtype=np.float32)
        seen = codes >= 0
        onehot[np.flatnonzero(seen), codes[seen]] = 1.0
        start = len(names)
        blocks.append(onehot)
        names.extend(f"{col}={c}" for c in categories)
        columns[col] = tuple(range(start, len(names)))
        one_hot.append(
            OneHotColumn(column=col, n_levels=len(categories), n_missing=int(missing.sum()),
                         n_unseen=int((~seen).sum()))
        )  # fmt: skip
    x = (
        np.concatenate(blocks, axis=1).astype(np.float32)
        if blocks
        else np.zeros((len(frame), 0), dtype=np.float32)
    )
    return EncodedTable(x=x, feature_names=names, columns=columns, imputed=imputed,
                        one_hot=one_hot)  # fmt: skip


def trained_inputs(
    frame: pd.DataFrame, inputs: InputSelection, *, drawn: dict[str, np.ndarray], seed: int,
    source: str,
) -> tuple[InputSelection, list[str]]:
    """``inputs`` without the columns of no value or one value in the training rows of the
    splits ``drawn`` (:func:`split_indices`'s, which :func:`table_bundle` is then given) (and
    another value elsewhere), and a sentence on each for the data description; refused where
    that leaves no input (naming the table ``source`` in the message, and no file:
    data.features is a key of the config file, which the caller names)."""
    idx = equal_membership(drawn, seed=seed)
    fit_rows = np.concatenate([idx["pretrain"], idx["finetune_train"]])
    # the rows evaluated: split_indices rounds each split down, and equal_membership trims
    # one, so some rows are in no split (neither trained nor evaluated)
    rest = np.concatenate([rows for name, rows in idx.items()
                           if name not in ("pretrain", "finetune_train")])  # fmt: skip
    n = len(fit_rows)
    untrained = {col: found for col in [*inputs.numeric, *inputs.categorical]
                 if (found := _untrained(frame[col], col in inputs.numeric, fit_rows,
                                         rest))}  # fmt: skip
    if len(untrained) == len(inputs.numeric) + len(inputs.categorical):
        raise AuditorInputError(_nothing_left(untrained, n=n, file=Path(source).name),
                                field="data.features")  # fmt: skip
    kept = replace(inputs, numeric=[c for c in inputs.numeric if c not in untrained],
                   categorical=[c for c in inputs.categorical if c not in untrained])
    return kept, [note for note, _ in untrained.values()]


def _nothing_left(untrained: dict[str, tuple[str, str]], *, n: int, file: str) -> str:
    """The refusal where every input is left out, its advice from each column's cause: an
    empty column (or one not finite: inf) can be filled; one of one value in full training
    rows cannot."""
    cols = [EMPTY_IN_TRAINING.format(cols=", ".join(names), blank=blank)
            for blank in ("empty", "empty or not finite")
            if (names := [c for c, (_, word) in untrained.items() if word == blank])]
    one = [c for c, (_, word) in untrained.items() if not word]
    cols += [ONE_IN_TRAINING.format(cols=", ".join(one))] if one else []
    return NO_TRAINED_INPUTS.format(file=file, n=n, cols="; ".join(cols))


def _exact(x: float) -> str:
    """A number as the file can write it: a whole number without '.0', else the shortest
    text that reads back as ``x`` (``:g`` wrote 1234567 as 1.23457e+06)."""
    return str(int(x)) if x.is_integer() and abs(x) < 1e16 else repr(x)


def _untrained(column: pd.Series, numeric: bool, fit_rows: np.ndarray,
               rest: np.ndarray) -> tuple[str, str] | None:
    """The data description's sentence where ``column`` is one constant over ``fit_rows``
    (its training rows) as :func:`encode_table` encodes it (a number not finite is the
    training mean, a missing text value its own level) and another value in some of the
    ``rest`` (the rows evaluated), or empty in every training row (whatever the rows evaluated
    hold), and whether it is that empty (:func:`_blank`'s word, else ""); None where training
    saw it vary, or saw one value and
    the rows evaluated hold nothing else."""
    n, others = len(fit_rows), len(rest)
    if numeric:
        values = pd.to_numeric(column, errors="coerce").astype(float).to_numpy()
        held = np.isfinite(values)
        seen = np.unique(values[fit_rows][held[fit_rows]])
        empty, value = len(seen) == 0, _exact(float(seen[0])) if len(seen) else ""
        other = held & (values != seen[0]) if len(seen) else held
    else:
        held = column.notna().to_numpy()
        values = np.where(held, column.astype(str).to_numpy(dtype=object), MISSING_LEVEL)
        seen = np.unique(values[fit_rows])
        empty, value = not held[fit_rows].any(), repr(str(seen[0]))
        other = held if empty else values != seen[0]
    k = int(held[fit_rows].sum()) if numeric else n  # a missing text value is a level
    held, other = held[rest], other[rest]
    if empty:  # a constant wherever it is used, whether or not the rows evaluated hold values
        template = UNTRAINED_COLUMN if held.any() else UNTRAINED_UNEVALUATED
        blank = _blank(values[fit_rows]) if numeric else "empty"  # inf is no value to train on
        finite = "finite " if blank != "empty" else ""
        return template.format(col=column.name, n=n, held=int(held.sum()), others=others,
                               finite=finite), blank  # fmt: skip
    if len(seen) > 1 or not other.any():
        return None
    where = IN_ALL.format(n=n) if k == n else IN_THOSE_HOLDING.format(
        k=k, n=n, empty=n - k, blank=_blank(values[fit_rows]))
    valued, blank = int((other & held).sum()), int((other & ~held).sum())
    elsewhere = (ANOTHER if not blank else EMPTY if not valued else ANOTHER_OR_EMPTY).format(
        held=valued, empty=blank, others=others)
    return ONE_VALUE_COLUMN.format(col=column.name, value=value, where=where,
                                   elsewhere=elsewhere), ""  # fmt: skip


def _blank(training: np.ndarray) -> str:
    """What a number's training rows (``training``: their values, parsed as :func:`_untrained`
    parses them) that hold none hold: empty cells, or (inf, -inf) a number not finite as
    well, which the user would not find by looking for empty cells."""
    return "empty or not finite" if np.isinf(training).any() else "empty"


def equal_membership(idx: dict[str, np.ndarray], *, seed: int) -> dict[str, np.ndarray]:
    """``idx`` with ``finetune_train`` and ``holdout`` of equal size: the larger keeps a random
    subset (stream ``data/split/membership``) as large as the smaller. An empty holdout (no
    privacy probes) is left as it is."""
    members, holdout = idx["finetune_train"], idx["holdout"]
    if len(holdout) == 0 or len(members) == len(holdout):
        return idx
    n = min(len(members), len(holdout))
    name = "finetune_train" if len(members) > n else "holdout"
    rng = Rngs(seed).numpy("data/split/membership")
    kept = np.sort(rng.choice(idx[name], size=n, replace=False)).astype(np.int64)
    return {**idx, name: kept}


def table_bundle(
    *,
    name: str,
    frame: pd.DataFrame,
    y: np.ndarray,
    task: TaskInfo,
    sensitive: pd.DataFrame,
    inputs: InputSelection,
    fractions: dict[str, float],
    seed: int,
    sensitive_input_columns: dict[str, list[str]],
    description: str,
    citation: str,
    license: str,
    source_files: dict[str, str],
    row_file: str | None = None,
    drawn: dict[str, np.ndarray] | None = None,
) -> DatasetBundle:
    """``sensitive_input_columns`` maps each sensitive feature to the source columns that
    carry it into the model (dropped here when they are not inputs); ``row_file``: the file
    whose data rows ``frame``'s rows are, in order (None: rows pooled or filtered); ``drawn``:
    :func:`split_indices` of ``y``, ``fractions`` and ``seed`` where the caller drew it."""
    drawn = split_indices(y, fractions, seed=seed) if drawn is None else drawn
    idx = equal_membership(drawn, seed=seed)
    fit_rows = np.concatenate([idx["pretrain"], idx["finetune_train"]])
    enc = encode_table(
        frame, numeric=inputs.numeric, categorical=inputs.categorical, fit_rows=fit_rows
    )
    splits = {
        split_name: Split(
            name=split_name,
            x=np.ascontiguousarray(enc.x[rows]),
            y=y[rows].astype(np.int64),
            y_pretrain=y[rows].astype(np.int64),
            sensitive=sensitive.iloc[rows].reset_index(drop=True).astype(str),
            ids=rows.astype(np.int64),
        )
        for split_name, rows in idx.items()
    }
    if len(idx["holdout"]):
        description = f"{description} {EQUAL_MEMBERSHIP.format(n=len(idx['holdout']))}"
    carried = {
        feat: tuple(i for col in cols if col in enc.columns for i in enc.columns[col])
        for feat, cols in sensitive_input_columns.items()
    }
    return DatasetBundle(
        name=name,
        modality="table",
        splits=splits,
        finetune_task=task,
        pretrain_task=task,
        sensitive_features=tuple(sensitive.columns),
        sensitive_kinds={c: "demographic" for c in sensitive.columns},
        input_shape=(enc.x.shape[1],),
        feature_names=tuple(enc.feature_names),
        sensitive_input_columns={k: v for k, v in carried.items() if v},
        description=description,
        citation=citation,
        license=license,
        source_files=source_files,
        preprocessing=_record(inputs, enc, frame),
        row_files=((row_file, 0),) if row_file else (),
        drawn={split: len(drawn[split]) for split in ("finetune_train", "holdout")},
    )


def _record(inputs: InputSelection, enc: EncodedTable, frame: pd.DataFrame) -> TablePreprocessing:
    features = [c for c in frame.columns if c in enc.columns]
    return TablePreprocessing(
        features=features,
        dropped=list(inputs.dropped),
        sensitive_as_features=inputs.sensitive_as_features,
        sensitive_excluded=list(inputs.sensitive_excluded),
        id_like_features=list(inputs.id_like_features),
        numeric=list(inputs.numeric),
        imputed=enc.imputed,
        one_hot=enc.one_hot,
        max_categories=inputs.max_categories,
        missing_group=inputs.missing_group,
        missing_sensitive=dict(inputs.missing_sensitive),
    )
