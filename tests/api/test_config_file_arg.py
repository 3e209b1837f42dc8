"""config_file= was checked only where config= was not an AuditConfig: auditor.run(cfg,
config_file=5) and audit_predictions(..., config_file=5) raised a raw TypeError, regate said it
in io.as_path's words ("a path ..., got int"; "" was "empty: name a folder"), and
config_file="" was taken by run and audit_predictions and recorded as None. An os.PathLike
giving bytes passed the type check and failed in Path() as a TypeError. One check now
(api/_config_arg.py), one line naming the argument, for run, regate and audit_predictions."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

import auditor
from auditor.config import AuditConfig
from auditor.errors import AuditorInputError


class BytesPath(os.PathLike):
    def __fspath__(self):
        return b"good.toml"


NOT_A_FILE = (
    "config_file: the TOML file config= was read from: a path (str or pathlib.Path), got {}"
)
CASES = [(5, "int"), ("", "an empty path"), (" ", "an empty path"), (b"good.toml", "bytes"),
         (BytesPath(), "a bytes path")]  # fmt: skip


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame({"y": rng.integers(0, 2, 200), "p": rng.integers(0, 2, 200),
                         "group": rng.choice(["a", "b"], 200)})  # fmt: skip


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, frame):
    out = tmp_path_factory.mktemp("config-file") / "run"
    auditor.audit_predictions(frame, y_true="y", y_pred="p", sensitive=["group"], out_dir=out)
    return out


@pytest.mark.parametrize(("config_file", "kind"), CASES)
def test_run_checks_config_file(tmp_path, config_file, kind):
    with pytest.raises(AuditorInputError) as err:
        auditor.run(AuditConfig(), config_file=config_file, out_dir=tmp_path / "out")
    assert str(err.value) == NOT_A_FILE.format(kind)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("config_file", "kind"), CASES)
def test_regate_checks_config_file_in_the_same_words(run_dir, tmp_path, config_file, kind):
    for flags in (False, True):
        with pytest.raises(AuditorInputError) as err:
            auditor.regate(run_dir, config=AuditConfig(), config_file=config_file,
                           out_dir=tmp_path / "g", flags=flags)  # fmt: skip
        assert str(err.value) == NOT_A_FILE.format(kind)
    assert not (tmp_path / "g").exists()


@pytest.mark.parametrize(("config_file", "kind"), CASES)
def test_audit_predictions_checks_config_file_in_the_same_words(frame, tmp_path, config_file,
                                                                kind):  # fmt: skip
    with pytest.raises(AuditorInputError) as err:
        auditor.audit_predictions(frame, y_true="y", y_pred="p", sensitive=["group"],
                                  config=AuditConfig(), config_file=config_file,
                                  out_dir=tmp_path / "out")  # fmt: skip
    assert str(err.value) == NOT_A_FILE.format(kind)
    assert not (tmp_path / "out").exists()


def test_a_bytes_path_as_config_is_one_line(run_dir, tmp_path):
    said = ("config: a TOML config file's path (str or pathlib.Path) or an AuditConfig "
            "(auditor.load_config(path), with config_file=path), got a bytes path")  # fmt: skip
    with pytest.raises(AuditorInputError) as err:
        auditor.run(BytesPath(), out_dir=tmp_path / "out")
    assert str(err.value) == said
    with pytest.raises(AuditorInputError) as err:
        auditor.regate(run_dir, config=BytesPath(), out_dir=tmp_path / "g")
    assert str(err.value) == said
    assert not (tmp_path / "out").exists() and not (tmp_path / "g").exists()


def test_a_path_like_config_file_is_recorded_as_text(frame, tmp_path):
    # audit_predictions(config_file=Path(...)), as regate takes it: a pydantic ValidationError
    (tmp_path / "gates.toml").write_text("[gates]\nmin_count = 10\n")
    result = auditor.audit_predictions(frame, y_true="y", y_pred="p", sensitive=["group"],
                                       config=AuditConfig(),
                                       config_file=tmp_path / "gates.toml")  # fmt: skip
    assert result.data["gates"]["config_file"] == str(tmp_path / "gates.toml")


def test_audit_predictions_refuses_a_config_file_without_a_config(frame, tmp_path):
    # it was taken and recorded as gates.config_file, a file never read (R18 #1)
    said = ("config_file: the file config= was read from, taken only with config= an AuditConfig;"
            " with no config= it would be ignored (config=path reads and records the file itself)")
    with pytest.raises(AuditorInputError) as err:
        auditor.audit_predictions(frame, y_true="y", y_pred="p", sensitive=["group"],
                                  config_file="never_read.toml", out_dir=tmp_path / "out")
    assert str(err.value) == said
    assert not (tmp_path / "out").exists()


def test_a_bytes_path_as_run_dir_or_out_dir_is_one_line(run_dir, tmp_path):
    # io.as_path and _config_arg._path_text ran the same check twice, and only the second knew
    # a PathLike giving bytes: these raised a raw TypeError from Path() (R18 #4)
    with pytest.raises(AuditorInputError) as err:
        auditor.regate(BytesPath())
    assert str(err.value) == "run_dir: a path (str or pathlib.Path), got a bytes path"
    with pytest.raises(AuditorInputError) as err:
        auditor.regate(run_dir, out_dir=BytesPath())
    assert str(err.value) == "out_dir: a path (str or pathlib.Path), got a bytes path"
    with pytest.raises(AuditorInputError) as err:
        auditor.regate(run_dir, out_dir=" ")
    assert str(err.value) == "out_dir: empty: name a folder"
