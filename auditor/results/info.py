"""The parts of ``audit.json`` around the sections: which tool, which run, which data, which
model, how it was trained. Filled by whoever assembles an audit (a training run, or a
predictions-only audit) and dumped with :func:`auditor.results.dump`.

Every model is frozen and refuses unknown keys; NaN floats are written as null.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from auditor.results._base import Result

SHA256_PATTERN = "^[0-9a-f]{64}$"


class ToolInfo(Result):
    name: Literal["auditor"] = "auditor"
    version: str


class RunInfo(Result):
    """name: the run's name; scenario: the data source ("digits", "adult", "predictions"...);
    mode: "run" (trained and audited here) or "predictions" (a predictions file alone);
    timings_s: seconds per step; command: the command line that made it."""

    name: str
    scenario: str
    created_at: str
    seed: int = Field(ge=0)
    device: str
    timings_s: dict[str, float]
    library_versions: dict[str, str | None]
    command: str
    config_file: str | None = None
    mode: Literal["run", "predictions"] = "run"


class TaskInfo(Result):
    name: str
    class_names: list[str] = Field(min_length=2)
    description: str = ""


class SplitInfo(Result):
    """One data split: row count, sha256 of its content, fine-tuning class balance (and the
    pretraining task's, where it has one)."""

    n_rows: int = Field(ge=0)
    sha256: str = Field(pattern=SHA256_PATTERN)
    class_balance: dict[str, int]
    pretrain_class_balance: dict[str, int] | None = None


class DataInfo(Result):
    name: str
    modality: Literal["image", "table"]
    description: str
    citation: str
    license: str
    source_files: dict[str, str] = Field(default_factory=dict)
    finetune_task: TaskInfo
    pretrain_task: TaskInfo | None
    sensitive_features: list[str]
    sensitive_kinds: dict[str, Literal["demographic", "slice"]]
    input_shape: list[int]
    feature_names: list[str] | None = None
    splits: dict[str, SplitInfo]


class CheckpointInfo(Result):
    path: str
    sha256: str = Field(pattern=SHA256_PATTERN)


class ModelInfo(Result):
    architecture: str
    parameters: int = Field(ge=0)
    trainable_parameters_finetune: int = Field(ge=0)
    feature_dim: int = Field(default=0, ge=0)
    summary: str = ""
    checkpoints: dict[str, CheckpointInfo] = Field(default_factory=dict)


class StageRecord(Result):
    """What one training stage did (the JSON form of ``auditor.training.TrainRecord``);
    objective "none" for a stage that did not happen (predictions-only audits)."""

    stage: str
    objective: Literal["supervised", "masked_reconstruction", "none"]
    n_train: int = Field(ge=0)
    n_val: int = Field(ge=0)
    epochs_run: int = Field(ge=0)
    best_epoch: int = Field(ge=0)
    best_val_loss: float | None
    seconds: float = Field(ge=0)
    samples_per_second: float
    optimizer: str
    lr: float
    batch_size: int = Field(ge=0)
    trainable_parameters: int = Field(ge=0)
    frozen: str
    history: list[dict[str, float | int | None]] = Field(default_factory=list)
    # DP-SGD fine-tuning only: the accountant's epsilon, delta, noise multiplier, steps.
    dp: dict[str, Any] | None = None


class TrainingInfo(Result):
    pretrain: StageRecord
    finetune: StageRecord
