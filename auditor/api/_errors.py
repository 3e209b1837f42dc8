"""Bad input found while a run works, named the way preflight names it.

:func:`config_named` gives an :class:`~auditor.errors.AuditorInputError` raised without a
file (a factory's module, a ``train`` function, a model's outputs: ``model.factory: ...``)
the config file as its source, so every exit-2 line reads ``FILE: FIELD: what is wrong``.
:func:`check_converged` refuses a model whose training diverged (the validation loss was
never a finite number), before any check reads its NaN outputs.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from auditor.errors import AuditorInputError

DIVERGED = (
    "training diverged: the validation loss was not a finite number in any of the {n} "
    "epochs (NaN or overflowing weights); a lower learning rate trains{factory}"
)
FACTORY_WEIGHTS = ", unless model.factory {spec!r} builds NaN weights"


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


def check_converged(records: dict[str, Any], *, factory: str | None = None) -> None:
    """Refuse a stage (``{"pretrain": TrainRecord | None, ...}``) that ran epochs without one
    finite validation loss: its weights, and every number computed from them, are NaN.
    ``factory``: the user's model factory, if one built the model (named as a suspect)."""
    suspect = FACTORY_WEIGHTS.format(spec=factory) if factory else ""
    for stage, record in records.items():
        if record is not None and record.epochs_run > 0 and not math.isfinite(record.best_val_loss):
            raise AuditorInputError(DIVERGED.format(n=record.epochs_run, factory=suspect),
                                    field=f"{stage}.lr")  # fmt: skip
