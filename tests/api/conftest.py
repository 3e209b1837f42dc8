"""Fixtures shared by the API's tests."""

from __future__ import annotations

import shutil

import pytest

from tests.builders import predictions_audit


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two predictions runs (folders a and b, other seeds): one run's result written, or
    gated, into the other's folder."""
    folder = tmp_path_factory.mktemp("runs")
    first = predictions_audit(folder / "a").run_dir
    second = predictions_audit(folder / "b", seed=1).run_dir
    return first, second


@pytest.fixture
def work(runs, tmp_path, monkeypatch):
    """Copies of the two runs, a and b, in the working folder."""
    for name, run in zip("ab", runs, strict=True):
        shutil.copytree(run, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path
