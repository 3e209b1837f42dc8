"""Bad input found while a run works, named the way preflight names it.

:func:`config_named` gives an :class:`~auditor.errors.AuditorInputError` raised without a
file (a factory's module, a ``train`` function, a model's outputs: ``model.factory: ...``)
the config file as its source, so every exit-2 line reads ``FILE: FIELD: what is wrong``.
:func:`check_converged` refuses a model whose training diverged (the validation loss was
never a finite number), before any check reads its NaN outputs.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from auditor.config.arguments import ARGUMENT_WORDS, ARGUMENTS, worded
from auditor.data.advice import DROP_IT, MAX_CATEGORIES, MISSING_FLAG, RAISE_MAX_CATEGORIES
from auditor.errors import AuditorInputError

DIVERGED = (
    "training diverged: the validation loss was not a finite number in any of the {n} "
    "epochs (NaN or overflowing weights); a lower learning rate trains{factory}"
)
FACTORY_WEIGHTS = ", unless model.factory {spec!r} builds NaN weights"
# audit_model's readers name the config keys ``auditor run`` reads; a Python caller wrote an
# argument: each key's field as that argument (config.arguments.ARGUMENTS), and in a message
# as ``argument=``.
# Advice worded for a config file (each phrase the data module's own, written once there),
# as a Python caller follows it; replaced before the keys above.
PHRASES = {
    MISSING_FLAG: "missing_group=True",
    DROP_IT: "leave it out of the DataFrames",
    # data.max_categories is no argument: the limit stands as a number
    RAISE_MAX_CATEGORIES: "",
    MAX_CATEGORIES: "",
}
MODEL_WORDS = {**PHRASES, **ARGUMENT_WORDS}
MODEL_FIELDS = {**ARGUMENTS, "model.classes": "model"}  # a module's own classes_
# run, regate and rerender: the command line's flags, as the functions' arguments
RERUN_FIELDS = {"--out": "out_dir", "--baseline": "baseline", "--config": "config"}
RERUN_WORDS = worded(RERUN_FIELDS)


@contextmanager
def config_named(config_file: str | None) -> Iterator[None]:
    """Re-raise an AuditorInputError that names no file with ``config_file`` as its source
    (its field and message kept); one that names a file, or any other error, passes as is."""
    try:
        yield
    except AuditorInputError as exc:
        if exc.source is not None or config_file is None:
            raise
        raise AuditorInputError(exc.message, source=config_file, field=exc.field) from None


# A column of more distinct texts holds IDs, not labels a message lists
MAX_LABELS = 10_000
# A value a message quotes: Python's repr of a text ('a', "it's"), its quote opened after no
# letter (not the model's), so a key inside it is the caller's, kept as written
QUOTED = re.compile(r"""(?<![\w'"])(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")(?!\w)""")


def reworded(err: AuditorInputError, words: Mapping[str, str], fields: Mapping[str, str],
              given: Iterable[Any] = ()) -> AuditorInputError:  # fmt: skip
    """``err`` with its field as ``fields`` maps it and each of ``words`` (a config key, a
    flag, a phrase; the longest first) in its message as ``words`` maps it, where the
    message's template wrote it: not inside a quoted value ('data.sensitive', a column's
    name), nor inside a text of the caller's (``given``: the call's arguments, a column
    ``x --out`` listed unquoted); ``err`` itself where neither changes it."""
    field = fields.get(err.field, err.field) if err.field else err.field
    found = re.compile("|".join(map(_whole, sorted(words, key=len, reverse=True))))
    keys = [match.span() for match in found.finditer(err.message)]
    theirs = _their_spans(err.message, words, given, keys) if keys else []

    def swap(match: re.Match[str]) -> str:
        kept = _within(match.span(), theirs)
        return match.group(0) if kept else words[match.group(0)]

    message = found.sub(swap, err.message)
    if message == err.message and field == err.field:
        return err
    return AuditorInputError(message, source=err.source, field=field)


def _whole(key: str) -> str:
    """A pattern of ``key`` as a whole: not data.features_x, nor within a path
    (/runs/data.features.csv); a phrase ending in a space or a comma is bounded there."""
    before = r"(?<![\w./\\-])" if re.match(r"[\w-]", key) else ""
    after = r"(?![\w-]|\.\w)" if re.search(r"\w$", key) else ""
    return before + re.escape(key) + after


def _within(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b in spans)


def _their_spans(message: str, words: Mapping[str, str], given: Iterable[Any],
                 keys: list[tuple[int, int]]) -> list[tuple[int, int]]:  # fmt: skip
    """The (start, end) spans of ``message`` that are the caller's: its quoted values, and
    each text of ``given`` that holds one of ``words`` wherever the message repeats it (read
    only where a key, at ``keys``, is outside every quoted value)."""
    spans = [match.span() for match in QUOTED.finditer(message)]
    if all(_within(key, spans) for key in keys):
        return spans
    texts = {t for t in _texts(given) if t in message}  # a frame's cells: a message is short
    for text in (t for t in texts if any(key in t for key in words)):
        start = message.find(text)
        while start >= 0:
            spans.append((start, start + len(text)))
            start = message.find(text, start + 1)
    return spans


def _texts(given: Iterable[Any], depth: int = 3) -> Iterator[str]:
    """Every text among ``given``: str and paths, within lists, tuples, sets and dicts;
    a DataFrame's column labels and text cells, an estimator's feature names and classes
    (:func:`_parts`), ``depth`` containers down."""
    for value in given:
        if isinstance(value, str):
            yield value
        elif isinstance(value, os.PathLike):
            yield str(os.fspath(value))
        elif depth == 0:
            continue
        elif isinstance(value, Mapping):
            yield from _texts([*value.keys(), *value.values()], depth - 1)
        elif isinstance(value, list | tuple | set | frozenset):
            yield from _texts(value, depth - 1)
        else:
            yield from _texts(_parts(value), depth - 1)


def _parts(value: Any) -> list[Any]:
    """What of ``value`` a message may repeat: a DataFrame's or Series' labels and the cells
    of its columns that are not numbers, a fitted estimator's ``feature_names_in_`` and
    ``classes_``, a dataclass's fields (``Columns``)."""
    # A caller's frame means pandas is loaded; where it is not (or another thread is still
    # importing it: the CLI's reader), no value here is one, and a module half imported has
    # no Series yet to look up
    pandas = sys.modules.get("pandas")
    series = getattr(pandas, "Series", None) if pandas is not None else None
    frame = getattr(pandas, "DataFrame", None) if pandas is not None else None
    if series is not None and isinstance(value, series):
        value = value.to_frame()
    if frame is not None and isinstance(value, frame):
        parts: list[Any] = list(value.columns)
        for i in range(value.shape[1]):
            column = value.iloc[:, i]
            if column.dtype.kind in "biufcmM":  # numbers and times: no text of the caller's
                continue
            cells = column.dropna().unique()
            if len(cells) <= MAX_LABELS:  # more: an ID column's, no labels a message lists
                parts.extend(cells.tolist())
        return parts
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [getattr(value, f.name) for f in dataclasses.fields(value)]
    return [list(found) for found in map(functools.partial(_attr, value),
                                         ("feature_names_in_", "classes_")) if found is not None]


def _attr(value: Any, name: str) -> Any:
    """``value.name`` where it is a list or array of names, else None (an unfitted step's
    property raises: the refusal being worded must not become its error)."""
    try:
        found = getattr(value, name, None)
    except Exception:
        return None
    return found if isinstance(found, list | tuple) or hasattr(found, "tolist") else None


def fields_except(fields: Mapping[str, str], given: Iterable[Any]) -> dict[str, str]:
    """``fields`` less each key that is one of the caller's texts (``given``): a column named
    ``--out``, which audit_predictions' row errors name as their field, is the caller's."""
    theirs = set(_texts(given))
    return {key: name for key, name in fields.items() if key not in theirs}


@contextmanager
def named_as(words: Mapping[str, str], fields: Mapping[str, str], *,
             flags: bool = False, given: Iterable[Any] = ()) -> Iterator[None]:  # fmt: skip
    """Re-raise bad input :func:`reworded` by ``words`` and ``fields`` (``given``: the
    call's arguments, their texts kept as written), unless ``flags`` (the command line's
    call: its errors name its flags and keys as they are)."""
    try:
        yield
    except AuditorInputError as exc:
        if flags:
            raise
        raise reworded(exc, words, fields, given) from None


def python_named(function: Callable[..., Any]) -> Callable[..., Any]:
    """:func:`auditor.audit_model`, its bad input naming the caller's arguments
    (``sensitive``, ``sensitive=``) where it named the config's keys (``data.sensitive``),
    and the caller's own texts (a column named ``data.sensitive``) as written."""

    @functools.wraps(function)
    def named(*args: Any, **kwargs: Any) -> Any:
        with named_as(MODEL_WORDS, MODEL_FIELDS, given=(args, kwargs)):
            return function(*args, **kwargs)

    return named


def check_converged(records: dict[str, Any], *, factory: str | None = None) -> None:
    """Refuse a stage (``{"pretrain": TrainRecord | None, ...}``) that ran epochs without one
    finite validation loss: its weights, and every number computed from them, are NaN.
    ``factory``: the user's model factory, if one built the model (named as a suspect)."""
    suspect = FACTORY_WEIGHTS.format(spec=factory) if factory else ""
    for stage, record in records.items():
        if record is not None and record.epochs_run > 0 and not math.isfinite(record.best_val_loss):
            raise AuditorInputError(DIVERGED.format(n=record.epochs_run, factory=suspect),
                                    field=f"{stage}.lr")  # fmt: skip
