"""Bad input found while a run works, named the way preflight names it.

:func:`config_named` gives an :class:`~auditor.errors.AuditorInputError` raised without a
file (a factory's module, a ``train`` function, a model's outputs: ``model.factory: ...``)
the config file as its source, so every exit-2 line reads ``FILE: FIELD: what is wrong``.
:func:`check_converged` refuses a model whose training diverged (the validation loss was
never a finite number), before any check reads its NaN outputs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from auditor.errors import AuditorInputError

DIVERGED = (
    "training diverged: the validation loss was not a finite number in any of the {n} "
    "epochs (NaN or overflowing weights); a lower learning rate trains{factory}"
)
FACTORY_WEIGHTS = ", unless model.factory {spec!r} builds NaN weights"
# audit_model's readers name the config keys ``auditor run`` reads; a Python caller wrote an
# argument: each key's field as that argument, and in a message as ``argument=``.
ARGUMENTS = {
    "data.path": "data", "data.target": "target", "data.sensitive": "sensitive",
    "data.features": "features", "data.members": "members", "data.non_members": "non_members",
    "data.positive_label": "positive_label", "data.license": "data_license",
    "data.citation": "data_citation", "data.missing_group": "missing_group",
    "model.train": "train", "--out": "out_dir",
}  # fmt: skip
# Advice worded for a config file, as a Python caller follows it (before the keys above).
PHRASES = {
    "set data.missing_group = true (from Python: missing_group=True)": "pass missing_group=True",
    "data.missing_group = true": "missing_group=True",
    "add it to data.drop (from Python: leave it out of the DataFrames, or list the inputs in "
    "features=), or name it in data.features to use it as a model input": "leave it out of "
    "the DataFrames, or list the inputs in features= (with it, to use it as a model input)",
    "(data.features, or data.drop)": "(features=, or out of the DataFrames)",
    "add it to data.drop": "leave it out of the DataFrames",
    "add the column to data.drop": "leave the column out of the DataFrames",
    # data.max_categories is no argument: the target's limit stands as a number
    ", or raise data.max_categories": "",
    "data.max_categories = ": "",
}
MODEL_WORDS = {**PHRASES, **{k: f"{v}=" for k, v in ARGUMENTS.items()}}
MODEL_FIELDS = {**ARGUMENTS, "model.classes": "model"}  # a module's own classes_
# run, regate and rerender: the command line's flags, as the functions' arguments
RERUN_FIELDS = {"--out": "out_dir", "--baseline": "baseline", "--config": "config"}
RERUN_WORDS = {k: f"{v}=" for k, v in RERUN_FIELDS.items()}


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


def reworded(err: AuditorInputError, words: Mapping[str, str],
              fields: Mapping[str, str]) -> AuditorInputError:  # fmt: skip
    """``err`` with its field as ``fields`` maps it and each of ``words`` (a config key, a
    flag, a phrase; the longest first) in its message as ``words`` maps it; ``err`` itself
    where neither changes it."""
    field = fields.get(err.field, err.field) if err.field else err.field
    found = re.compile("|".join(map(_whole, sorted(words, key=len, reverse=True))))
    message = found.sub(lambda m: words[m.group(0)], err.message)
    if message == err.message and field == err.field:
        return err
    return AuditorInputError(message, source=err.source, field=field)


def _whole(key: str) -> str:
    """A pattern of ``key`` as a whole: not data.features_x, nor within a path
    (/runs/data.features.csv); a phrase ending in a space or a comma is bounded there."""
    before = r"(?<![\w./\\-])" if re.match(r"[\w-]", key) else ""
    after = r"(?![\w-]|\.\w)" if re.search(r"\w$", key) else ""
    return before + re.escape(key) + after


@contextmanager
def named_as(words: Mapping[str, str], fields: Mapping[str, str], *,
             flags: bool = False) -> Iterator[None]:  # fmt: skip
    """Re-raise bad input :func:`reworded` by ``words`` and ``fields``, unless ``flags`` (the
    command line's call: its errors name its flags and keys as they are)."""
    try:
        yield
    except AuditorInputError as exc:
        if flags:
            raise
        raise reworded(exc, words, fields) from None


def python_named() -> Any:
    """Bad input from :func:`auditor.audit_model` naming the caller's arguments (``sensitive``,
    ``sensitive=``) where it named the config's keys (``data.sensitive``): a context manager,
    or a decorator."""
    return named_as(MODEL_WORDS, MODEL_FIELDS)


def check_converged(records: dict[str, Any], *, factory: str | None = None) -> None:
    """Refuse a stage (``{"pretrain": TrainRecord | None, ...}``) that ran epochs without one
    finite validation loss: its weights, and every number computed from them, are NaN.
    ``factory``: the user's model factory, if one built the model (named as a suspect)."""
    suspect = FACTORY_WEIGHTS.format(spec=factory) if factory else ""
    for stage, record in records.items():
        if record is not None and record.epochs_run > 0 and not math.isfinite(record.best_val_loss):
            raise AuditorInputError(DIVERGED.format(n=record.epochs_run, factory=suspect),
                                    field=f"{stage}.lr")  # fmt: skip
