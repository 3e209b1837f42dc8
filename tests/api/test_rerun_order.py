"""``auditor gate RUN --config F`` read F before the run and ``--out`` (735640d, so that a
config error comes back before the api's imports) while ``regate`` read the run first: with a
bad run and a bad F, the command line named F and Python the run, and an F refused by its
rules (an unknown metric) was named after the run on both. One order now, the same for both:
F (read once, its rules checked), the run's audit.json, ``--out``, the baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import auditor
from auditor.cli import app
from auditor.errors import AuditorInputError

runner = CliRunner()
BAD_VALUE = '[[gates.rules]]\nname = "x"\nmetric = "m"\nmax = "high"\n'
BAD_METRIC = '[[gates.rules]]\nname = "x"\nmetric = "no.such.metric"\nmax = 0.5\n'


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"y": rng.integers(0, 2, 300), "p": rng.integers(0, 2, 300),
                          "group": rng.choice(["a", "b"], 300)})  # fmt: skip
    out = tmp_path_factory.mktemp("order") / "run"
    auditor.audit_predictions(frame, y_true="y", y_pred="p", sensitive=["group"], out_dir=out)
    return out


def _cases(run_dir, tmp_path):
    """(run, config, out) each with a bad config and something else bad."""
    (tmp_path / "badval.toml").write_text(BAD_VALUE)
    (tmp_path / "badmetric.toml").write_text(BAD_METRIC)
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "audit.json").write_text("{")
    return [
        (tmp_path / "nope", tmp_path / "badval.toml", None),
        (tmp_path / "nope", tmp_path / "badmetric.toml", None),
        (corrupt, tmp_path / "nope.toml", None),
        (run_dir, tmp_path / "badval.toml", run_dir / "inside"),
        (run_dir, tmp_path / "badmetric.toml", run_dir / "inside"),
    ]


def test_a_bad_config_is_named_first_by_the_command_line_and_by_python(run_dir, tmp_path):
    for run, config, out in _cases(run_dir, tmp_path):
        args = ["gate", str(run), "--config", str(config)] + (["--out", str(out)] if out else [])
        said = runner.invoke(app, args)
        assert said.exit_code == 2, said.output
        assert f"error: {config}: " in said.output, (args, said.output)
        with pytest.raises(AuditorInputError) as err:
            auditor.regate(run, config=config, out_dir=out)
        assert str(err.value).startswith(f"{config}: "), (run, config, str(err.value))
    assert not (run_dir / "inside").exists()


def test_then_the_run_then_out_then_the_baseline(run_dir, tmp_path):
    (tmp_path / "base.toml").write_text('[gates]\nbaseline = "nope.json"\n')
    config = tmp_path / "base.toml"
    for run, out, named in [(tmp_path / "nope", run_dir / "inside", tmp_path / "nope"),
                            (run_dir, run_dir / "inside", run_dir / "inside"),
                            (run_dir, tmp_path / "g", "nope.json")]:  # fmt: skip
        said = runner.invoke(app, ["gate", str(run), "--config", str(config), "--out", str(out)])
        assert said.exit_code == 2 and f"error: {named}: " in said.output, said.output
        with pytest.raises(AuditorInputError) as err:
            auditor.regate(run, config=config, out_dir=out)
        assert str(err.value).startswith(f"{named}: "), str(err.value)


def test_gate_reads_its_config_once(run_dir, tmp_path, monkeypatch):
    """The command line read --config, threw it away, and regate read it again: 0.7 s more
    on a 0.9 MB config of 12,000 rules."""
    from auditor.api import _rerun
    from auditor.config import predictions_file

    read = []
    real = predictions_file.load_predictions_config

    def counted(path):
        read.append(path)
        return real(path)

    monkeypatch.setattr(predictions_file, "load_predictions_config", counted)
    monkeypatch.setattr(_rerun, "load_predictions_config", counted)
    (tmp_path / "gates.toml").write_text("[gates]\nmin_count = 10\n")
    said = runner.invoke(app, ["gate", str(run_dir), "--config", str(tmp_path / "gates.toml"),
                               "--out", str(tmp_path / "g"), "--exit-zero"])  # fmt: skip
    assert said.exit_code == 0, said.output
    assert len(read) == 1
    written = auditor.AuditResult.load(tmp_path / "g").data
    assert written["config"]["gates"]["min_count"] == 10
    assert written["gates"]["config_file"] == str(tmp_path / "gates.toml")


def test_regate_takes_a_config_read_and_the_file_it_came_from(run_dir, tmp_path):
    from auditor.config.predictions_file import load_predictions_config

    (tmp_path / "gates.toml").write_text('[gates]\nbaseline = "base"\n')
    auditor.regate(run_dir, out_dir=tmp_path / "base")
    read = load_predictions_config(tmp_path / "gates.toml")[0]
    result = auditor.regate(run_dir, config=read, config_file=tmp_path / "gates.toml",
                            out_dir=tmp_path / "g")  # fmt: skip
    assert result.data["gates"]["config_file"] == str(tmp_path / "gates.toml")
    assert result.data["config"]["gates"]["baseline"] == str((tmp_path / "base").resolve())


@pytest.mark.parametrize("config_file", [None, "good.toml"])
@pytest.mark.parametrize(("config", "kind"), [(5, "int"), ({"a": 1}, "dict"), ("", "an empty path"),
                                              (" ", "an empty path")])  # fmt: skip
def test_a_config_of_another_type_says_an_audit_config_is_taken_too(run_dir, config, kind,
                                                                    config_file):  # fmt: skip
    """'config: a path (str or pathlib.Path), got dict', though an AuditConfig is taken; with
    config_file= beside it, config_file was blamed as if config were a path; config="" said
    'empty: name a folder', where config names a TOML file: config's type is checked first,
    in auditor.run's words."""
    for flags in (False, True):
        with pytest.raises(AuditorInputError) as err:
            auditor.regate(run_dir, config=config, config_file=config_file, flags=flags)
        assert str(err.value) == (
            "config: a TOML config file's path (str or pathlib.Path) or an AuditConfig "
            f"(auditor.load_config(path), with config_file=path), got {kind}"
        )


@pytest.mark.parametrize("config", ["a path", None])
def test_config_file_is_taken_only_with_an_audit_config(run_dir, tmp_path, config):
    """config_file= beside config= a path was ignored (the path's file recorded), and with no
    config it was ignored too (the run's own gates, config_file None): one line now."""
    (tmp_path / "good.toml").write_text("[gates]\nmin_count = 10\n")
    (tmp_path / "other.toml").write_text(BAD_METRIC)
    given = tmp_path / "good.toml" if config else None
    with pytest.raises(AuditorInputError) as err:  # named before the run (no such folder)
        auditor.regate(tmp_path / "nope", config=given, config_file=tmp_path / "other.toml",
                       out_dir=tmp_path / "g")  # fmt: skip
    found = "config= a path" if config else "no config="
    assert str(err.value) == (
        "config_file: the file config= was read from, taken only with config= an AuditConfig; "
        f"with {found} it would be ignored (config=path reads and records the file itself)"
    )
    assert not (tmp_path / "g").exists()


def test_fail_on_is_checked_first_with_or_without_a_config(tmp_path):
    # with config=, a bad fail_on was named before the run; without, after it
    (tmp_path / "good.toml").write_text("[gates]\nmin_count = 10\n")
    for config in (tmp_path / "good.toml", None):
        with pytest.raises(AuditorInputError) as err:
            auditor.regate(tmp_path / "nope", config=config, fail_on="bogus")
        assert err.value.field == "fail_on", str(err.value)
