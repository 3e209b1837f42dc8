"""The CSV reader's quieting of pyarrow's row-decoding traceback is installed only while rows
are parsed: the process's sys.unraisablehook is the caller's again after a read."""

from __future__ import annotations

import sys

import pytest

from auditor.api import audit_predictions
from auditor.errors import AuditorInputError


def _rows(n: int = 200) -> str:
    return "y_true,y_pred,sex\n" + "".join(f"{i % 2},{i % 3 % 2},{'FM'[i % 2]}\n"
                                           for i in range(n))  # fmt: skip


def test_a_read_puts_back_the_callers_unraisable_hook(tmp_path, monkeypatch):
    """The hook was replaced for good on the first CSV read, in the user's process too (a
    notebook's audit_predictions): a library changing a global and leaving it changed."""
    seen = []
    mine = seen.append
    monkeypatch.setattr(sys, "unraisablehook", mine)
    path = tmp_path / "p.csv"
    path.write_text(_rows())
    audit_predictions(path, y_true="y_true", y_pred="y_pred", sensitive=["sex"],
                      out_dir=tmp_path / "run")  # fmt: skip
    assert sys.unraisablehook is mine
    bad = tmp_path / "cut.csv"  # a row one field short, cut inside its 'é': refused
    bad.write_bytes((_rows() + "1,0").encode() + "é".encode()[:1])
    with pytest.raises(AuditorInputError):
        audit_predictions(bad, y_true="y_true", y_pred="y_pred", sensitive=["sex"],
                          out_dir=tmp_path / "run2")  # fmt: skip
    assert sys.unraisablehook is mine
    assert seen == []  # the quieted decoding error never reached the caller's hook


def test_a_dask_read_puts_back_the_callers_unraisable_hook(tmp_path, monkeypatch):
    mine = [].append
    monkeypatch.setattr(sys, "unraisablehook", mine)
    path = tmp_path / "p.csv"
    path.write_text(_rows())
    audit_predictions(path, y_true="y_true", y_pred="y_pred", sensitive=["sex"],
                      out_dir=tmp_path / "run", dask_scheduler="synchronous")  # fmt: skip
    assert sys.unraisablehook is mine
