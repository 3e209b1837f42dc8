"""Bad input found while a run works names the config file; a diverged training is refused."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from auditor.api._errors import check_converged, config_named
from auditor.errors import AuditorInputError


def test_an_error_without_a_file_gets_the_config_file():
    with pytest.raises(AuditorInputError) as err, config_named("conf/audit.toml"):
        raise AuditorInputError("'m:f' raised OSError: x", field="model.factory")
    assert str(err.value) == "conf/audit.toml: model.factory: 'm:f' raised OSError: x"
    assert err.value.source == "conf/audit.toml" and err.value.field == "model.factory"


def test_an_error_naming_its_file_or_from_python_is_kept():
    with pytest.raises(AuditorInputError) as err, config_named("audit.toml"):
        raise AuditorInputError("no such file", source="rows.csv", field="data.path")
    assert str(err.value) == "rows.csv: data.path: no such file"
    with pytest.raises(AuditorInputError) as err, config_named(None):
        raise AuditorInputError("bad", field="model")
    assert str(err.value) == "model: bad"
    with pytest.raises(KeyError), config_named("audit.toml"):
        raise KeyError("a bug keeps its type and traceback")


def record(epochs_run, best_val_loss):
    return SimpleNamespace(epochs_run=epochs_run, best_val_loss=best_val_loss)


def test_a_stage_without_one_finite_validation_loss_is_refused():
    check_converged({"pretrain": record(0, float("nan")), "finetune": record(3, 0.4)})
    check_converged({"pretrain": None, "finetune": record(5, 0.7)})
    with pytest.raises(AuditorInputError, match="diverged: .* any of the 4 epochs") as err:
        check_converged({"pretrain": record(4, float("inf")), "finetune": record(3, 0.4)})
    assert err.value.field == "pretrain.lr"
    with pytest.raises(AuditorInputError, match="'pkg:make' builds NaN weights") as err:
        check_converged({"finetune": record(2, float("nan"))}, factory="pkg:make")
    assert err.value.field == "finetune.lr"


def test_a_config_baseline_under_home_is_found(tmp_path, monkeypatch):
    """``baseline = "~/..."`` in [gates] is the home folder's, as ``data.path`` is (it was
    looked up as a folder named '~')."""
    from auditor.api import read_baseline
    from auditor.config import GatesConfig
    from tests.builders import predictions_audit

    predictions_audit(tmp_path / "home")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    gates, _ = read_baseline(GatesConfig(baseline="~/run"), config_file=tmp_path / "a.toml")
    assert gates.baseline == (tmp_path / "home" / "run").resolve()


def test_wording_an_error_while_another_thread_imports_pandas(monkeypatch):
    # `auditor audit` reads its file on a thread that imports pandas while the main thread
    # words a refusal: sys.modules then holds pandas half imported, with no Series yet, and
    # the refusal became "internal error: AttributeError: partially initialized module"
    import types

    from auditor.api._errors import _parts

    half = types.ModuleType("pandas")  # what sys.modules holds mid-import: no attributes yet
    monkeypatch.setitem(sys.modules, "pandas", half)
    assert _parts(object()) == []
    assert _parts(Path("p.csv")) == []
