"""An estimator is handed its numbers as read (float64, each column's own dtype), not
auditor's float32 matrix: a model on epoch seconds (1,700,000,050 is 1,700,000,000 in float32)
audited at 0.55 or 0.84 accuracy where it scores 1.0 itself; a PyTorch module keeps float32."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import auditor
from auditor.config import AuditConfig
from auditor.data.codec import InputCodec
from auditor.errors import AuditorInputError


def _seconds_frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """A label that is a time stamp past a cut: the seconds differ below float32's step."""
    rng = np.random.default_rng(seed)
    ts = 1_700_000_000 + rng.integers(0, 100, n).astype(np.float64)
    return pd.DataFrame({"ts": ts, "other": rng.normal(size=n), "g": rng.choice(["a", "b"], n),
                         "y": (ts >= 1_700_000_050).astype(int)})  # fmt: skip


def _model() -> object:
    return make_pipeline(StandardScaler(), LogisticRegression(C=100))


@pytest.mark.parametrize("named", [True, False])
def test_an_estimator_is_audited_at_its_own_accuracy_on_float64_numbers(named):
    frame = _seconds_frame()
    x = frame[["ts", "other"]]
    model = _model().fit(x if named else x.to_numpy(), frame.y)
    own = model.predict_proba(x if named else x.to_numpy())
    assert float((own.argmax(axis=1) == frame.y).mean()) == 1.0
    config = AuditConfig(privacy={"enabled": False})
    got = auditor.audit_model(model, data=frame, target="y", sensitive=["g"], config=config,
                              features=None if named else ["ts", "other"],
                              progress=False).data  # fmt: skip
    test = got["performance"]["finetuned"]["test"]
    assert test["accuracy"] == 1.0  # 0.835 named, 0.5525 as a matrix, on float32 inputs
    assert got["explanations"]["accuracy"] == 1.0  # permutation importance: the same rows


def test_a_module_still_gets_float32():
    import torch
    from torch import nn

    seen: list[torch.dtype] = []

    class Probe(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = nn.Linear(2, 2)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            seen.append(x.dtype)
            return self.lin(x)

    frame = _seconds_frame(60).assign(ts=lambda f: f.ts - 1_700_000_000)
    config = AuditConfig(privacy={"enabled": False}, transparency={"explanations": False})
    auditor.audit_model(Probe(), data=frame, target="y", sensitive=["g"], config=config,
                        progress=False)  # fmt: skip
    assert seen and set(seen) == {torch.float32}


def test_the_codec_gives_each_column_its_dtype_back():
    frame = pd.DataFrame({"n": np.array([3, 16777217, -2], dtype=np.int64),
                          "b": [True, False, True], "f": np.array([0.5, 1, 2], np.float32),
                          "d": [0.1 + 1e-9, 0.1, 1e15 + 1]})  # fmt: skip
    codec = InputCodec(columns=tuple(frame), levels={}, as_frame=True,
                       dtypes=dict(frame.dtypes), exact=True)  # fmt: skip
    x = codec.encode(frame)
    assert x.dtype == np.float64
    back = codec.decode(x)
    pd.testing.assert_frame_equal(back, frame)  # values and dtypes as read
    shuffled = codec.decode(np.column_stack([x[:, 0] + 0.5, x[:, 1:]]))  # not integers now
    assert shuffled["n"].dtype == np.float64 and shuffled["n"][1] == 16777217.5
    float32 = InputCodec(columns=("d",), levels={}, as_frame=False)
    assert float32.encode(frame).dtype == np.float32


def skops_audit(tmp_path, model: object, frame: pd.DataFrame) -> dict:
    """``auditor run`` of ``model`` saved with skops on ``frame`` (target y, sensitive g) as
    eval.csv, privacy off: the audit.json."""
    import skops.io as sio
    from typer.testing import CliRunner

    from auditor.cli import app

    frame.to_csv(tmp_path / "eval.csv", index=False)
    sio.dump(model, tmp_path / "model.skops")
    (tmp_path / "audit.toml").write_text(
        '[data]\nsource = "table"\npath = "eval.csv"\ntarget = "y"\nsensitive = ["g"]\n'
        '[model]\nkind = "sklearn"\npath = "model.skops"\n[privacy]\nenabled = false\n'
    )  # fmt: skip
    res = CliRunner().invoke(app, ["run", str(tmp_path / "audit.toml"), "--out",
                                   str(tmp_path / "run"), "--quiet", "--exit-zero"])  # fmt: skip
    assert res.exit_code == 0, res.output
    return json.loads((tmp_path / "run" / "audit.json").read_text())


def test_a_skops_model_on_seconds_from_the_command_line(tmp_path):
    frame = _seconds_frame()
    audit = skops_audit(tmp_path, _model().fit(frame[["ts", "other"]], frame.y), frame)
    assert audit["performance"]["finetuned"]["test"]["accuracy"] == 1.0


@pytest.mark.parametrize("named", [True, False])
def test_an_integer_input_past_2_53_is_refused_naming_the_column_and_row(named):
    """A 64-bit ID named as an input reached the estimator rounded to float64 (2**53 + 1 as
    2**53), in a DataFrame as in a matrix; it is refused, with the way on."""
    frame = _seconds_frame()
    frame["id"] = np.arange(len(frame), dtype=np.int64)
    frame.loc[7, "id"] = 2**53 + 1
    x = frame[["ts", "id"]]
    model = _model().fit(x if named else x.to_numpy(), frame.y)
    config = AuditConfig(privacy={"enabled": False})
    with pytest.raises(AuditorInputError) as err:
        auditor.audit_model(model, data=frame, target="y", sensitive=["g"], config=config,
                            features=["ts", "id"], progress=False)  # fmt: skip
    text = str(err.value)
    assert err.value.field == "features"
    assert "leave it out of the DataFrames, or name the inputs in features=" in text
    assert "'id'" in text and str(2**53 + 1) in text
    assert "data row 8" in text and "1 row" in text
    frame.loc[7, "id"] = 2**53  # exact in float64: audited
    got = auditor.audit_model(_model().fit(frame[["ts", "id"]], frame.y), data=frame, target="y",
                              sensitive=["g"], config=config, features=["ts", "id"],
                              progress=False).data  # fmt: skip
    assert got["performance"]["finetuned"]["test"]["accuracy"] > 0.9


def test_unsigned_and_nullable_integers_past_2_53_are_refused_too():
    from auditor.data.codec import build_codec

    for values, row in ((pd.Series([1, 2**64 - 1], dtype="uint64"), 2),
                        (pd.Series([None, 5, -(2**53) - 1], dtype="Int64"), 3),
                        (pd.Series([3, None, 2**53 + 1], dtype="int64[pyarrow]"), 3)):  # fmt: skip
        frames = {"path": pd.DataFrame({"id": values})}
        with pytest.raises(AuditorInputError, match=f"first at data row {row}"):
            build_codec(frames, ["id"], as_frame=True, numeric_only=False,
                        sources={"path": "t.csv"}, exact=True)  # fmt: skip
        module = build_codec(frames, ["id"], as_frame=False, numeric_only=True,
                             sources={"path": "t.csv"}, exact=False)  # fmt: skip
        assert module.dtype == np.float32  # a PyTorch module takes float32 inputs anyway
