"""A supplied module that raises on a pass Integrated Gradients makes (one that needs a few
rows: 'batch size must be at least 4', where the path's last pass holds 2) stopped the whole
audit with the module's traceback; that explanation is not run, saying why, and the rest of
the audit (the reliance check beside it) stands."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditor import audit_model
from tests.builders import needs_batch_module


def test_a_module_raising_on_a_path_pass_leaves_the_explanation_not_run():
    rng = np.random.default_rng(0)
    data = pd.DataFrame(rng.normal(size=(50, 3)).astype("float32"), columns=list("abc"))
    data["y"] = (data.a > 0).astype(int)
    data["g"] = np.where(rng.random(50) < 0.5, "u", "v")
    res = audit_model(needs_batch_module(), data=data, target="y", sensitive=["g"],
                      features=list("abc"), progress=False)  # fmt: skip
    section = res.data["explanations"]
    assert section["status"] == "not_run" and "reliance" in section
    assert section["reason"].startswith(
        "Integrated Gradients could not run the model on its passes along the path from the "
        "baseline: 'model' raised RuntimeError: batch size must be at least 4 (at "
    ), section["reason"]
    assert res.data["performance"]["finetuned"]["test"]["n"] > 0  # the rest stands


def test_auditors_own_model_raising_stays_auditors_error(monkeypatch, tmp_path):
    """The model auditor trained itself raising inside Integrated Gradients was turned into
    the user's bad input (exit 2, "'model' raised ...") by the same wrapper (R11)."""
    import pytest

    import auditor
    from auditor.checks import explain

    def broken(*_args, **_kwargs):
        raise RuntimeError("auditor's own defect")

    monkeypatch.setattr(explain, "_integrated_gradients", broken)
    with pytest.raises(RuntimeError, match="auditor's own defect"):
        auditor.run(auditor.default_config("digits"), out_dir=tmp_path / "run", progress=False)
