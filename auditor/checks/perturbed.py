"""A model whose outputs are finite on every row as given but NaN on rows the explanations
made (a column shuffled across the test rows: permutation importance, the reliance check):
that explanation is undefined for it and says so, naming a row the user has, rather than
the whole audit stopping on "data row 1" of rows the user never saw.

The rows as given were scored first (a NaN there is refused, naming its row), so a
non-finite output here comes from the shuffling alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditor.checks.base import not_run
from auditor.errors import data_row

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy as np

    from auditor.context import AuditContext
    from auditor.results import NotRun

# Columns named in a text of what was left out, then counted ("and 4,990 more").
NAMED_COLUMNS = 10
NOT_FINITE_SHUFFLED = (
    "the model's outputs are not finite numbers (NaN or infinite) on {n} of the {rows} test "
    "rows explained with {what} shuffled across them (first: {row}, with {what} from "
    "another row), though finite on every row as given: {method} is undefined for this model"
)


def named_columns(names: Sequence[str]) -> str:
    """The first :data:`NAMED_COLUMNS` of ``names`` joined, then how many more there are."""
    more = len(names) - NAMED_COLUMNS
    return ", ".join(names[:NAMED_COLUMNS]) + (f" and {more:,} more" if more > 0 else "")


def test_row_name(ctx: AuditContext, position: int) -> str:
    """The test row at ``position`` as the user knows it: a supplied model's evaluation rows
    are its data file (or ``data=``) in order; a trained run's test rows are named by their
    row in the data source."""
    ids = ctx.bundle["test"].ids
    index = int(ids[position]) if position < len(ids) else position
    if ctx.supplied is not None:
        return f"{data_row(index)} of the evaluation rows"
    return f"the test row from {data_row(index)} of the data"


def shuffled_not_finite(
    ctx: AuditContext, *, n: int, rows: int, first: int, positions: np.ndarray, what: str,
    method: str,
) -> NotRun:  # fmt: skip
    """Not run: ``n`` of ``rows`` shuffled rows gave non-finite outputs, the first at 0-based
    ``first`` of them; ``positions``: each shuffled row's position in the test split."""
    return not_run(NOT_FINITE_SHUFFLED.format(
        n=f"{n:,}", rows=f"{rows:,}", what=what,
        row=test_row_name(ctx, int(positions[first])), method=method,
    ))  # fmt: skip
