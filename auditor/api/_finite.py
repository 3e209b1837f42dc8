"""A supplied model's NaN or infinite outputs are refused naming the rows they are on: the
evaluation rows, the members or the non-members, each the user's own file or DataFrame.
Scored first by whichever check asked, a member row's NaN was named "data row 59" under
``model`` alone, a row of the evaluation data to any reader, and not the one at fault."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auditor.errors import AuditorInputError, data_row

if TYPE_CHECKING:
    from auditor.context import AuditContext

NOT_FINITE_ROWS = (
    "the model's outputs are not finite numbers (NaN or infinite) on {n} of {rows} rows of "
    "{arg} (first: {row}); a model with NaN weights, or one fed inputs it cannot score"
)
# first: the model's own error may be cut short at its end
RAISED_ON = "on the rows of {arg}: {error}"
# A DataFrame given to audit_model as ``data=``, ``members=``, ``non_members=``: read under
# this stand-in path, so each message names the argument whose rows are at fault.
FRAME_SOURCE = "{key} (DataFrame)"


def frame_source(key: str) -> str:
    return FRAME_SOURCE.format(key=key)


def check_finite_outputs(ctx: AuditContext) -> None:
    """Score each split of the supplied model's rows once (the checks read the cached
    predictions): evaluation rows, members, non-members, in that order. NaN or infinite
    outputs are bad input naming the model, as before, and the rows by their key
    (``data.members``: ``members=`` from Python, as audit_model words it; a file's path
    beside) and the first row there."""
    from auditor.data.supplied import ROLES
    from auditor.models.outputs import NotATensor, NotFinite

    data = ctx.config.data
    for split, key in ROLES.items():
        if not len(ctx.bundle[split].x):
            continue
        path = getattr(data, key, None)
        name = "data" if key == "path" else key  # audit_model's argument
        arg = f"data.{key}"
        if path is not None and str(path) != frame_source(name):
            arg = f"{arg} ({path})"
        try:
            ctx.predictions("finetuned", split)
        except NotFinite as exc:
            message = NOT_FINITE_ROWS.format(n=exc.n, rows=exc.rows, arg=arg,
                                             row=data_row(exc.first))  # fmt: skip
            raise AuditorInputError(message, source=exc.source, field=exc.field) from None
        except AuditorInputError as exc:  # the model raised on these rows: which ones
            if exc.field != "model" or exc.source is not None or isinstance(exc, NotATensor):
                raise  # not about these rows (a forward returning no tensor: about none)
            where = arg + _first_missing(ctx.bundle[split].x)
            raise AuditorInputError(RAISED_ON.format(error=exc.message, arg=where),
                                    field=exc.field) from None  # fmt: skip


def _first_missing(x: Any) -> str:
    """', the first missing input value at data row N' where the rows hold one (the likely
    cause of a model's error on them); '' where none."""
    import numpy as np

    try:
        values = np.asarray(x, dtype=float).reshape(len(x), -1)
    except (TypeError, ValueError):  # not numbers: no NaN to point at
        return ""
    missing = np.flatnonzero(np.isnan(values).any(axis=1))
    return f", the first missing input value at {data_row(int(missing[0]))}" if len(missing) else ""
