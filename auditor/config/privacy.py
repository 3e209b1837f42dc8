"""``[privacy]`` table: which probes run, reference models, DP-SGD."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from auditor.config._base import StrictModel


class DPConfig(StrictModel):
    """DP-SGD through Opacus for the fine-tuning stage."""

    target_epsilon: float = Field(..., gt=0)
    target_delta: float = Field(1e-5, gt=0, lt=1)
    max_grad_norm: float = Field(1.0, gt=0)


class PrivacyConfig(StrictModel):
    enabled: bool = True
    probes: list[Literal["loss", "lira", "rmia", "canaries"]] = ["loss", "lira", "rmia", "canaries"]
    n_reference: int = Field(16, ge=1)
    n_canaries: int = Field(100, ge=0)
    # Joblib backend for the reference models: "loky", "threading", "dask", "ray".
    backend: str = "loky"
    n_jobs: int = 1
    # Address of an existing Dask scheduler, e.g. "tcp://127.0.0.1:8786".
    dask_scheduler: str | None = None
    dp: DPConfig | None = None
