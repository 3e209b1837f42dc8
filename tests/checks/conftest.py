"""Fixtures of the check tests: a small trained table context (self-supervised pretraining,
a sensitive column that drives the label) beside the shared digits context."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditor.config import AuditConfig, FinetuneConfig, PretrainConfig, PrivacyConfig, TableData


@pytest.fixture(scope="session")
def table_context(tmp_path_factory):
    """A table whose label depends on sensitive column ``s`` and on ``x1``; ``noise_grp`` is
    a second sensitive column that the label ignores; ``x2`` is noise."""
    from auditor.api import trained_context as train_stages

    rng = np.random.default_rng(1)
    n = 1400
    s = rng.choice(["a", "b"], size=n)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    y = np.where(s == "a", x1 > -0.8, x1 > 0.8).astype(int)
    frame = pd.DataFrame({"s": s, "noise_grp": rng.choice(["p", "q"], size=n),
                          "x1": x1, "x2": x2, "y": y})  # fmt: skip
    path = tmp_path_factory.mktemp("table") / "t.csv"
    frame.to_csv(path, index=False)
    config = AuditConfig(
        name="t", data=TableData(path=path, target="y", sensitive=["s", "noise_grp"],
                                 sensitive_as_features=True),
        pretrain=PretrainConfig(objective="masked_reconstruction", epochs=3),
        finetune=FinetuneConfig(epochs=30, unfreeze_last=1), privacy=PrivacyConfig(enabled=False),
    )  # fmt: skip
    return train_stages(config, progress=False)
