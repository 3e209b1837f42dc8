"""`auditor run` end to end on a small configuration, as a user runs it."""

import json
import os

import pytest
from typer.testing import CliRunner

from auditor.api import AuditResult
from auditor.cli import app
from auditor.record import validate_audit
from tests.builders import leftovers

runner = CliRunner()

SMALL = """
name = "e2e"
seed = 1
[pretrain]
epochs = 20
patience = 4
[finetune]
epochs = 60
[transparency.declared]
intended_use = "Digit parity demo for auditor's tests."
"""


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    base = tmp_path_factory.mktemp("run")
    cfg = base / "audit.toml"
    cfg.write_text(SMALL)
    out = base / "out"
    result = runner.invoke(app, ["run", str(cfg), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_run_writes_the_run_folder(run_dir):
    out, output = run_dir
    for name in (
        "audit.json",
        "model_card.html",
        "model_card.md",
        "checkpoints/pretrained.pt",
        "checkpoints/finetuned.pt",
    ):
        assert (out / name).is_file(), name
    assert f"{out / 'model_card.html'}" in output
    assert "accuracy" in output
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".staging")]
    # every file of a trained run is one a rerun knows as auditor's (io.RUN_FOLDER_FILES,
    # CHECKPOINT_FILES): a name missing there would make every rerun refuse its own folder
    from auditor.io import foreign_files

    assert foreign_files(out) == []


def test_audit_json_validates_and_holds_provenance(run_dir):
    out, _ = run_dir
    data = json.loads((out / "audit.json").read_text())
    validate_audit(data)
    assert data["schema_version"] == "2.0"
    assert data["run"]["seed"] == 1 and data["config"]["name"] == "e2e"
    assert set(data["data"]["splits"]) == {"pretrain", "finetune_train", "holdout", "val", "test"}
    assert data["run"]["library_versions"]["torch"]
    assert data["run"]["timings_s"]["pretrain"] > 0
    test = data["performance"]["finetuned"]["test"]
    assert test["n"] == data["data"]["splits"]["test"]["n_rows"]
    assert test["accuracy"] >= 0.95
    assert data["performance"]["pretrained"]["test"]["task"] == "digit"
    result = AuditResult.load(out)
    assert result.headline()["accuracy"] == test["accuracy"]


def test_card_shows_the_numbers(run_dir):
    out, _ = run_dir
    html = (out / "model_card.html").read_text()
    data = json.loads((out / "audit.json").read_text())
    acc = data["performance"]["finetuned"]["test"]["accuracy"]
    assert f"{acc:.3f}" in html
    assert "Digit parity demo" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html
    md = (out / "model_card.md").read_text()
    assert md.startswith("---\n") and "model-index:" in md


def test_card_rerenders_from_audit_json_alone(run_dir, tmp_path):
    out, _ = run_dir
    before = (out / "audit.json").read_bytes()
    result = runner.invoke(app, ["card", str(out), "--out", str(tmp_path / "card")])
    assert result.exit_code == 0, result.output
    card = (tmp_path / "card" / "model_card.html").read_text()
    assert card == (out / "model_card.html").read_text()
    assert (out / "audit.json").read_bytes() == before


def test_bad_config_is_one_line_exit_2_and_writes_nothing(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[finetune]\nepochz = 3\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(cfg), "--out", str(out)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and str(cfg) in lines[0] and "finetune.epochz" in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists()


def test_config_and_scenario_together_is_usage_error(tmp_path):
    cfg = tmp_path / "a.toml"
    cfg.write_text("")
    result = runner.invoke(app, ["run", str(cfg), "--scenario", "adult"])
    assert result.exit_code == 2


def test_unknown_scenario_is_usage_error():
    result = runner.invoke(app, ["run", "--scenario", "cifar"])
    assert result.exit_code == 2


def test_cuda_absent_is_bad_input(tmp_path, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    result = runner.invoke(app, ["run", "--device", "cuda", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "CUDA" in result.output
    assert not (tmp_path / "o").exists()


def test_interrupt_leaves_previous_report_whole(run_dir, tmp_path, monkeypatch):
    import shutil

    out, _ = run_dir
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}

    import auditor.report as report

    def boom(audit, folder):
        raise KeyboardInterrupt

    monkeypatch.setattr("auditor.run_folder.render_all", boom)
    cfg = tmp_path / "audit.toml"
    cfg.write_text(SMALL)
    result = runner.invoke(app, ["run", str(cfg), "--out", str(copy), "--quiet"])
    assert result.exit_code == 130
    after = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    assert after == before
    assert leftovers(tmp_path) == []
    assert report  # the real renderer module is untouched


def test_init_writes_example_and_refuses_overwrite(tmp_path):
    path = tmp_path / "auditor.toml"
    assert runner.invoke(app, ["init", str(path)]).exit_code == 0
    assert path.read_text().startswith("# auditor audit configuration")
    again = runner.invoke(app, ["init", str(path)])
    assert again.exit_code == 2 and "--force" in again.output
    assert runner.invoke(app, ["init", str(path), "--force"]).exit_code == 0


def test_init_example_runs_end_to_end_with_its_own_gate(tmp_path):
    path = tmp_path / "auditor.toml"
    assert runner.invoke(app, ["init", str(path)]).exit_code == 0
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(path), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    audit = json.loads((out / "audit.json").read_text())
    validate_audit(audit)
    ours = [g for g in audit["gates"]["results"] if "gap in false negatives" in g["name"]]
    # the example's rule reads every audited feature ([kind=feature]): one gate each
    assert {g["metric"].split(".")[2] for g in ours} == {"digit", "ink_density"}, ours


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("auditor ")


@pytest.mark.skipif(os.environ.get("AUDITOR_SKIP_ADULT") == "1", reason="AUDITOR_SKIP_ADULT=1")
def test_adult_scenario_offline(tmp_path):
    result = runner.invoke(
        app, ["run", "--scenario", "adult", "--out", str(tmp_path / "a"), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "a" / "audit.json").read_text())
    by_split = data["performance"]["finetuned"]
    assert set(by_split) == {"finetune_train", "holdout", "val", "test"}
    assert by_split["test"]["accuracy"] > 0.84
    assert data["performance"]["pretrained"]["test"]["kind"] == "reconstruction"
    assert data["data"]["license"] == "CC BY 4.0"


def test_mnist_end_to_end_from_idx_files(tmp_path):
    from tests.data.idx import write_mnist_root

    root = write_mnist_root(tmp_path / "mnist", n_train=400, n_test=100)
    cfg = tmp_path / "mnist.toml"
    cfg.write_text(
        '[data]\nsource = "mnist"\nroot = "mnist"\n'
        "[pretrain]\nepochs = 3\n[finetune]\nepochs = 10\n"
        "[privacy]\nn_reference = 2\nn_canaries = 10\n"
    )
    assert root.is_dir()
    result = runner.invoke(
        app, ["run", str(cfg), "--out", str(tmp_path / "o"), "--quiet", "--exit-zero"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "o" / "audit.json").read_text())
    assert data["data"]["input_shape"] == [1, 28, 28]
    assert data["performance"]["finetuned"]["test"]["n"] > 0


def test_table_end_to_end(tmp_path):
    from tests.data.test_table import make_table

    make_table(n=600).to_csv(tmp_path / "t.csv", index=False)
    cfg = tmp_path / "t.toml"
    cfg.write_text(
        'name = "tbl"\n[data]\nsource = "table"\npath = "t.csv"\ntarget = "label"\n'
        'sensitive = ["group"]\npositive_label = "yes"\n'
        '[pretrain]\nobjective = "masked_reconstruction"\nepochs = 5\n[finetune]\nepochs = 20\n'
        "[privacy]\nn_reference = 2\nn_canaries = 10\n"
    )
    result = runner.invoke(
        app, ["run", str(cfg), "--out", str(tmp_path / "o"), "--quiet", "--exit-zero"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "o" / "audit.json").read_text())
    assert data["data"]["finetune_task"]["class_names"] == ["no", "yes"]
    assert data["data"]["sensitive_features"] == ["group"]
