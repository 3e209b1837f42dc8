"""preflight.sizes: a tiny table or built-in is refused once, naming every short split and
class, and a number of rows it names is one that passes the same check."""

from __future__ import annotations

import re

import pytest

from auditor import preflight
from auditor.config import AuditConfig

DEFAULT = AuditConfig().data.splits.model_dump()


def _refusal(fractions: dict[str, float], counts: dict[str, int]) -> str | None:
    """The line the table check says for a table of ``counts`` rows per class, or None."""
    problems = [p for p in (preflight.splits_problem(fractions, list(counts.values())),
                            preflight.classes_problem(fractions["test"], counts)) if p]  # fmt: skip
    return "; and ".join(message for _, message in problems) or None


def _scaled(counts: dict[str, int], n: int) -> dict[str, int]:
    """A table of ``n`` rows in the proportions of ``counts`` (the leftover rows to the
    largest remainders)."""
    rows = sum(counts.values())
    out = {k: c * n // rows for k, c in counts.items()}
    for k in sorted(counts, key=lambda k: -(counts[k] * n % rows))[: n - sum(out.values())]:
        out[k] += 1
    return out


@pytest.mark.parametrize(
    ("counts", "changes"),
    [
        ({"no": 30, "yes": 15}, {"holdout": 0.001, "val": 0.001}),  # start past the search's end
        ({"a": 20, "b": 20, "c": 2}, {}),  # a class short in the test split too
        ({"0": 14, "1": 14, "2": 17}, {}),
        ({"no": 37, "yes": 8}, {}),
        ({"no": 40, "yes": 40}, {"val": 0.001}),
        ({"no": 44, "yes": 1}, {"holdout": 0.001, "val": 0.001}),
        ({"no": 30, "yes": 15}, {"holdout": 1e-9, "val": 1e-9}),  # past any table: no number
    ],
)
def test_the_rows_named_pass_the_check(counts, changes):
    """'about 10,000 rows' (45 rows, holdout = val = 0.001: the search's start past its end,
    returned unchecked) and 'about 105 rows' ({a: 20, b: 20, c: 2}: the splits alone counted,
    where class 'c' is still short at 105) were refused again when given; a number named now
    passes, and where none is found none is named."""
    fractions = DEFAULT | changes
    said = _refusal(fractions, counts)
    assert said is not None
    found = re.search(r"about ([\d,]+) rows", said)
    if found is None:  # a single split short, or no table found
        assert "(more rows, or a larger data.splits." in said or "(more rows, or larger" in said
        return
    n = int(found.group(1).replace(",", ""))
    assert _refusal(fractions, _scaled(counts, n)) is None, (n, said)


def test_rows_are_named_with_thousands_separators():
    """'the 1797-row data' beside 'about 2,500 rows' in the same line."""
    said = preflight.splits_problem({"test": 0.004}, [1797])[1]
    assert "of the 1,797-row data" in said
