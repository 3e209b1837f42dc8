"""A Ctrl-C or SIGTERM that lands after the run folder was swapped in (while the summary
prints, or the lock is let go) is still exit 130 / 143, and its one line says the folder was
written: "no report was written" sent a user back to a previous report that was gone."""

from __future__ import annotations

import pytest

from auditor import run_folder
from auditor.errors import (
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    INTERRUPTED,
    INTERRUPTED_AFTER,
    TERMINATED_AFTER,
    Terminated,
)
from tests.builders import leftovers, predictions_csv

COLS = ["--sensitive", "sex", "--y-true", "label", "--y-pred", "pred", "--y-score", "score",
        "--positive-label", "approved", "--exit-zero"]  # fmt: skip


def _swap_then(signal_error: type[BaseException]):
    swap = run_folder.swap_in

    def swap_then_signal(stage, out_dir):
        swap(stage, out_dir)
        raise signal_error

    return swap_then_signal


@pytest.mark.parametrize(
    ("error", "code", "line"),
    [(KeyboardInterrupt, EXIT_INTERRUPTED, INTERRUPTED_AFTER),
     (Terminated, EXIT_TERMINATED, TERMINATED_AFTER)],
)  # fmt: skip
def test_a_signal_after_the_swap_says_the_folder_was_written(
    tmp_path, monkeypatch, capsys, error, code, line
):
    from auditor.cli import exit_code_of

    csv = predictions_csv(tmp_path, n=300)
    out = tmp_path / "run"
    monkeypatch.setattr(run_folder, "swap_in", _swap_then(error))
    assert exit_code_of(["audit", "-p", str(csv), *COLS, "--out", str(out)]) == code
    assert (out / "audit.json").is_file() and leftovers(tmp_path) == []
    assert capsys.readouterr().err == line.format(path=out.resolve()) + "\n"


def test_the_next_command_interrupted_before_its_swap_says_nothing_was_written(
    tmp_path, monkeypatch, capsys
):
    from auditor.cli import exit_code_of

    csv = predictions_csv(tmp_path, n=300)
    args = ["audit", "-p", str(csv), *COLS, "--out", str(tmp_path / "run")]
    assert exit_code_of(args) == 0
    capsys.readouterr()

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(run_folder, "render_all", interrupted)
    assert exit_code_of(args) == EXIT_INTERRUPTED
    assert capsys.readouterr().err == INTERRUPTED + "\n"
