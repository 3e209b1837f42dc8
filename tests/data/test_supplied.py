"""Rows supplied with a model trained elsewhere: the model's own classes and positive_label."""

from __future__ import annotations

import pandas as pd
import pytest

from auditor.config import TableData
from auditor.data.supplied import supplied_rows
from auditor.errors import AuditorInputError


def rows_config(**changes):
    return TableData(path="rows.csv", target="label", sensitive=["group"], features=["x"],
                     **changes)  # fmt: skip


FRAME = pd.DataFrame({"x": [0.1, 0.2, 0.3, 0.4], "group": list("abab"),
                      "label": ["no", "yes", "no", "yes"]})  # fmt: skip


def test_positive_label_must_be_the_models_last_class():
    # an estimator's classes_ ("no", "yes") fix its output order: positive_label = "no" was
    # ignored, and "yes" audited as the positive class
    with pytest.raises(AuditorInputError, match="not the model's last class \\('yes'\\)") as err:
        supplied_rows(rows_config(positive_label="no"), frames={"path": FRAME},
                      labels=("no", "yes"))  # fmt: skip
    assert err.value.field == "data.positive_label"
    with pytest.raises(AuditorInputError, match="not one of the model's classes"):
        supplied_rows(rows_config(positive_label="maybe"), frames={"path": FRAME},
                      labels=("no", "yes"))  # fmt: skip
    rows = supplied_rows(rows_config(positive_label="yes"), frames={"path": FRAME},
                         labels=("no", "yes"))  # fmt: skip
    assert rows.labels == ("no", "yes")
