"""A supplied model's NaN or infinite outputs are refused naming the rows they are on: the
evaluation rows, the members or the non-members, each the user's own file or DataFrame.
Scored first by whichever check asked, a member row's NaN was named "data row 59" under
``model`` alone, a row of the evaluation data to any reader, and not the one at fault."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditor.api._frame import FRAME_NAME
from auditor.errors import AuditorInputError, data_row

if TYPE_CHECKING:
    from auditor.context import AuditContext

NOT_FINITE_ROWS = (
    "the model's outputs are not finite numbers (NaN or infinite) on {n} of {rows} rows of "
    "{arg} (first: {row}); a model with NaN weights, or one fed inputs it cannot score"
)


def check_finite_outputs(ctx: AuditContext, *, from_python: bool) -> None:
    """Score each split of the supplied model's rows once (the checks read the cached
    predictions): evaluation rows, members, non-members, in that order. NaN or infinite
    outputs are bad input naming the model, as before, and the rows as the user gave them
    (``data.members`` in a config, ``members=`` from Python; a file's path beside) and the
    first row there."""
    from auditor.data.supplied import ROLES
    from auditor.models.outputs import NotFinite

    data = ctx.config.data
    for split, key in ROLES.items():
        if not len(ctx.bundle[split].x):
            continue
        try:
            ctx.predictions("finetuned", split)
        except NotFinite as exc:
            path = getattr(data, key, None)
            arg = ("data" if key == "path" else key) + "=" if from_python else f"data.{key}"
            if path is not None and str(path) != FRAME_NAME:
                arg = f"{arg} ({path})"
            message = NOT_FINITE_ROWS.format(n=exc.n, rows=exc.rows, arg=arg,
                                             row=data_row(exc.first))  # fmt: skip
            raise AuditorInputError(message, source=exc.source, field=exc.field) from None
