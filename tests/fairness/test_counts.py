"""The counts engine's refusals of a column that names no groups of people: an identifier
(more than 1,000 values) says what a sensitive column is and the way on."""

from __future__ import annotations

import numpy as np
import pytest

from auditor.errors import AuditorInputError
from auditor.fairness.counts import counts_from_arrays


def test_an_identifier_column_is_refused_with_the_way_on():
    n = 5000
    y = np.arange(n) % 2
    with pytest.raises(AuditorInputError) as err:
        counts_from_arrays(y, y, {"id": np.array([f"u{i}" for i in range(n)])})
    assert err.value.field == "id"
    assert err.value.message.startswith("more than 1,000 distinct groups (an identifier column?)")
    assert "name such a column, or one of bands of a measurement" in err.value.message


def test_an_age_column_read_in_memory_is_refused_too():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 3000)
    with pytest.raises(AuditorInputError, match="73 distinct numbers in 3,000 rows, more than 50"):
        counts_from_arrays(y, y, {"age": 17 + np.arange(3000) % 73})
