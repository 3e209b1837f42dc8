"""A quoted ``~`` on the command line (``-p '~/p.csv'``, ``-o '~/x'``) is the home folder, as
auditor's Python API takes it: ``auditor audit -p '~/p.csv'`` said "no such file" (the
command's own read got the path as typed) but audited it with --dask-scheduler, and
``diff -o '~/d.md'`` wrote ./~/d.md. The working folder stays as it was."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from tests.builders import predictions_frame

runner = CliRunner()
ARGS = ["--sensitive", "sex", "--y-true", "label", "--y-pred", "pred",
        "--positive-label", "approved", "--exit-zero"]  # fmt: skip


@pytest.fixture
def home(home):
    """tests/conftest.py's home, holding p.csv; the working folder tmp_path/work, kept empty."""
    predictions_frame(n=600).to_csv(home / "p.csv", index=False)
    return home


@pytest.mark.parametrize("dask", [[], ["--dask-scheduler", "synchronous"]])
def test_audit_reads_and_writes_a_quoted_tilde_in_the_home_folder(home, tmp_path, dask):
    done = runner.invoke(app, ["audit", "-p", "~/p.csv", "-o", "~/runs/a", *ARGS, *dask])
    assert done.exit_code == 0, done.output
    assert (home / "runs" / "a" / "audit.json").is_file()
    assert list((tmp_path / "work").iterdir()) == []


def test_diff_writes_a_quoted_tilde_in_the_home_folder(home, tmp_path):
    assert runner.invoke(app, ["audit", "-p", "~/p.csv", "-o", "~/runs/a", *ARGS]).exit_code == 0
    done = runner.invoke(app, ["diff", "~/runs/a", "~/runs/a", "-o", "~/d.md"])
    assert done.exit_code == 0, done.output
    assert (home / "d.md").is_file()
    assert list((tmp_path / "work").iterdir()) == []
