"""A CSV's row found again on a refusal's path (:mod:`auditor.predictions.found_rows`)."""

from __future__ import annotations

import pytest

from auditor.errors import AuditorInputError
from auditor.predictions.read import Columns, reduce_predictions

COLS = Columns(y_true="y_true", y_pred="y_pred", y_score=None, sensitive=("sex",))
NOTE = "n" * 200  # a wide row: the 16 MiB block that types the columns is passed at ~76,000


def test_a_text_label_written_after_a_space_in_a_later_block_is_named_by_its_row(tmp_path):
    """Past the first block, y_true ' M' (written after ', ', as Adult's rows are) in a column
    of whole numbers was refused "'M' at a row": pyarrow names the value without its space,
    which the row's field was compared to as written. Its row is named."""
    path = tmp_path / "p.csv"
    rows = [f"{'FM'[i % 2]},{i % 2},{i % 3 % 2},{NOTE}" for i in range(90_000)]
    rows[85_000] = f"F, M,0,{NOTE}"
    path.write_text("sex,y_true,y_pred,note\n" + "\n".join(rows) + "\n")
    with pytest.raises(AuditorInputError) as err:
        reduce_predictions(path, COLS)
    assert str(err.value).startswith(f"{path}: y_true: 'M' at data row 85001, where the ")
