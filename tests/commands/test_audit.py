"""`auditor audit --predictions`: the model-agnostic audit on files no scenario produced."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from auditor.api import AuditResult
from auditor.cli import app
from tests.builders import predictions_frame

runner = CliRunner()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    base = tmp_path_factory.mktemp("pred")
    frame = predictions_frame()
    frame.to_csv(base / "preds.csv", index=False)
    frame.to_parquet(base / "preds.parquet")
    return base, frame


ARGS = [
    "--sensitive",
    "sex",
    "--sensitive",
    "region",
    "--y-true",
    "label",
    "--y-pred",
    "pred",
    "--y-score",
    "score",
    "--positive-label",
    "approved",
    "--exit-zero",
]


def test_audit_writes_the_run_folder(files, tmp_path):
    base, frame = files
    out = tmp_path / "run"
    res = runner.invoke(
        app, ["audit", "--predictions", str(base / "preds.csv"), "--out", str(out), *ARGS]
    )
    assert res.exit_code == 0, res.output
    for name in ("audit.json", "model_card.html", "model_card.md"):
        assert (out / name).is_file()
    data = AuditResult.load(out).data  # validates against the schema
    fair = data["fairness"]
    assert fair["n"] == len(frame) and fair["positive_class"] == "approved"
    assert set(fair["features"]) == {"sex", "region", "sex & region"}
    tiny = next(g for g in fair["features"]["region"]["groups"] if g["group"] == "tiny")
    assert tiny["status"] == "insufficient_data"
    for name in ("privacy", "explanations"):
        assert data[name]["status"] == "not_run" and data[name]["reason"]
    perf = data["performance"]["finetuned"]["test"]
    from sklearn import metrics as skm

    y = (frame["label"] == "approved").astype(int)
    assert perf["accuracy"] == pytest.approx((frame["label"] == frame["pred"]).mean(), abs=1e-12)
    assert perf["roc_auc"] == pytest.approx(skm.roc_auc_score(y, frame["score"]), abs=1e-4)
    assert perf["log_loss"] == pytest.approx(skm.log_loss(y, frame["score"]), abs=1e-9)
    html = (out / "model_card.html").read_text()
    assert "sex &amp; region" in html and "whisker" in html
    # the card claims nothing about a model it never saw: no parameter count, no training table
    md = (out / "model_card.md").read_text()
    for card in (html, md):
        assert "auditor did not train this model" in card
        assert " parameters, " not in card and "Early stopping" not in card
        assert "holdout" not in card  # empty splits of a predictions file are not listed


@pytest.mark.parametrize(
    ("change", "args", "message"),
    [
        (None, ["--sensitive", "race"], "no column 'race'"),
        ("nan_group", ["--sensitive", "sex"], "sex: empty or missing group label at data row 4"),
        ("one_class", ["--sensitive", "sex"], "single class"),
        (
            "bad_score",
            ["--sensitive", "sex", "--y-score", "score"],
            "score 1.5 at data row 6 is above 1;",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, change, args, message):
    frame = predictions_frame(200)
    if change == "nan_group":
        frame.loc[3, "sex"] = None
    if change == "one_class":
        frame["label"] = "denied"
        frame["pred"] = "denied"
    if change == "bad_score":
        frame.loc[5, "score"] = 1.5
    path = tmp_path / "p.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "out"
    res = runner.invoke(
        app,
        [
            "audit",
            "--predictions",
            str(path),
            "--y-true",
            "label",
            "--y-pred",
            "pred",
            "--out",
            str(out),
            *args,
        ],
    )
    assert res.exit_code == 2, res.output
    assert message in res.output and "Traceback" not in res.output
    assert not out.exists()


def test_group_without_positives_is_nan_with_reason(tmp_path):
    frame = predictions_frame(2000)
    frame.loc[frame["sex"] == "F", "label"] = "approved"  # no 'denied' (positive) rows for F
    path = tmp_path / "p.parquet"
    frame.to_parquet(path)
    res = runner.invoke(
        app,
        [
            "audit",
            "--predictions",
            str(path),
            "--out",
            str(tmp_path / "o"),
            "--y-true",
            "label",
            "--y-pred",
            "pred",
            "--sensitive",
            "sex",
            "--positive-label",
            "denied",
            "--exit-zero",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads((tmp_path / "o" / "audit.json").read_text())
    f = next(g for g in data["fairness"]["features"]["sex"]["groups"] if g["group"] == "F")
    assert f["metrics"]["recall"]["value"] is None
    assert f["metrics"]["recall"]["reason"] == "the group has no positive rows"


def test_multiclass_predictions_get_one_vs_rest_rates(tmp_path):
    rng = np.random.default_rng(3)
    n = 3000
    y = rng.choice(["cat", "dog", "owl"], n)
    pred = np.where(rng.random(n) < 0.7, y, rng.choice(["cat", "dog", "owl"], n))
    path = tmp_path / "mc.csv"
    pd.DataFrame({"y_true": y, "y_pred": pred, "site": rng.choice(["A", "B"], n)}).to_csv(
        path, index=False
    )
    res = runner.invoke(
        app,
        [
            "audit",
            "-p",
            str(path),
            "--sensitive",
            "site",
            "--out",
            str(tmp_path / "o"),
            "--exit-zero",
        ],
    )
    assert res.exit_code == 0, res.output
    fair = AuditResult.load(tmp_path / "o").data["fairness"]
    assert fair["positive_class"] is None and fair["classes"] == ["cat", "dog", "owl"]
    metrics = fair["features"]["site"]["groups"][0]["metrics"]
    assert {"recall@cat", "fpr@dog", "selection_rate@owl"} <= set(metrics)
    assert "demographic_parity_difference@owl" in fair["features"]["site"]["disparities"]
    assert "Recall owl" in (tmp_path / "o" / "model_card.html").read_text()


def test_failing_gate_is_named_and_exits_1(files, tmp_path):
    base, _ = files
    cfg = tmp_path / "strict.toml"
    cfg.write_text(
        "[[gates.rules]]\n"
        'name = "sex: selection-rate gap"\n'
        'metric = "fairness.features.sex.disparities.'
        'demographic_parity_difference.between_groups"\n'
        "max = 0.0\n"
    )
    args = [a for a in ARGS if a != "--exit-zero"]
    out = tmp_path / "run"
    result = runner.invoke(
        app, ["audit", "-p", str(base / "preds.csv"), *args, "--config", str(cfg), "-o", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert "FAIL  sex: selection-rate gap" in result.output
    junit = (out / "junit.xml").read_text()
    assert 'name="sex: selection-rate gap"' in junit and "<failure" in junit
    again = runner.invoke(
        app, ["audit", "-p", str(base / "preds.csv"), *ARGS, "--config", str(cfg), "-o", str(out)]
    )
    assert again.exit_code == 0 and "FAIL  sex: selection-rate gap" in again.output


def test_default_out_is_reports_and_the_file_stem(files, tmp_path, monkeypatch):
    base, _ = files
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["audit", "-p", str(base / "preds.csv"), *ARGS])  # no --out
    assert result.exit_code == 0, result.output
    assert (tmp_path / "reports" / "preds" / "audit.json").is_file()
    assert "reports/preds/model_card.html" in result.output


@pytest.mark.parametrize(
    ("file_name", "run_name"),
    [("new\nline.csv", "new_line"), ("tab\there.csv", "tab_here"), ("back\\slash.csv",
     "back_slash"), ("....csv", "predictions")],
)  # fmt: skip
def test_a_file_name_no_run_name_takes_still_names_the_default_run(
    files, tmp_path, monkeypatch, file_name, run_name
):
    """The default run name is the file's stem; a stem with a line break, a tab, a backslash
    or only dots was refused by the name's validator: an internal error."""
    base, _ = files
    monkeypatch.chdir(tmp_path)
    odd = tmp_path / file_name
    odd.write_bytes((base / "preds.csv").read_bytes())
    result = runner.invoke(app, ["audit", "-p", str(odd), *ARGS])  # no --out
    assert result.exit_code == 0, result.output
    audit = json.loads((tmp_path / "reports" / run_name / "audit.json").read_text())
    assert audit["run"]["name"] == run_name


def test_missing_group_audits_unknown_demographics_and_says_so(tmp_path):
    """Without --missing-group one unknown value refuses the file (exit 2, the first data
    row, the flag named); with it they are the group '(missing)', counted in the terminal,
    audit.json and the card; the config's data.missing_group is the default."""
    frame = predictions_frame(600, seed=7)
    frame["sex"] = frame["sex"].astype(object)
    frame.loc[[0, 5, 9], "sex"] = None
    path = tmp_path / "gaps.csv"
    frame.to_csv(path, index=False)
    base = ["audit", "-p", str(path), "--y-true", "label", "--y-pred", "pred",
            "--positive-label", "approved", "--sensitive", "sex", "--exit-zero"]  # fmt: skip
    refused = runner.invoke(app, [*base, "--out", str(tmp_path / "no")])
    assert refused.exit_code == 2 and not (tmp_path / "no").exists()
    assert "sex: empty or missing group label at data row 1 (an empty cell or ?" in refused.output
    assert "--missing-group" in refused.output
    out = tmp_path / "yes"
    res = runner.invoke(app, [*base, "--out", str(out), "--missing-group"])
    assert res.exit_code == 0, res.output
    note = "sex: 3 rows with no value are audited as the group '(missing)'."
    assert f"Note: {note}" in res.output
    data = json.loads((out / "audit.json").read_text())
    assert note in data["data"]["description"]
    groups = {g["group"]: g["n"] for g in data["fairness"]["features"]["sex"]["groups"]}
    assert groups["(missing)"] == 3 and sum(groups.values()) == 600
    assert (
        "3 rows with no value are audited as the group &#39;(missing)&#39;"
        in (out / "model_card.html").read_text()
    )
    config = tmp_path / "audit.toml"
    config.write_text(f'[data]\nsource = "table"\npath = "{path.as_posix()}"\ntarget = "label"\n'
                      'sensitive = ["sex"]\nmissing_group = true\n')  # fmt: skip
    by_config = runner.invoke(app, [*base, "--out", str(tmp_path / "c"), "--config", str(config)])
    assert by_config.exit_code == 0 and f"Note: {note}" in by_config.output


@pytest.mark.parametrize("flag", [[], ["--no-missing-group"]])
def test_a_config_whose_data_table_holds_only_missing_group(tmp_path, flag):
    """`--config` with `[data] missing_group = true` and nothing else (what --help and the
    README offer an audit of predictions) was refused for a missing data.source; it is the
    audit's setting, which --no-missing-group overrides."""
    frame = predictions_frame(300, seed=7)
    frame["sex"] = frame["sex"].astype(object)
    frame.loc[[0, 5], "sex"] = None
    path = tmp_path / "gaps.csv"
    frame.to_csv(path, index=False)
    config = tmp_path / "audit.toml"
    config.write_text("[data]\nmissing_group = true\n")
    out = tmp_path / "run"
    res = runner.invoke(app, ["audit", "-p", str(path), "--y-true", "label", "--y-pred", "pred",
                              "--positive-label", "approved", "--sensitive", "sex",
                              "--exit-zero", "--config", str(config), "--out", str(out), *flag])
    if flag:
        assert res.exit_code == 2 and not out.exists()
        assert "sex: empty or missing group label at data row 1" in res.output
        return
    assert res.exit_code == 0, res.output
    assert "Note: sex: 2 rows with no value are audited as the group '(missing)'." in res.output


def test_a_config_missing_group_that_is_no_boolean_is_named(tmp_path):
    path = tmp_path / "p.csv"
    predictions_frame(100, seed=1).to_csv(path, index=False)
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.auditor.data]\nmissing_group = "yes"\n')
    out = tmp_path / "run"
    res = runner.invoke(app, ["audit", "-p", str(path), "--y-true", "label", "--y-pred", "pred",
                              "--sensitive", "sex", "--config", str(config), "--out", str(out)])
    assert res.exit_code == 2 and not out.exists()
    assert (f"{config}: tool.auditor.data.missing_group: must be true or false (a TOML "
            "boolean), got 'yes'") in res.output


def test_favourable_and_positive_labels_name_float_classes_by_value(tmp_path):
    frame = predictions_frame(300, seed=13)
    frame["label"] = (frame["label"] == "approved").astype(float)
    frame["pred"] = (frame["pred"] == "approved").astype(int)
    path = tmp_path / "floats.csv"
    frame.to_csv(path, index=False)
    args = ["audit", "-p", str(path), "--y-true", "label", "--y-pred", "pred", "--sensitive",
            "sex", "--positive-label", "1", "--favourable-label", "0", "--exit-zero"]  # fmt: skip
    res = runner.invoke(app, [*args, "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert "Positive class: 1.0 (unfavourable)" in res.output
    bad = runner.invoke(app, [*args[:-3], "--favourable-label", "2", "--out", str(tmp_path / "b")])
    assert bad.exit_code == 2 and not (tmp_path / "b").exists()
    assert f"{path}: --favourable-label: favourable label '2' is not a class" in bad.output


def test_question_mark_groups_with_the_mitigation_preview(tmp_path):
    """The preview read its groups with its own test of a missing value (null or empty), so
    a '?' the counts audit as '(missing)' was refused there, naming 'predictions'."""
    frame = predictions_frame(1200, 3)
    frame["sex"] = frame["sex"].astype(object)
    frame.loc[::7, "sex"] = "?"
    path = tmp_path / "q.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "run"
    result = runner.invoke(app, ["audit", "-p", str(path), *ARGS, "--missing-group",
                                 "--mitigation-preview", "-o", str(out)])  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    audit = json.loads((out / "audit.json").read_text())
    assert audit["fairness"]["mitigation"]["status"] == "ok"


def test_output_paths_are_printed_as_text(tmp_path):
    """An --out name holding ESC or a line break (a CI variable put into it) is shown, not
    acted on: no colour code, no second line that could start a workflow command."""
    path = tmp_path / "p.csv"
    predictions_frame(300, seed=3).to_csv(path, index=False)
    out = tmp_path / "run\x1b[31m\n::error::x"
    done = runner.invoke(app, ["audit", "-p", str(path), "--y-true", "label", "--y-pred", "pred",
                               "--positive-label", "approved", "--sensitive", "sex", "-o",
                               str(out), "--exit-zero"])  # fmt: skip
    assert done.exit_code == 0, done.output
    card = next(line for line in done.output.splitlines() if line.startswith("Model card:"))
    assert "\x1b" not in done.output and card.endswith("/model_card.html"), card
    assert not any(line.startswith("::") for line in done.output.splitlines())


def test_a_rule_the_files_classes_rule_out_names_the_config_file(tmp_path):
    """A binary-only gap on a 3-class file is found once the file is read: exit 2, one line
    naming the config file and the rule (it named the rule alone), no run folder."""
    rng = np.random.default_rng(4)
    y = rng.choice(["lo", "mid", "hi"], 600)
    frame = pd.DataFrame({"y_true": y, "y_pred": np.where(rng.random(600) < 0.7, y, "mid"),
                          "sex": rng.choice(["F", "M"], 600)})  # fmt: skip
    path, config = tmp_path / "multi.csv", tmp_path / "multi.toml"
    frame.to_csv(path, index=False)
    config.write_text('[[gates.rules]]\nmetric = "fairness.features.sex.disparities.'
                      'fnr_difference.between_groups"\nmax = 0.2\n')  # fmt: skip
    done = runner.invoke(app, ["audit", "-p", str(path), "--sensitive", "sex", "--config",
                               str(config), "-o", str(tmp_path / "out")])  # fmt: skip
    assert done.exit_code == 2, done.output
    assert done.output.startswith(f"auditor: error: {config}: gates.rules[0].metric: unknown")
    assert "fnr_difference@hi" in done.output and not (tmp_path / "out").exists()


def test_the_config_file_is_recorded_for_the_gates(tmp_path):
    """audit.json's gates name the config they were judged by, as auditor run's do (it was
    null: a later 'auditor gate RUN' could not find it)."""
    path, config = tmp_path / "p.csv", tmp_path / "audit.toml"
    predictions_frame(300, seed=3).to_csv(path, index=False)
    config.write_text("[fairness]\nmin_group_size = 30\n")
    done = runner.invoke(app, ["audit", "-p", str(path), "--y-true", "label", "--y-pred", "pred",
                               "--positive-label", "approved", "--sensitive", "sex", "--config",
                               str(config), "-o", str(tmp_path / "out"),
                               "--exit-zero"])  # fmt: skip
    assert done.exit_code == 0, done.output
    audit = json.loads((tmp_path / "out" / "audit.json").read_text())
    assert audit["gates"]["config_file"] == str(config)


def test_audit_takes_quiet_as_run_does(files, tmp_path):
    """`auditor audit` had no --quiet: a CI line sharing `auditor run`'s flags was a usage
    error (exit 2). Its help is run's; the printed lines are the same without it."""
    from auditor.commands import run as run_cmd
    from auditor.commands.audit import audit

    base, _ = files
    outputs = []
    for flags in ([], ["--quiet"], ["-q"]):
        out = tmp_path / f"run{len(flags)}{''.join(flags)}"
        res = runner.invoke(
            app, ["audit", "-p", str(base / "preds.csv"), "--out", str(out), *ARGS, *flags]
        )
        assert res.exit_code == 0, res.output
        outputs.append(re.sub(r"in [0-9.]+ s", "in T s", res.output.replace(str(out), "OUT")))
    assert outputs[0] == outputs[1] == outputs[2]
    wording = [f.__annotations__["quiet"] for f in (audit, run_cmd.run)]
    assert wording[0] == wording[1] == "QuietOption"


def test_a_configs_baseline_is_read_back_as_gate_reads_it_before_the_file(tmp_path):
    """[gates] baseline in auditor audit's --config: an audit.json the schema refuses, and a
    link loop, are one line, exit 2, before the predictions are read (the baseline was read
    with the JSON checks alone, so a hand-edited one was compared; a loop was 'no such
    file')."""
    from tests.builders import PREDICTION_ARGS, predictions_csv

    csv = predictions_csv(tmp_path)
    run = tmp_path / "run"
    assert runner.invoke(app, ["audit", "-p", str(csv), *PREDICTION_ARGS, "--out", str(run),
                               "--exit-zero"]).exit_code == 0  # fmt: skip
    edited = json.loads((run / "audit.json").read_text())
    edited["fairness"]["bogus"] = 1
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "audit.json").write_text(json.dumps(edited))
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    for name, said in (("b", "'bogus' was unexpected"), ("loop1", "symbolic links")):
        (tmp_path / "c.toml").write_text(f'[gates]\nbaseline = "{name}"\n')
        result = runner.invoke(app, ["audit", "-p", str(csv), *PREDICTION_ARGS, "--config",
                                     str(tmp_path / "c.toml"), "--out", str(tmp_path / "o")])
        assert result.exit_code == 2 and said in result.output, result.output
        assert not (tmp_path / "o").exists()
