"""``audit_predictions`` given a path as a notebook writes it: ``~/preds.csv`` (pandas'
readers expand it) and a URL (``s3://``), which auditor does not fetch."""

from __future__ import annotations

import pytest

from auditor.api import audit_predictions
from auditor.errors import AuditorInputError
from tests.builders import predictions_csv

KW = {"y_true": "label", "y_pred": "pred", "sensitive": ["sex"], "positive_label": "approved"}


def test_a_path_under_home_written_with_a_tilde_is_read(tmp_path, monkeypatch):
    """'~/preds.csv' was 'no such file' (read as a folder named '~'), where pandas reads it."""
    monkeypatch.setenv("HOME", str(tmp_path))
    predictions_csv(tmp_path, n=300)
    result = audit_predictions("~/preds.csv", **KW)
    assert result.data["fairness"]["source"]["file"] == str(tmp_path / "preds.csv")
    assert result.data["data"]["splits"]["test"]["n_rows"] == 300


@pytest.mark.parametrize("url", ["s3://bucket/preds.parquet", "https://example.org/p.csv"])
def test_a_url_is_one_line_saying_to_download_it(url):
    """A URL was 's3:/bucket/preds.parquet: no such file' (a path, one slash lost)."""
    with pytest.raises(AuditorInputError) as err:
        audit_predictions(url, **KW)
    said = f"{url}: source: a URL: auditor reads a local CSV or Parquet file; download it first"
    assert str(err.value) == said
