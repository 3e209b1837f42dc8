"""A sensitive column of many numbers (age in years, income) is audited as it is, one group
per value, and noted: 73 ages are 73 groups, most too small for a verdict, and a gap between
'age 20' and 'age 25'. It is not refused (codes such as US state numbers, 51 to 56 of them, are
real groups, and one text value such as '85+' among the numbers would say nothing either way),
nor binned here: where bands start is the user's choice (a law's 40 and over, a survey's 65+),
and edges taken from the data would change from one file to the next. The note names the
column, its numbers and their rows, and gives a ``pandas.cut`` of auditor's own Adult age bands
as the example. Light (no pandas): the predictions notes read it for every file."""

from __future__ import annotations

from collections.abc import Mapping

from auditor.config.labels import is_number
from auditor.errors import rows_text

MAX_NUMBER_GROUPS = 50  # more distinct numbers than this: a measurement, perhaps, noted
# auditor.data.adult's AGE_BANDS (np.digitize at 25, 45 and 65: each band closed on the left,
# so right=False), labels that sort in age order as text
BANDS_EXAMPLE = (
    "pandas.cut(df[{col!r}], [0, 25, 45, 65, float('inf')], right=False, "
    "labels=['17-24', '25-44', '45-64', '65+'])"
)
NUMBER_GROUPS = (
    "{col}: {n:,} distinct numbers in {rows}, each audited as a group of its own; a measurement "
    "(age in years, income) is better audited in bands: name a column of them instead, such as "
    + BANDS_EXAMPLE
    + " (auditor's own Adult age bands; the edges are an example to replace with your own)."
)


def number_note(col: str, sizes: Mapping[str, int], *, missing: str | None = None) -> str | None:
    """The note on a sensitive column ``col`` whose groups (``sizes``: each group label's rows;
    ``missing``: the missing values' group, not counted) hold more than
    :data:`MAX_NUMBER_GROUPS` distinct numbers, counted whatever other labels there are
    ('85+', 'unknown'); None where there are not as many."""
    numbers = {label: n for label, n in sizes.items() if label != missing and is_number(label)}
    if len(numbers) <= MAX_NUMBER_GROUPS:
        return None
    return NUMBER_GROUPS.format(col=col, n=len(numbers), rows=rows_text(sum(numbers.values())))
