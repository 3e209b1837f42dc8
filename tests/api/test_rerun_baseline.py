"""A config's ``[gates] baseline`` is read back (as ``auditor gate`` reads an audit) before
any work on every path: ``api.run`` from Python read it only after training, with the JSON
checks alone, so a hand-edited baseline was compared after the whole run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor import api
from auditor.config import default_config
from auditor.errors import AuditorInputError
from tests.builders import predictions_audit


class Started(Exception):
    """Training (or the supplied model's audit) began."""


@pytest.fixture(scope="module")
def edited_baseline(tmp_path_factory):
    folder = tmp_path_factory.mktemp("baseline")
    audit = json.loads((predictions_audit(folder).run_dir / "audit.json").read_text())
    audit["gates"]["verdict"] = "pass" if audit["gates"]["verdict"] != "pass" else "fail"
    path = folder / "edited.json"
    path.write_text(json.dumps(audit))
    return path


@pytest.mark.parametrize("where", ["config", "beside the config"])
def test_a_bad_baseline_fails_api_run_before_training(edited_baseline, tmp_path, monkeypatch,
                                                      where):  # fmt: skip
    import auditor.api._model as model

    def started(*args, **kwargs):
        raise Started

    monkeypatch.setattr(model, "run_trained", started)
    config = default_config("digits")
    named = None
    if where == "config":
        baseline = edited_baseline
    else:  # relative: beside the config file named
        baseline, named = Path(edited_baseline.name), str(edited_baseline.parent / "a.toml")
        monkeypatch.chdir(tmp_path)
    config = config.model_copy(update={"gates": config.gates.model_copy(
        update={"baseline": baseline})})  # fmt: skip
    with pytest.raises(AuditorInputError) as err:
        api.run(config, out_dir=tmp_path / "out", config_file=named)
    assert "gates/verdict" in str(err.value) and "edited.json" in str(err.value), err.value
    assert not (tmp_path / "out").exists()


def test_a_good_baseline_is_given_to_the_run_resolved(tmp_path, monkeypatch):
    import auditor.api._model as model

    seen = []
    monkeypatch.setattr(model, "run_trained", lambda config, **kw: seen.append(config))
    run = predictions_audit(tmp_path / "b").run_dir
    monkeypatch.chdir(tmp_path)
    config = default_config("digits")
    config = config.model_copy(update={"gates": config.gates.model_copy(
        update={"baseline": Path("b/run")})})  # fmt: skip
    api.run(config, out_dir=tmp_path / "out")
    assert seen[0].gates.baseline == run.resolve()


def test_a_predictions_audit_reads_its_baseline_once(tmp_path, monkeypatch):
    """The baseline read back before any work is the one the gates compare with: the file
    was read again at the end by the gates' plainer reader (JSON checks only), so a baseline
    replaced during the audit was compared unchecked."""
    import auditor.gates.baseline as gates_baseline
    from auditor.config import AuditConfig, FairnessConfig, GatesConfig

    first = predictions_audit(tmp_path / "a")

    def again(*args, **kwargs):
        raise AssertionError("the baseline was read a second time")

    monkeypatch.setattr(gates_baseline, "load_baseline", again)
    config = AuditConfig(name="preds", fairness=FairnessConfig(),
                         gates=GatesConfig(baseline=first.run_dir / "audit.json"))  # fmt: skip
    second = predictions_audit(tmp_path / "b", config=config)
    assert second.data["gates"]["baseline"]["file"] == str(first.run_dir / "audit.json")
