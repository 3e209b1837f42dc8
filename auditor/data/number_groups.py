"""A sensitive column of many numbers (age in years, income, a row id) is refused, not audited
one group per value: 73 ages gave 73 groups and intersections of hundreds, most too small for a
verdict, and a gap between 'age 20' and 'age 25'. It is not binned here either: where bands
start is the user's choice (a law's 40 and over, a survey's 65+), and edges taken from the data
would change from one file to the next, so two audits would compare different groups. The
message says how to add a column of bands. A few numbers (codes 1-5, a digit) stay groups.
Light (no pandas): the counts engine reads it for every predictions file."""

from __future__ import annotations

from collections.abc import Iterable

from auditor.config.labels import is_number
from auditor.errors import rows_text

MAX_NUMBER_GROUPS = 50  # more distinct numbers than this: a measurement, not categories
NUMBER_GROUPS = (
    "{n:,} distinct numbers in {rows}, more than {limit}: each would be a group of its own (a "
    "measurement such as age or income?); audit bands of it, a column such as "
    "pandas.cut(df[{col!r}], [0, 25, 45, 65, 120]).astype(str) named instead; numbers that "
    "code categories, written as text (c840), are audited as they are"
)


def number_groups(
    labels: Iterable[str], *, col: str, rows: int, missing: str | None = None
) -> str | None:
    """The refusal of a sensitive column ``col`` whose group ``labels`` (text; ``missing``:
    the missing values' group, not counted) in ``rows`` rows (a batch's, or the file's) are
    more than :data:`MAX_NUMBER_GROUPS` numbers, or None where it is audited as it is."""
    values = [x for x in labels if x != missing]
    if len(values) <= MAX_NUMBER_GROUPS:
        return None
    if not all(is_number(x) for x in values):
        return None
    return NUMBER_GROUPS.format(n=len(values), rows=rows_text(rows), limit=MAX_NUMBER_GROUPS,
                                col=col)  # fmt: skip
