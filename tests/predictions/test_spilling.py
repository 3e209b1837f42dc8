"""A predictions file whose scores are spilled to disk audits to the numbers of the in-memory
path (every ROC AUC, log loss, ECE, threshold sweep: the same floats); the spill folder is
gone afterwards, also after a reading error; small files keep the in-memory path."""

from __future__ import annotations

import gzip
import json
import math
import tempfile

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from auditor.api import audit_predictions
from auditor.errors import AuditorInputError
from auditor.fairness.score_axis import ScoreAxis
from auditor.fairness.spill_cells import SpilledAxis
from auditor.fairness.threshold import GRID
from auditor.predictions import spilling
from auditor.predictions.read import reduce_predictions
from tests.builders import predictions_columns, predictions_frame

N = 20_000


def _write(folder, kind: str, *, bad_row: int | None = None):
    frame = predictions_frame(N, seed=3)
    score = frame["score"].to_numpy().copy()
    score[: N // 4] = np.round(score[: N // 4], 2)  # ties within and across groups
    score[N // 4 : N // 4 + 200] = np.array(GRID)[np.arange(200) % len(GRID)]  # on the grid
    if bad_row is not None:
        score[bad_row] = 1.5
    frame["score"] = score
    path = folder / f"preds.{kind}"
    if kind.startswith("csv"):
        frame.to_csv(path, index=False)  # gzipped for .csv.gz
    else:
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    return path


@pytest.fixture
def spill_everything(monkeypatch, tmp_path):
    """Every file spills, with a budget of 1,024 records (many partitions, splits); the
    spill folders go under a temp dir of the test's own."""
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(spilling, "SPILL_ROWS", 0)
    monkeypatch.setattr(spilling, "SPILL_BUDGET", 1024)
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return temp


def _untimed(node):
    if isinstance(node, dict):
        return {k: _untimed(v) for k, v in node.items()
                if k not in ("timings_s", "created_at", "seconds")}  # fmt: skip
    return [_untimed(v) for v in node] if isinstance(node, list) else node


def _audit(path) -> dict:
    return _untimed(audit_predictions(path, predictions_columns(), positive_label="approved",
                                      batch_rows=3000, command="test").data)  # fmt: skip


@pytest.mark.parametrize("kind", ["csv", "csv.gz", "parquet"])
def test_a_spilled_file_audits_to_the_in_memory_numbers(kind, tmp_path, spill_everything):
    path = _write(tmp_path, kind)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(spilling, "SPILL_ROWS", 10**12)
        want = _audit(path)
    got = _audit(path)
    engine = got["fairness"]["source"].pop("engine")
    assert engine == want["fairness"]["source"].pop("engine") + spilling.SPILLED
    assert json.dumps(got, sort_keys=True) == json.dumps(want, sort_keys=True)
    groups = got["fairness"]["scores"]["features"]
    assert len(groups["sex & region"]) == 8 and not math.isnan(groups["sex"][0]["roc_auc"]["value"])
    assert not any(spill_everything.iterdir())  # the spill folder removed


def test_a_reading_error_midway_leaves_no_spill(tmp_path, spill_everything):
    path = _write(tmp_path, "csv", bad_row=N - 10)
    with pytest.raises(AuditorInputError, match=f"data row {N - 9}\\b"):
        reduce_predictions(path, predictions_columns(), positive_label="approved",
                           batch_rows=3000)  # fmt: skip
    assert not any(spill_everything.iterdir())


def test_the_groups_counted_are_those_asked_for(tmp_path, spill_everything):
    path = _write(tmp_path, "parquet")
    pc = reduce_predictions(path, predictions_columns(), positive_label="approved",
                            specs=[("sex",)])  # fmt: skip
    assert isinstance(pc.score_axis, SpilledAxis)
    cells = pc.cells
    pos = [(c, v) for c in cells if c[0] == "F" for v in cells[c] if v == "approved"]
    neg = [(c, v) for c in cells if c[0] == "F" for v in cells[c] if v != "approved"]
    assert 0 < pc.score_axis.auc(cells, pos, neg) < 1
    north = [(c, v) for c in cells if c[1] == "north" for v in cells[c] if v == "approved"]
    with pytest.raises(ValueError, match="not counted"):
        pc.score_axis.auc(cells, north, [(c, v) for c in cells if c[1] == "north"
                                         for v in cells[c] if v != "approved"])  # fmt: skip


def test_small_files_keep_the_in_memory_path(tmp_path):
    pc = reduce_predictions(_write(tmp_path, "parquet"), predictions_columns(),
                            positive_label="approved")  # fmt: skip
    assert isinstance(pc.score_axis, ScoreAxis)
    assert spilling.SPILLED not in pc.engine


def test_expected_rows_of_parquet_and_csv(tmp_path):
    parquet = _write(tmp_path, "parquet")
    assert spilling.expected_rows(parquet, metadata=pq.read_metadata(parquet)) == N
    csv = _write(tmp_path, "csv")
    assert spilling.expected_rows(csv) == pytest.approx(N, rel=0.05)
    big = tmp_path / "big.csv.gz"
    with gzip.open(big, "wb") as fh:
        for _ in range(30):  # 30 N rows, more than the 8 MiB read
            fh.write(csv.read_bytes().split(b"\n", 1)[1])
    assert spilling.expected_rows(big) == pytest.approx(30 * N, rel=0.1)
    assert spilling.expected_rows(tmp_path / "missing.parquet") == 0


def test_all_specs_is_every_combination():
    assert spilling.all_specs(["a", "b", "c"]) == [
        ("a",), ("b",), ("c",), ("a", "b"), ("a", "c"), ("b", "c"), ("a", "b", "c")
    ]  # fmt: skip


def test_the_api_counts_the_groups_its_config_audits(tmp_path, spill_everything):
    """audit_predictions passes the config's groups (here no intersection) to the spilled
    read, which counts only those: the same audit as in memory."""
    from auditor.config import AuditConfig, FairnessConfig

    path = _write(tmp_path, "parquet")
    config = AuditConfig(name="preds", fairness=FairnessConfig(intersections="none"))

    def audit() -> dict:
        return _untimed(audit_predictions(path, predictions_columns(), config=config,
                                          positive_label="approved", batch_rows=3000,
                                          command="test").data)  # fmt: skip

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(spilling, "SPILL_ROWS", 10**12)
        want = audit()
    got = audit()
    assert "sex & region" not in got["fairness"]["features"]
    assert "spilled" in got["fairness"]["source"]["engine"]
    for doc in (want, got):
        doc["fairness"]["source"].pop("engine")
    assert json.dumps(got, sort_keys=True) == json.dumps(want, sort_keys=True)


def test_missing_groups_and_padded_labels_spill_to_the_same_numbers(tmp_path, spill_everything):
    """Rows with no group (--missing-group) and labels with spaces around them: the spilled
    read counts the same AUCs as the in-memory read of the same file."""
    frame = predictions_frame(3000, seed=15)
    frame["sex"] = frame["sex"].astype(object)
    frame.loc[::7, "sex"] = None
    frame.loc[::5, "region"] = " " + frame["region"] + " "
    path = tmp_path / "gaps.parquet"
    frame.to_parquet(path)
    cols = predictions_columns()
    cols = type(cols)(**{**cols.__dict__, "missing_group": "(missing)"})
    spilled = reduce_predictions(path, cols, positive_label="approved", batch_rows=500)
    assert spilled.engine.endswith(spilling.SPILLED)
    assert "(missing)" in spilled.table.group_labels[0]

    def audit() -> dict:
        data = audit_predictions(path, cols, positive_label="approved", batch_rows=500,
                                 command="test").data  # fmt: skip
        data["fairness"]["source"].pop("engine")
        return _untimed(data)

    got = audit()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(spilling, "SPILL_ROWS", 10**12)
        want = audit()
    assert json.dumps(got, sort_keys=True) == json.dumps(want, sort_keys=True)
    groups = got["fairness"]["scores"]["features"]["sex"]
    assert any(g["group"] == "(missing)" and not math.isnan(g["roc_auc"]["value"]) for g in groups)


@pytest.mark.parametrize("spill_rows", [N - 1, N])
def test_a_scored_parquet_files_footer_is_parsed_once(tmp_path, monkeypatch, spill_rows):
    # expected_rows parsed it for the spill's row count, then the reader again
    path = _write(tmp_path, "parquet")
    parsed, real_file, real_metadata = [], pq.ParquetFile, pq.read_metadata

    def parquet_file(source, *args, **kwargs):
        if kwargs.get("metadata") is None:
            parsed.append("ParquetFile")
        return real_file(source, *args, **kwargs)

    def read_metadata(*args, **kwargs):
        parsed.append("read_metadata")
        return real_metadata(*args, **kwargs)

    monkeypatch.setattr(pq, "ParquetFile", parquet_file)
    monkeypatch.setattr(pq, "read_metadata", read_metadata)
    done = reduce_predictions(path, predictions_columns(), positive_label="approved",
                              spill_rows=spill_rows)  # fmt: skip
    assert ("spilled" in done.engine) == (spill_rows < N) and done.table.n == N
    assert len(parsed) == 1, parsed


def test_a_parquet_files_rows_come_from_its_footer_given_not_parsed_again(tmp_path, monkeypatch):
    # expected_rows parsed a footer not given (only tests reached it): a fourth parser
    path = _write(tmp_path, "parquet")

    parsed, real = [], pq.ParquetFile

    def parquet_file(*args, **kwargs):
        parsed.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(pq, "ParquetFile", parquet_file)
    assert spilling.expected_rows(path) == 0 and parsed == []
