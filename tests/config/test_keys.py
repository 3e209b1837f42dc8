"""auditor.config.keys: a config's problem as the key the user wrote and what is wrong."""

from __future__ import annotations

from typer.testing import CliRunner

from auditor.api import AuditResult
from auditor.cli import app
from auditor.errors import AuditorInputError

runner = CliRunner()
MISSPELT = '[[gates.rules]]\nmetrc = "performance.finetuned.test.accuracy"\nmin = 0.5\n'
HINT = "rules[0].metrc: unknown key (did you mean 'metric'?)"


def test_a_misspelt_rule_key_is_named_before_the_key_it_leaves_missing(tmp_path):
    """From a config file a rule {metrc = ..., min = 0.5} said 'gates.rules[0].metric: Field
    required (and 1 more)', where the API named the misspelt key (its errors were sorted,
    the config's were not)."""
    cfg = tmp_path / "bad.toml"
    cfg.write_text(MISSPELT)
    result = runner.invoke(app, ["run", str(cfg), "--out", str(tmp_path / "o"), "--quiet"])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(f"gates.{HINT} (and 1 more)"), lines
    assert "Traceback" not in result.output and not (tmp_path / "o").exists()


def test_the_api_and_a_config_file_name_the_same_problem():
    audit = {"config": {}}  # the rules are read before any section
    try:
        AuditResult(data=audit, run_dir=None).gate([{"metrc": "x", "min": 0.5}])
    except AuditorInputError as exc:
        assert str(exc).endswith(f"{HINT} (and 1 more)"), str(exc)
    else:
        raise AssertionError("a misspelt rule key passed")
