"""What the verdict line says made warnings fail: the flag where --fail-on was given, the
config's key where the config set it (`auditor gate RUN --fail-on warning` printed
"fail_on = warning", a key the user never wrote)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from tests.builders import predictions_frame

runner = CliRunner()


@pytest.fixture(scope="module")
def warned(tmp_path_factory):
    """A predictions audit whose gates warn (every group below gates.min_count)."""
    base = tmp_path_factory.mktemp("failon")
    predictions_frame(300, seed=2).to_csv(base / "p.csv", index=False)
    (base / "c.toml").write_text("[gates]\nmin_count = 100000\n")
    args = ["audit", "-p", str(base / "p.csv"), "--y-true", "label", "--y-pred", "pred",
            "--positive-label", "approved", "--sensitive", "sex", "--config", str(base / "c.toml")]
    res = runner.invoke(app, [*args, "-o", str(base / "run")])
    assert res.exit_code == 0 and "Gates: WARN" in res.output, res.output
    return base


def test_the_flag_is_named_where_it_was_given(warned, tmp_path):
    res = runner.invoke(app, ["gate", str(warned / "run"), "--fail-on", "warning",
                              "-o", str(tmp_path / "g")])  # fmt: skip
    assert res.exit_code == 1, res.output
    assert "Gates: FAIL (warnings fail: --fail-on warning) (" in res.output, res.output
    assert "fail_on" not in (tmp_path / "g" / "summary.md").read_text(encoding="utf-8")


def test_the_config_key_is_named_where_the_config_set_it(warned, tmp_path):
    strict = tmp_path / "strict.toml"
    strict.write_text('[gates]\nmin_count = 100000\nfail_on = "warning"\n')
    res = runner.invoke(app, ["gate", str(warned / "run"), "--config", str(strict),
                              "-o", str(tmp_path / "g")])  # fmt: skip
    assert res.exit_code == 1, res.output
    assert "Gates: FAIL (warnings fail: fail_on = warning) (" in res.output, res.output
