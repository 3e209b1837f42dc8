"""The rows of a model trained elsewhere (a supplied model): evaluation rows, and for the
privacy probes its members (its training rows) and non-members (same distribution, never
trained on), each in its own CSV / Parquet file with the same columns.

The model receives its input columns as they are: an :class:`InputCodec` turns them into
one matrix for auditor's checks (float32 for a PyTorch module; float64 for an estimator, its
numbers as read) and back into the frame the model was fitted on (:meth:`InputCodec.decode`),
so shuffling a column or hashing a row works the same for every model. Splits in the bundle:
``test`` = evaluation rows, ``finetune_train`` = members, ``holdout`` = non-members;
``pretrain`` and ``val`` are empty (auditor trained nothing). A row's source id is its
position in the files read one after another (evaluation rows, then members, then
non-members), so ids never collide across files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from auditor.config import TableData
from auditor.data import DatasetBundle, Split, TaskInfo
from auditor.data._labels import first_alike
from auditor.data.codec import (  # noqa: F401 - the codec's names are this module's too
    DROP_IT,
    NO_COLUMN,
    NOT_NUMERIC,
    TEXT_IN_NUMBERS,
    InputCodec,
    build_codec,
)
from auditor.data.groups import (
    first_unnamed,
    number_notes,
    one_spelling,
    positive_last,
    refuse_missing_target,
    spelled_indices,
    target_classes,
)
from auditor.data.overlap import check_not_members
from auditor.data.spelling import canonical, canonical_values, merged_notes
from auditor.data.table import (
    NO_ROWS,
    TARGET_AS_SENSITIVE,
    ReadColumns,
    is_id_like,
    read_table,
    sensitive_groups,
)
from auditor.errors import AuditorInputError, data_row, rows_text
from auditor.provenance import sha256_file

UNKNOWN_LABEL = "target value {label!r} is not one of the model's classes ({known})"
NOT_IN_TARGET = (
    "{label!r} is not a value of the target column {col!r} in any file (it holds: {have}); "
    "model.classes names the class of each output of the module, in output order"
)
NOT_A_CLASS = "positive_label {label!r} is not one of the model's classes ({known})"
ALIKE_CLASSES = (
    "the model's classes {a!r} and {b!r} read as one label (they differ only in spaces, "
    "invisible characters or Unicode form): the rows could not tell them apart"
)
ONE_CLASS = "the target column {col!r} has a single class in every file"
NO_FEATURES = "no input columns left (data.features, or the columns besides target and sensitive)"
ID_INPUT = (
    "column {col!r} has a distinct value in every one of the {n} rows of {files} (an ID?); "
    + DROP_IT + ", or name it in data.features to use it as a model input"
)
MISSING_INPUT = (
    "column {col!r} has a missing value in {rows} (first at {row}); a PyTorch module receives "
    "its inputs as they are in the file (nothing is imputed), so it would be handed NaN: fill "
    "them before saving the rows, or supply a model that handles them (e.g. a scikit-learn "
    "pipeline with an imputer)"
)
# Where the files sit in the bundle.
ROLES = {"test": "path", "finetune_train": "members", "holdout": "non_members"}
EMPTY_SPLITS = ("pretrain", "val")
# The groups validation made of each file it read (with its frame and group settings), handed
# to the loader (read_frame hands it the same frame): a run's files, at most one each.
_GROUPS: list[tuple[pd.DataFrame, tuple[Any, ...], pd.DataFrame]] = []


@dataclass(frozen=True)
class SuppliedRows:
    """The bundle of a supplied model's rows and the codec of its inputs."""

    bundle: DatasetBundle
    codec: InputCodec
    # The classes as the model knows them (an estimator's classes_, else the target's values),
    # in the audit's order: the positive class last.
    labels: tuple[Any, ...]
    # The model's output column of each of ``labels`` (its classes_ order may differ).
    outputs: tuple[int, ...] = ()


@dataclass(frozen=True)
class ValidatedRows:
    """What :func:`validate_supplied` found: a ``module``'s classes as the audit names them
    (None for an estimator: its own ``classes_``, known once loaded), and the evaluation
    rows' groups (one text column per sensitive feature) for preflight's group counts."""

    classes: tuple[str, ...] | None
    groups: pd.DataFrame


def _input_columns(
    config: TableData, frames: dict[str, pd.DataFrame], given: Sequence[str] | None
) -> list[str]:
    """The model's own input names (``given``), else ``data.features``, else every column of
    the evaluation rows but the target, ``data.drop`` and the sensitive ones: of those, an ID
    (a distinct value in every row of every file, :func:`~auditor.data.table.is_id_like`) is
    refused, as a table's is."""
    frame = frames["path"]
    if given is not None:
        columns = list(given)
    elif config.features is not None:
        columns = list(config.features)
    else:
        skip = {config.target, *config.drop}
        if not config.sensitive_as_features:
            skip |= set(config.sensitive)
        columns = [c for c in frame.columns if c not in skip]
        _refuse_ids(config, frames, columns)
    if not columns:
        raise AuditorInputError(NO_FEATURES, source=str(config.path), field="data.features")
    return columns


def _refuse_ids(config: TableData, frames: dict[str, pd.DataFrame], columns: list[str]) -> None:
    for col in columns:
        if not all(col in f.columns for f in frames.values()):
            continue  # refused by the codec, naming the file without it
        values = pd.concat([f[col] for f in frames.values()], ignore_index=True)
        if is_id_like(values):
            files = ", ".join(_source(config, key) for key in frames)
            message = ID_INPUT.format(col=col, n=len(values), files=files)
            raise AuditorInputError(message, source=str(config.path), field="data.features")


def _labels(
    targets: dict[str, pd.Series], config: TableData, known: Sequence[Any] | None
) -> tuple[tuple[Any, ...], tuple[int, ...]]:
    """The classes in the audit's order, ``positive_label`` (when given) last, and the model's
    output column of each: the model's own classes (``known``, e.g. an estimator's
    ``classes_``, whose order is its output order), else the target's values (each file's,
    in one spelling: :func:`_check_rows`) with their own output columns (a module's
    outputs are ordered by :func:`auditor.models.columns.sorted_columns`)."""
    src = str(config.path)
    if known is None:  # the target's values: a module's outputs are in the audit's order
        target = pd.concat(list(targets.values()))
        labels = target_classes(target, config, src=src, single=ONE_CLASS)
        return tuple(labels), tuple(range(len(labels)))
    labels = list(known)
    _refuse_alike(labels, src=src)
    # positive_label against the model's classes: the config's word (or the argument's), no
    # data file's, so no file is named here (a run's config file is named by its caller)
    order = positive_last(labels, config.positive_label, whose="the model", src=None,
                          unknown=NOT_A_CLASS.format(label=config.positive_label,
                                                     known=", ".join(map(str, known))))  # fmt: skip
    return tuple(labels[i] for i in order), tuple(order)


def _encode_y(target: pd.Series, labels: tuple[Any, ...], *, src: str) -> np.ndarray:
    """Class indices into ``labels`` of the target's values, matched by the one label rule
    (a model's classes 0.0 / 1.0 name the file's 0 / 1, True names 1), text on both sides
    in one spelling (a model's class ``"Male "`` names the file's ``Male``)."""
    codes, values = pd.factorize(target)
    lookup = np.array(spelled_indices(labels, values.tolist()), dtype=object)
    unknown = [v for v, i in zip(values.tolist(), lookup, strict=True) if i is None]
    if unknown:
        known = ", ".join(map(str, labels))
        raise AuditorInputError(UNKNOWN_LABEL.format(label=unknown[0], known=known), source=src,
                                field="data.target")  # fmt: skip
    return lookup[codes].astype(np.int64)


def _groups(
    frame: pd.DataFrame, config: TableData, *, src: str, keep: bool = False
) -> pd.DataFrame:
    """The groups of ``frame`` (:func:`~auditor.data.table.sensitive_groups`), made once a
    file: validation (``keep``) hands them with its frame to the loader's split of that same
    frame object under the same group settings, which takes them."""
    settings = (tuple(config.sensitive), config.missing_group)
    for i, (seen, made_with, groups) in enumerate(_GROUPS):
        if seen is frame and made_with == settings:
            if not keep:
                del _GROUPS[i]
            return groups
    groups = sensitive_groups(frame, config, src=src)[0]
    if keep:
        _GROUPS.append((frame, settings, groups))
    return groups


def _split(name: str, frame: pd.DataFrame, config: TableData, *, codec: InputCodec,
           labels: tuple[Any, ...], offset: int, src: str) -> Split:  # fmt: skip
    groups = _groups(frame, config, src=src)
    return Split(
        name=name, x=codec.encode(frame), y=_encode_y(frame[config.target], labels, src=src),
        sensitive=groups.reset_index(drop=True), ids=np.arange(len(frame), dtype=np.int64) + offset,
    )  # fmt: skip


def _empty(name: str, config: TableData, codec: InputCodec) -> Split:
    return Split(
        name=name, x=np.zeros((0, len(codec.columns)), codec.dtype), y=np.zeros(0, np.int64),
        sensitive=pd.DataFrame({c: pd.Series([], dtype=str) for c in config.sensitive}),
        ids=np.zeros(0, np.int64),
    )  # fmt: skip


def _source(config: TableData, key: str) -> str:
    return str(getattr(config, key, None) or key)


def _check_rows(frame: pd.DataFrame, config: TableData, *, src: str, field: str) -> pd.Series:
    """One file's rows: some rows, the target and sensitive columns there, the target filled
    and not a sensitive column (the checks :mod:`auditor.data.table` makes of a table); its
    target in one spelling (:func:`~auditor.data.spelling.canonical_values`)."""
    if len(frame) == 0:
        raise AuditorInputError(NO_ROWS, source=src, field=field)
    for col in (config.target, *config.sensitive):
        if col not in frame.columns:
            key_name = "data.target" if col == config.target else "data.sensitive"
            raise AuditorInputError(NO_COLUMN.format(col=col), source=src, field=key_name)
    if config.target in config.sensitive:
        raise AuditorInputError(TARGET_AS_SENSITIVE.format(col=config.target), source=src,
                                field="data.sensitive")  # fmt: skip
    target = canonical_values(frame[config.target], config.target)
    refuse_missing_target(target, config.target, src=src)
    return target


def validate_supplied(
    config: TableData, *, module: bool = False, classes: Sequence[Any] | None = None,
    classes_source: str | None = None,
) -> ValidatedRows:  # fmt: skip
    """The checks :func:`supplied_rows` makes of each file (evaluation rows, members,
    non-members) that need no model, for before any work: rows, the target, sensitive and
    named input columns, groups. An estimator may name its own inputs (the ID rule is then
    checked once it is loaded); a PyTorch ``module`` (a checkpoint) takes ``data.features`` or
    every other column, so an ID among those and a missing input value are refused here.
    Each frame is kept for the next reader (preflight's counts, then :func:`supplied_rows`).
    ``classes``: a module's outputs' classes in order (``model.classes``, written in
    ``classes_source``): each a class of the target, every target value one of them.
    Returns a ``module``'s classes as the audit names them (``classes``, else the target's
    values, in order; None for an estimator) and the evaluation rows' groups."""
    frames: dict[str, pd.DataFrame] = {}
    targets: dict[str, pd.Series] = {}  # each file's, in one spelling
    _GROUPS.clear()  # one run's files (a run that stopped before loading left its own)
    groups = pd.DataFrame()  # the evaluation rows' ("path", always given: read first)
    for key in ROLES.values():
        if getattr(config, key) is None:
            continue
        frame = read_table(Path(getattr(config, key)), field=f"data.{key}", keep=True,
                           reads=ReadColumns(config))  # fmt: skip
        src = _source(config, key)
        targets[key] = _check_rows(frame, config, src=src, field=f"data.{key}")
        for col in config.features or ():
            if col not in frame.columns:
                raise AuditorInputError(NO_COLUMN.format(col=col), source=src,
                                        field="data.features")  # fmt: skip
        found = _groups(frame, config, src=src, keep=True)
        groups = found if key == "path" else groups
        frames[key] = frame
    if not module:
        return ValidatedRows(None, groups)
    _refuse_missing(frames, _input_columns(config, frames, None), config)
    if classes is not None:
        _check_model_classes(frames, config, classes, source=classes_source)
    labels = _labels(targets, config, classes)[0]
    return ValidatedRows(tuple(str(one_spelling(v)) for v in labels), groups)


def _check_model_classes(
    frames: dict[str, pd.DataFrame], config: TableData, classes: Sequence[Any], *,
    source: str | None,
) -> None:  # fmt: skip
    """Every target value is one of ``classes`` (``model.classes``), and each of those a
    value of the target in some file (a label the rows never hold: a typo, or another
    model's classes)."""
    _refuse_alike(classes, src=source, field="model.classes")
    values = list(dict.fromkeys(v for f in frames.values() for v in f[config.target].unique()))
    unnamed = first_unnamed(classes, values)
    if unnamed is not None:
        message = NOT_IN_TARGET.format(label=classes[unnamed], col=config.target,
                                       have=", ".join(sorted(map(str, values))[:12]))
        raise AuditorInputError(message, source=source, field="model.classes")
    for key, frame in frames.items():
        _encode_y(frame[config.target], tuple(classes), src=_source(config, key))


def _refuse_missing(frames: dict, columns: Sequence[str], config: TableData) -> None:
    """Refuse a missing value in an input column a PyTorch module would be handed as NaN."""
    for key, frame in frames.items():
        for col in (c for c in columns if c in frame.columns):  # else the codec names the file
            missing = frame[col].isna().to_numpy()
            if missing.any():
                row = data_row(int(np.flatnonzero(missing)[0]))
                message = MISSING_INPUT.format(col=col, rows=rows_text(int(missing.sum())), row=row)
                raise AuditorInputError(message, source=_source(config, key), field="data.features")


def supplied_rows(
    config: TableData,
    *,
    frames: dict[str, pd.DataFrame] | None = None,
    columns: Sequence[str] | None = None,
    labels: Sequence[Any] | None = None,
    as_frame: bool = True,
    numeric_only: bool = False,
    module: bool = False,
) -> SuppliedRows:
    """Read the evaluation / member / non-member files of ``config`` (or take ``frames``,
    keyed by "path", "members", "non_members") into a bundle. ``columns``: the model's inputs
    (default ``data.features``, else every column but the target, ``data.drop`` and the
    sensitive ones); ``labels``: the model's classes in its order (default: sorted); for a
    PyTorch ``module``, a missing input is refused and the inputs are float32, else float64
    (an estimator's numbers as read: :mod:`auditor.data.codec`). Non-members that evidently
    are member rows are refused, naming ``data.non_members``, or with ``frames`` its
    ``non_members=``."""
    given = frames  # from Python (audit_model's arguments), else the config's files
    frames = dict(frames) if frames is not None else {
        key: read_table(Path(getattr(config, key)), field=f"data.{key}",
                        reads=ReadColumns(config))
        for key in ROLES.values() if getattr(config, key) is not None
    }  # fmt: skip
    targets = {key: _check_rows(frame, config, src=_source(config, key), field=f"data.{key}")
               for key, frame in frames.items()}  # fmt: skip
    cols = _input_columns(config, frames, columns)
    sources = {key: _source(config, key) for key in frames}
    codec = build_codec(frames, cols, as_frame=as_frame, numeric_only=numeric_only,
                        sources=sources, exact=not module)  # fmt: skip
    if module:  # a PyTorch module's inputs (audit_model's frames: not seen by preflight)
        _refuse_missing(frames, cols, config)
    classes, outputs = _labels(targets, config, labels)
    splits = {name: _empty(name, config, codec) for name in (*EMPTY_SPLITS, *ROLES)}
    offset = 0  # source row ids count on across the files: evaluation, members, non-members
    row_files = []
    for name, key in ROLES.items():
        if key in frames:
            src = _source(config, key)
            row_files.append((Path(src).name, offset))
            splits[name] = _split(name, frames[key], config, codec=codec, labels=classes,
                                  offset=offset, src=src)  # fmt: skip
            offset += len(frames[key])
    check_not_members(splits, src=_source(config, "non_members"),
                       arg="data.non_members" if given is None else "non_members=")  # fmt: skip
    files = {
        Path(p).name: sha256_file(Path(p))
        for p in (getattr(config, k) for k in ROLES.values()) if p is not None and Path(p).is_file()
    }  # fmt: skip
    sens_inputs = {f: (cols.index(f),) for f in config.sensitive if f in cols}
    bundle = DatasetBundle(
        name=Path(config.path).name, modality="table", splits=splits,
        finetune_task=TaskInfo(config.target, tuple(str(one_spelling(v)) for v in classes),
                               f"the target column {config.target!r}"),
        pretrain_task=None, sensitive_features=tuple(config.sensitive),
        sensitive_kinds={c: "demographic" for c in config.sensitive},
        input_shape=(len(cols),), feature_names=tuple(cols), sensitive_input_columns=sens_inputs,
        description=" ".join([f"Rows supplied with a model trained elsewhere: evaluation rows "
                     f"{Path(config.path).name}; members {config.members or 'none'}; "
                     f"non-members {config.non_members or 'none'}.", *_merged(frames, config),
                     *number_notes(splits["test"].sensitive)]),
        citation=config.citation, license=config.license, source_files=files,
        row_files=tuple(row_files),
    )  # fmt: skip
    return SuppliedRows(bundle=bundle, codec=codec, labels=classes, outputs=outputs)


def _refuse_alike(classes: Sequence[Any], *, src: str | None,
                  field: str = "data.target") -> None:  # fmt: skip
    """Refuse a model's two text classes that read as one label (``"yes"``, ``"yes "``)."""
    pair = first_alike(classes, _spelled_key)
    if pair is not None:
        raise AuditorInputError(ALIKE_CLASSES.format(a=pair[0], b=pair[1]), source=src,
                                field=field)  # fmt: skip


def _spelled_key(label: Any) -> Any:
    """A text label in one spelling; any other label a key of its own (two classes 1 and 1.0
    are not refused as spelled alike)."""
    return canonical(label) if isinstance(label, str) else object()


def _merged(frames: dict[str, pd.DataFrame], config: TableData) -> list[str]:
    """The card's notes on the target and sensitive labels read from more than one spelling,
    over every file (:func:`~auditor.data.spelling.merged_notes`)."""
    merged: dict[str, dict[str, list[str]]] = {}
    for col in (config.target, *config.sensitive):
        canonical_values(pd.concat([f[col] for f in frames.values()]), col, merged)
    return merged_notes(merged, named_in=None)
