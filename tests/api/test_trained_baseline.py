"""``auditor run`` reads a config's baseline once: ``api.run`` read and checked it before any
work, dropped it, and the gates read the file again at the end (gates.baseline.load_baseline)."""

from __future__ import annotations

import json
from pathlib import Path

from auditor import api
from auditor.api._trained import judged_gates
from auditor.config import default_config
from tests.builders import predictions_audit


def _with_baseline(path: Path):
    config = default_config("digits")
    return config.model_copy(update={"gates": config.gates.model_copy(
        update={"baseline": path})})  # fmt: skip


def test_api_run_hands_the_baseline_it_read_to_the_run(tmp_path, monkeypatch):
    import auditor.api._model as model

    seen = {}
    monkeypatch.setattr(model, "run_trained", lambda config, **kw: seen.update(kw))
    run = predictions_audit(tmp_path / "b").run_dir
    api.run(_with_baseline(run / "audit.json"), out_dir=tmp_path / "out")
    assert seen["baseline"] == json.loads((run / "audit.json").read_text())


def test_the_gates_compare_with_the_baseline_given_without_reading_it_again(tmp_path,
                                                                         monkeypatch):  # fmt: skip
    import auditor.gates.baseline as gates_baseline

    first = predictions_audit(tmp_path / "a")
    data = json.loads((first.run_dir / "audit.json").read_text())

    def again(*args, **kwargs):
        raise AssertionError("the baseline was read a second time")

    monkeypatch.setattr(gates_baseline, "load_baseline", again)
    config = _with_baseline(first.run_dir / "audit.json")
    gates = judged_gates(dict(data), config, config_file=None, baseline=data)
    assert gates["baseline"]["file"] == str(first.run_dir / "audit.json")
    assert gates["baseline"]["findings"]["unchanged"] > 0
