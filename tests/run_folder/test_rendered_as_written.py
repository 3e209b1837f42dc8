"""A run's cards are rendered from its audit as audit.json holds it, as `auditor card`
renders them again: a path's byte that is not UTF-8 (held as a lone surrogate) is written to
audit.json as its escape's text ('c\\udcff.csv'), which a re-render showed as a typed
backslash ('c\\\\udcff.csv'), where the run's first card showed the byte (R15 #2)."""

from __future__ import annotations

import os
import sys

from auditor.cli import exit_code_of
from tests.builders import PREDICTION_ARGS, predictions_csv


def test_a_card_rendered_again_equals_the_runs_first(tmp_path, monkeypatch, capsys):
    data = predictions_csv(tmp_path, n=300).rename(tmp_path / os.fsdecode(b"c\xff.csv"))
    run, again = tmp_path / "run", tmp_path / "again"
    args = ["audit", "-p", str(data), *PREDICTION_ARGS, "-o", str(run), "-q"]
    monkeypatch.setattr(sys, "argv", ["auditor", *args])
    assert exit_code_of(args) == 0, capsys.readouterr().err
    assert exit_code_of(["card", str(run), "-o", str(again)]) == 0, capsys.readouterr().err
    for name in ("model_card.html", "model_card.md", "summary.md", "junit.xml"):
        assert (run / name).read_bytes() == (again / name).read_bytes(), name
    assert "c\\\\udcff.csv" in (run / "model_card.html").read_text(encoding="utf-8")
