"""``regate``, ``rerender``, ``run`` and ``AuditResult.write`` from Python named the command
line's ``--out`` where the caller wrote ``out_dir=`` (or ``folder``), and ``regate`` took a
baseline as a string to an AttributeError; each names its argument, and the commands
(``auditor gate``, ``auditor card``) still name their flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import auditor
from auditor.cli import app
from auditor.errors import AuditorInputError


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"y": rng.integers(0, 2, 300), "p": rng.integers(0, 2, 300),
                          "group": rng.choice(["a", "b"], 300)})  # fmt: skip
    out = tmp_path_factory.mktemp("rerun") / "run"
    auditor.audit_predictions(frame, y_true="y", y_pred="p", sensitive=["group"], out_dir=out)
    return out


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda run: auditor.regate(run, out_dir=run), "out_dir"),
        (lambda run: auditor.rerender(run, out_dir=run / "inside"), "out_dir"),
        (lambda run: auditor.AuditResult.load(run).write(5), "folder"),
        (lambda run: auditor.audit_predictions(run.parent / "nope.csv", y_true="y", y_pred="p",
                                               out_dir=5), "out_dir"),
    ],
)
def test_an_output_folder_refused_names_the_argument(run_dir, call, field):
    with pytest.raises(AuditorInputError) as err:
        call(run_dir)
    assert err.value.field == field and "--out" not in str(err.value), str(err.value)


def test_a_result_written_over_a_file_names_folder(run_dir, tmp_path):
    (tmp_path / "file").write_text("x")
    result = auditor.AuditResult.load(run_dir)
    with pytest.raises(AuditorInputError) as err:
        result.write(tmp_path / "file")
    assert str(err.value) == (f"{tmp_path / 'file'}: folder: is a file, not a folder (folder= "
                              "names the run folder)")  # fmt: skip


def test_run_names_out_dir_and_keeps_the_configs_keys(tmp_path):
    (tmp_path / "audit.toml").write_text('name = "x"\n')
    with pytest.raises(AuditorInputError) as err:
        auditor.run(tmp_path / "audit.toml", out_dir=5)
    assert err.value.field == "out_dir" and "got int" in str(err.value)


def test_regate_takes_a_baseline_and_a_config_as_strings(run_dir, tmp_path):
    # a str baseline was an AttributeError ('str' object has no attribute 'absolute')
    result = auditor.regate(run_dir, baseline=str(run_dir), out_dir=tmp_path / "g1")
    assert result.data["gates"]["status"] == "ok"
    (tmp_path / "gates.toml").write_text('[gates]\nfail_on = "warning"\n')
    again = auditor.regate(run_dir, config=str(tmp_path / "gates.toml"), out_dir=tmp_path / "g2")
    assert again.data["config"]["gates"]["fail_on"] == "warning"


@pytest.mark.parametrize("command", ["gate", "card"])
def test_the_commands_still_name_their_flag(run_dir, command):
    res = CliRunner().invoke(app, [command, str(run_dir), "--out", str(run_dir)])
    assert res.exit_code == 2, res.output
    assert f"{run_dir}: --out: is the run or inside it" in res.output, res.output



@pytest.mark.parametrize(
    ("call", "field", "kind"),
    [  # each was a TypeError from Path(5) (or Path({...})), not one line
        (lambda run: auditor.regate(run, out_dir=5), "out_dir", "int"),
        (lambda run: auditor.rerender(run, out_dir=5), "out_dir", "int"),
        (lambda run: auditor.regate(5), "run_dir", "int"),
        (lambda run: auditor.rerender(5), "run_dir", "int"),
        (lambda run: auditor.regate(run, baseline=5), "baseline", "int"),
        # AuditResult.load(5) was a raw TypeError from pathlib
        (lambda run: auditor.AuditResult.load(5), "path", "int"),
        (lambda run: auditor.AuditResult.load(None), "path", "NoneType"),
        (lambda run: auditor.AuditResult.load(pd.DataFrame()), "path", "DataFrame"),
        (lambda run: auditor.AuditResult.load(b"run"), "path", "bytes"),
    ],
)
def test_a_path_argument_of_another_type_is_one_line_naming_it(run_dir, call, field, kind):
    with pytest.raises(AuditorInputError) as err:
        call(run_dir)
    assert str(err.value) == f"{field}: a path (str or pathlib.Path), got {kind}"


@pytest.mark.parametrize("which", ["baseline", "config"])
def test_a_missing_baseline_or_config_names_the_argument_and_the_flag(run_dir, tmp_path, which):
    # '/x/nope: no such file' named the file alone, not what named it
    nope = tmp_path / "nope"
    with pytest.raises(AuditorInputError) as err:
        auditor.regate(run_dir, out_dir=tmp_path / "g", **{which: nope})
    assert str(err.value) == f"{nope}: {which}: no such file"
    res = CliRunner().invoke(app, ["gate", str(run_dir), f"--{which}", str(nope),
                                   "--out", str(tmp_path / "g")])  # fmt: skip
    assert res.exit_code == 2 and f"{nope}: --{which}: no such file" in res.output, res.output
    assert not (tmp_path / "g").exists()
