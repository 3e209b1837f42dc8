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
    # torch threads used outside training (environment, like timings; None: torch not used).
    threads: int | None = Field(default=None, ge=1)
    # "supplied": a model trained elsewhere, audited here without retraining.
    mode: Literal["run", "predictions", "supplied"] = "run"


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


class ImputedColumn(Result):
    """A numeric input whose missing (NaN or infinite) values were replaced by the mean of
    the training rows (pretrain + finetune_train); n_missing counts rows of every split."""

    column: str
    n_missing: int = Field(ge=0)
    fill_value: float | None


class OneHotColumn(Result):
    """A categorical input encoded one-hot with the levels seen in the training rows.
    n_missing: rows whose value was missing (their own level "(missing)"); n_unseen: rows
    whose level no training row has (encoded as all zeros)."""

    column: str
    n_levels: int = Field(ge=0)
    n_missing: int = Field(ge=0)
    n_unseen: int = Field(ge=0)


class TablePreprocessing(Result):
    """How a table became model inputs, in source columns.

    features: the model's input columns, in order; dropped: named in ``data.drop``;
    sensitive_excluded: sensitive columns kept out of the inputs; id_like_features: columns
    with a distinct value in every row that are inputs because ``data.features`` names them;
    numeric: standardised with the training rows' mean and std; missing_group: the group
    label given to missing sensitive values (None: such rows are refused), with the count per
    sensitive column in missing_sensitive."""

    features: list[str]
    dropped: list[str]
    sensitive_as_features: bool
    sensitive_excluded: list[str]
    id_like_features: list[str]
    numeric: list[str]
    imputed: list[ImputedColumn]
    one_hot: list[OneHotColumn]
    max_categories: int | None
    missing_group: str | None
    missing_sensitive: dict[str, int]


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
    # Tables only: which columns are inputs, what was imputed and encoded.
    preprocessing: TablePreprocessing | None = None
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
    # what each step's forward and loss ran in ([training] precision); added to schema 2.0
    # later (audit_tree.later: an older file's stages trained in fp32)
    precision: Literal["fp32", "bf16"]


class TrainingInfo(Result):
    pretrain: StageRecord
    finetune: StageRecord
