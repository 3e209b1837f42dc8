"""What the verdict line says made warnings fail: the flag where this command's --fail-on was
given, the config's key where this command's config set it, and neither where the setting
came from the run's audit.json (`auditor gate RUN --fail-on warning` printed "fail_on =
warning", a key the user never wrote; `auditor gate RUN` after `run --fail-on warning` did too).
The cards and summary.md, rendered from audit.json alone, say "(warnings fail)" in the
terminal's words (one source: auditor.report.decision.warnings_fail)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from tests.builders import predictions_frame

runner = CliRunner()
STRICT = '[gates]\nmin_count = 100000\nfail_on = "warning"\n'


@pytest.fixture(scope="module")
def warned(tmp_path_factory):
    """A predictions audit whose gates warn (every group below gates.min_count), and one whose
    config makes those warnings fail (run_strict)."""
    base = tmp_path_factory.mktemp("failon")
    predictions_frame(300, seed=2).to_csv(base / "p.csv", index=False)
    (base / "c.toml").write_text("[gates]\nmin_count = 100000\n")
    (base / "strict.toml").write_text(STRICT)
    args = ["audit", "-p", str(base / "p.csv"), "--y-true", "label", "--y-pred", "pred",
            "--positive-label", "approved", "--sensitive", "sex"]  # fmt: skip
    res = runner.invoke(app, [*args, "--config", str(base / "c.toml"), "-o", str(base / "run")])
    assert res.exit_code == 0 and "Gates: WARN" in res.output, res.output
    res = runner.invoke(app, [*args, "--config", str(base / "strict.toml"),
                              "-o", str(base / "run_strict")])  # fmt: skip
    assert res.exit_code == 1, res.output
    assert "Gates: FAIL (warnings fail: fail_on = warning) (" in res.output, res.output
    return base


def _reports_say_warnings_fail(folder):
    """The cards and summary.md: '(warnings fail)', naming neither the flag nor the key."""
    for name in ("model_card.md", "model_card.html", "summary.md"):
        text = (folder / name).read_text(encoding="utf-8")
        assert "(warnings fail)" in text, name
        assert "fail_on" not in text.split("(warnings fail")[1][:40], name


def test_the_flag_is_named_where_it_was_given(warned, tmp_path):
    res = runner.invoke(app, ["gate", str(warned / "run"), "--fail-on", "warning",
                              "-o", str(tmp_path / "g")])  # fmt: skip
    assert res.exit_code == 1, res.output
    assert "Gates: FAIL (warnings fail: --fail-on warning) (" in res.output, res.output
    assert "fail_on" not in (tmp_path / "g" / "summary.md").read_text(encoding="utf-8")


def test_the_config_key_is_named_where_the_config_set_it(warned, tmp_path):
    res = runner.invoke(app, ["gate", str(warned / "run"), "--config", str(warned / "strict.toml"),
                              "-o", str(tmp_path / "g")])  # fmt: skip
    assert res.exit_code == 1, res.output
    assert "Gates: FAIL (warnings fail: fail_on = warning) (" in res.output, res.output


def test_neither_is_named_where_the_run_set_it(warned, tmp_path):
    res = runner.invoke(app, ["gate", str(warned / "run_strict"), "-o", str(tmp_path / "g")])
    assert res.exit_code == 1, res.output
    assert "Gates: FAIL (warnings fail) (" in res.output, res.output


def test_the_cards_and_summary_name_neither(warned):
    _reports_say_warnings_fail(warned / "run_strict")
