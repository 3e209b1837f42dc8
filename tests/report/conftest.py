"""Real runs for the card tests: the digits scenario (image) and a small synthetic table whose
column names, group labels and declared answers carry HTML/JS payloads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditor.config import (
    DeclaredAnswers,
    FinetuneConfig,
    PretrainConfig,
    PrivacyConfig,
    TransparencyConfig,
)
from tests.conftest import small_digits_config

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>"
# A run name is one folder name (no "/"): the same payload without its slashes.
NAME_PAYLOAD = PAYLOAD.replace("/", "")
PAYLOAD_COLUMN = "grp<script>alert(3)</script>"
PAYLOAD_GROUP = "<img src=x onerror=alert(4)>"

DIGITS_DECLARED = DeclaredAnswers(
    intended_use="Teaching example: classify 8x8 scanned digits as odd or even.",
    users="Students and reviewers of the auditor tool.",
    out_of_scope_uses="Any decision about people; handwriting outside the UCI digits scans.",
    limitations="TBD",  # a placeholder: must count as missing, not met
    owners="Auditor maintainers",
    license="MIT",
)


@pytest.fixture(scope="session")
def digits_run(tmp_path_factory):
    """The digits pipeline end to end (small privacy probes), with some declared answers."""
    from auditor.api import run

    config = small_digits_config(
        privacy=PrivacyConfig(n_reference=4, n_canaries=20, canary_candidates=40),
        transparency=TransparencyConfig(declared=DIGITS_DECLARED),
    )
    out = tmp_path_factory.mktemp("digits-run")
    return run(config, out_dir=out, progress=False, command="auditor run (test)")


def payload_table(n: int = 1200, seed: int = 0) -> pd.DataFrame:
    """Rows whose label depends strongly on the sensitive column (so the reliance check
    must see a large accuracy drop when it is permuted)."""
    rng = np.random.default_rng(seed)
    group = rng.choice([PAYLOAD_GROUP, "b"], size=n)
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    y = np.where(group == PAYLOAD_GROUP, x1 > -0.8, x1 > 0.8).astype(int)
    return pd.DataFrame({PAYLOAD_COLUMN: group, "x1": x1, "x2": x2, "y<b>": y})


def payload_config(path):
    from auditor.config import AuditConfig, TableData

    # each answer its own text (one text pasted under several questions answers only the first),
    # intended_use the payload itself
    declared = {k: PAYLOAD if k == "intended_use" else f"{PAYLOAD} ({k})"
                for k in DeclaredAnswers.model_fields}
    return AuditConfig(
        name="model " + NAME_PAYLOAD,
        data=TableData(path=path, target="y<b>", sensitive=[PAYLOAD_COLUMN],
                       sensitive_as_features=True),
        pretrain=PretrainConfig(objective="masked_reconstruction", epochs=3, batch_size=128),
        finetune=FinetuneConfig(epochs=25, batch_size=64, unfreeze_last=1),
        privacy=PrivacyConfig(enabled=False),
        transparency=TransparencyConfig(declared=DeclaredAnswers(**declared)),
    )


@pytest.fixture(scope="session")
def payload_run(tmp_path_factory):
    """A table run where every user-provided string is an HTML/JS payload."""
    from auditor.api import run

    folder = tmp_path_factory.mktemp("payload-run")
    csv = folder / "table.csv"
    payload_table().to_csv(csv, index=False)
    return run(payload_config(csv), out_dir=folder / "run", progress=False, command="test")
