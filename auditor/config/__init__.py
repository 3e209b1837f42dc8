"""Audit configuration: one TOML file (or ``[tool.auditor]`` in pyproject.toml), validated
once at the boundary. Everything past :func:`load_config` trusts these typed objects."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from auditor.config._base import StrictModel, key_error
from auditor.config.fairness import FairnessConfig
from auditor.config.file_table import config_table
from auditor.config.gates import GateRule, GatesConfig
from auditor.config.keys import first_problem
from auditor.config.labels import ConfigLabel
from auditor.config.model import SUPPLIED_KINDS, ModelConfig
from auditor.config.paths import (
    EVERY_TABLE,
    FilePath,
    escape_advice,
    expand_home,
    holds,
    home_path,
    resolve_paths,
    written_urls,
)
from auditor.config.privacy import MAX_PROCESSES, DPConfig, PrivacyConfig
from auditor.config.run_table import lift_run_table, run_key_named
from auditor.config.toml_file import read_toml
from auditor.config.transparency import DeclaredAnswers, TransparencyConfig
from auditor.errors import SHOWN_AS_ESCAPE, AuditorInputError, shown_char

SCENARIOS = ("digits", "adult", "mnist")

__all__ = [
    "SCENARIOS",
    "SUPPLIED_KINDS",
    "AuditConfig",
    "DPConfig",
    "DeclaredAnswers",
    "FairnessConfig",
    "GateRule",
    "GatesConfig",
    "PrivacyConfig",
    "TrainingConfig",
    "TransparencyConfig",
    "default_config",
    "expand_home",
    "load_config",
]


class SplitFractions(StrictModel):
    """Fractions of the rows for each disjoint split; ``holdout`` is the non-member pool for
    the privacy probes and is never used for training, early stopping or tuning."""

    pretrain: float = Field(0.35, ge=0, lt=1)
    finetune_train: float = Field(0.15, gt=0, lt=1)
    holdout: float = Field(0.15, ge=0, lt=1)
    val: float = Field(0.10, gt=0, lt=1)
    test: float = Field(0.25, gt=0, lt=1)

    @model_validator(mode="after")
    def _sum_at_most_one(self) -> SplitFractions:
        total = self.pretrain + self.finetune_train + self.holdout + self.val + self.test
        if total > 1.0 + 1e-9:
            raise ValueError(f"split fractions add up to {total:.3f}, more than 1")
        return self


class DigitsData(StrictModel):
    source: Literal["digits"] = "digits"
    # Fine-tuning target: "odd" (1 for odd digits) or "ge5" (1 for digits 5-9).
    target: Literal["odd", "ge5"] = "odd"
    splits: SplitFractions = SplitFractions()


class AdultData(StrictModel):
    source: Literal["adult"] = "adult"
    # Folder with adult.data.gz / adult.test.gz; None: the copy shipped in the package.
    path: FilePath | None = None
    # Whether sex and race are model inputs (they are always audited as sensitive features).
    sensitive_as_features: bool = True
    splits: SplitFractions = SplitFractions(
        pretrain=0.40, finetune_train=0.15, holdout=0.15, val=0.10, test=0.20
    )


class MnistData(StrictModel):
    source: Literal["mnist"] = "mnist"
    # Folder with MNIST/raw/'s four IDX files, plain or .gz (auditor's own reader: as many images
    # as they hold); None: the 5,000-image sample shipped in the package, unless download = true
    # (then into ./data, through torchvision).
    root: FilePath | None = None
    download: bool = False
    target: Literal["odd", "ge5"] = "odd"
    # Cap the rows used (None: all of them), so a CPU run stays short.
    max_rows: int | None = Field(None, ge=10)
    splits: SplitFractions = SplitFractions()


class TableData(StrictModel):
    source: Literal["table"] = "table"
    path: FilePath
    target: str
    sensitive: list[str] = Field(..., min_length=1)
    # Value of the target column that counts as the positive class (None: the larger label).
    positive_label: ConfigLabel | None = None
    # Model input columns (None: every column but the target, `drop`, the sensitive columns
    # and ID-like columns, which are refused unless named here).
    features: list[str] | None = None
    # Columns that are never model inputs.
    drop: list[str] = Field(default_factory=list)
    # Sensitive columns are audited, and model inputs only when this is true.
    sensitive_as_features: bool = False
    # True: a missing sensitive value is its own group "(missing)"; false: such rows refused.
    missing_group: bool = False
    # Categorical inputs with more distinct values than this (in the whole table) are refused.
    max_categories: int = Field(100, ge=2)
    # Where the table comes from and under which terms: the checklist's data_license item is
    # met when both are written (the built-in datasets carry their own).
    license: str = ""
    citation: str = ""
    # finetune_train = holdout: as many non-members as members for the privacy probes.
    splits: SplitFractions = SplitFractions(
        pretrain=0.25, finetune_train=0.20, holdout=0.20, val=0.10, test=0.25
    )
    # A supplied model (model.kind "checkpoint" / "sklearn"): `path` holds the evaluation rows;
    # `members` the model's training rows and `non_members` rows of the same distribution it
    # never saw (both optional; the privacy probes need them). `splits` is not used then.
    members: FilePath | None = None
    non_members: FilePath | None = None

    @field_validator("sensitive", "features", "drop")
    @classmethod
    def _each_column_once(cls, columns: list[str] | None) -> list[str] | None:
        for col in columns or []:
            if columns.count(col) > 1:
                raise ValueError(f"column {col!r} is named {columns.count(col)} times")
        return columns


DataConfig = Annotated[
    DigitsData | AdultData | MnistData | TableData, Field(discriminator="source")
]


# members / non_members are the rows a supplied model was (not) trained on; a model trained
# here takes its members and non-members from data.splits, and would ignore them.
ROWS_OF_A_SUPPLIED_MODEL = (
    "{key} are the rows of a model trained elsewhere (model.kind = 'checkpoint' or 'sklearn'); "
    "model.kind = '{kind}' trains one here on data.splits of data.path and would not read them"
)
SUPPLIED_NEEDS_TABLE = (
    "a supplied model (model.kind = '{kind}') is audited on a table: data.source = 'table'"
)


class TrainingConfig(StrictModel):
    # "pretrain-finetune": pretrain the backbone, then a new head on it ([pretrain], [finetune]);
    # "plain": train the whole model once on the training split (the pretrain rows join it;
    # the [finetune] settings apply, nothing is frozen).
    recipe: Literal["pretrain-finetune", "plain"] = "pretrain-finetune"
    # "fp32": every training step in float32; "bf16": each step's forward and loss under
    # bfloat16 autocast (weights, optimizer, validation and the audit's predictions stay
    # float32; about 2x faster on a CPU with AVX-512 BF16 or AMX, several times slower where
    # it is emulated); "auto": bf16 where the device has it in hardware, else fp32. DP-SGD
    # fine-tuning, the privacy probes' reference models and canary retrainings train in
    # float32 whatever this says. audit.json records each stage's.
    precision: Literal["fp32", "bf16", "auto"] = "fp32"


class PretrainConfig(StrictModel):
    # "supervised": the seed's recipe on the pretraining labels; "masked_reconstruction":
    # self-supervised on unlabeled rows (labels are never read); "none": random init.
    objective: Literal["supervised", "masked_reconstruction", "none"] = "supervised"
    epochs: int = Field(30, ge=1)
    batch_size: int = Field(128, ge=1)
    lr: float = Field(2e-3, gt=0)
    patience: int = Field(5, ge=1)
    mask_ratio: float = Field(0.3, gt=0, lt=1)


class FinetuneConfig(StrictModel):
    epochs: int = Field(60, ge=1)
    batch_size: int = Field(64, ge=1)
    lr: float = Field(3e-3, gt=0)
    patience: int = Field(8, ge=1)
    # 0 freezes the whole backbone (the seed); N > 0 also trains the last N backbone layers.
    unfreeze_last: int = Field(0, ge=0)


MAX_SEED = 2**63 - 1
# What AuditConfig.with_overrides replaces: top-level scalars, checked alone (no other field's
# rule involves them); any other change goes through AuditConfig(...) and all its checks.
OVERRIDES = ("seed", "device", "threads", "name")
OVERRIDE_KEYS = "with_overrides takes seed, device, threads or name, not {key!r}"
NAME_HAS_PATH = "a run name is one folder name: no '/', '\\', '.' or '..'"
# One rule with the writers (errors.SHOWN_AS_ESCAPE): what a report shows as an escape, no name
NAME_HAS_CONTROL = "a run name has no control or invisible characters (it names folders and files)"
NAME_BLANK = "a run name is blank; write one, or leave name out (the config file's name is used)"
# A folder name is at most 255 bytes; beside a run auditor makes ``.NAME.<8>.staging``,
# ``.NAME.lock`` and ``NAME.gate-<time>-<k>`` (its own staging folder 18 bytes more).
MAX_NAME_BYTES = 200
NAME_TOO_LONG = "a run name is at most {limit} bytes in UTF-8 (it names folders), not {n}"


def _holds_char(char: str) -> str:
    """``holds \\xa0 (no-break space)``: a character's escape and Unicode name (a control: none)."""
    called = unicodedata.name(char, "").lower()
    return f"holds {shown_char(char)}" + (f" ({called})" if called else "")


def name_from_file(path: str | Path) -> str:
    """A run name from a file's stem that the ``name`` field takes: a control or invisible
    character (:data:`~auditor.errors.SHOWN_AS_ESCAPE`), ``/`` or ``\\`` becomes ``_``; a stem
    of dots alone becomes ``predictions``."""
    stem = SHOWN_AS_ESCAPE.sub("_", Path(path).stem).replace("/", "_").replace("\\", "_")
    stem = stem.encode()[:MAX_NAME_BYTES].decode(errors="ignore")  # a long file name: cut
    # and again: a joiner is kept by what follows it, and a cut just past one leaves it bare
    stem = SHOWN_AS_ESCAPE.sub("_", stem)
    return stem if stem.strip(". ") else "predictions"


class AuditConfig(StrictModel):
    name: str | None = None
    seed: int = Field(0, ge=0, le=MAX_SEED)
    device: Literal["cpu", "cuda", "auto"] = "cpu"
    # torch threads outside training (inference, explanations, references' predictions); None:
    # the cores free at start-up (auditor.runtime). Training always uses one thread, so the
    # weights, and audit.json, do not depend on it.
    threads: int | None = Field(None, ge=1, le=MAX_PROCESSES)
    data: DataConfig = DigitsData()
    model: ModelConfig = ModelConfig()
    training: TrainingConfig = TrainingConfig()
    pretrain: PretrainConfig = PretrainConfig()
    finetune: FinetuneConfig = FinetuneConfig()
    fairness: FairnessConfig = FairnessConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    transparency: TransparencyConfig = TransparencyConfig()
    gates: GatesConfig = GatesConfig()

    @field_validator("name")
    @classmethod
    def _name_is_one_folder(cls, name: str | None) -> str | None:
        if name is not None and not name.strip():
            raise ValueError(NAME_BLANK)
        if name is not None and ("/" in name or "\\" in name or name in (".", "..")):
            raise ValueError(NAME_HAS_PATH)
        shown = None if name is None else SHOWN_AS_ESCAPE.search(name)
        if shown:  # "C:\new": validate_config says \n
            raise ValueError(f"{NAME_HAS_CONTROL}; it {holds(name) or _holds_char(shown[0])}")
        if name is not None and len(name.encode()) > MAX_NAME_BYTES:
            raise ValueError(NAME_TOO_LONG.format(limit=MAX_NAME_BYTES, n=len(name.encode())))
        return name

    @model_validator(mode="after")
    def _supplied_on_a_table(self) -> AuditConfig:
        if self.model.kind in SUPPLIED_KINDS and self.data.source != "table":
            raise ValueError(SUPPLIED_NEEDS_TABLE.format(kind=self.model.kind))
        for key in ("members", "non_members"):
            if getattr(self.data, key, None) is not None and not self.supplied:
                raise key_error(f"data.{key}", ROWS_OF_A_SUPPLIED_MODEL.format(
                    key=key, kind=self.model.kind))  # fmt: skip
        return self

    @property
    def supplied(self) -> bool:
        """The model was trained elsewhere: auditor audits it and trains no target model."""
        return self.model.kind in SUPPLIED_KINDS

    @property
    def run_name(self) -> str:
        return self.name or self.data.source

    def with_overrides(self, **changes: Any) -> AuditConfig:
        """A copy with top-level fields replaced (``seed``, ``device``, ``threads``, ``name``),
        each checked alone (the config was checked once, when it was read); the rest as it
        is, with what the config left unwritten (a DP delta auditor then chooses:
        :func:`auditor.config.privacy.resolved_dp`) still unwritten. Another key: TypeError."""
        for key in changes:
            if key not in OVERRIDES:  # data=... would skip the checks across fields
                raise TypeError(OVERRIDE_KEYS.format(key=key))
        changes = {k: v for k, v in changes.items() if v is not None}
        if not changes:
            return self
        checked = validate_config(changes, source="command line")  # beside the defaults
        return self.model_copy(update={k: getattr(checked, k) for k in changes})


def default_config(scenario: str) -> AuditConfig:
    """The built-in configuration of a scenario (digits, adult, mnist)."""
    from auditor.config.builtin_cards import BUILTIN

    declared = TransparencyConfig(declared=BUILTIN.get(scenario, DeclaredAnswers()))
    if scenario == "digits":
        return AuditConfig(name="digits", data=DigitsData(), transparency=declared)
    if scenario == "adult":
        return AuditConfig(
            name="adult",
            data=AdultData(),
            pretrain=PretrainConfig(objective="masked_reconstruction", epochs=15, batch_size=256),
            # Self-supervised features are not aligned with the target: the last backbone
            # layer trains with the head (0.85 test accuracy against 0.83 frozen).
            finetune=FinetuneConfig(
                epochs=30, batch_size=256, lr=2e-3, patience=5, unfreeze_last=1
            ),
            transparency=declared,
        )
    if scenario == "mnist":
        # The shipped 5,000-image sample: its 1,750 pretraining images need 8 epochs (still
        # improving at 5); Integrated Gradients on 128 test images, not 512, at 28x28.
        return AuditConfig(
            name="mnist",
            data=MnistData(),
            pretrain=PretrainConfig(epochs=8, batch_size=128, patience=3),
            finetune=FinetuneConfig(epochs=60, batch_size=128),
            privacy=PrivacyConfig(n_reference=8),
            transparency=declared.model_copy(update={"max_attribution_rows": 128}),
        )
    raise AuditorInputError(
        f"unknown scenario {scenario!r}; choose one of {', '.join(SCENARIOS)}",
        field="--scenario",
    )


# Keys only a table has: a [data] table with one of them and no source is a table whose
# `source = "table"` was forgotten (it was read as the digits scenario: "data.target: Input
# should be 'odd' or 'ge5'").
TABLE_ONLY_KEYS = {"sensitive", "features", "drop", "positive_label", "missing_group",
                   "max_categories", "members", "non_members"}  # fmt: skip
NO_SOURCE = (
    'missing: a table (CSV or Parquet) needs source = "table" (without a source, [data] is '
    "the built-in digits scenario)"
)


def source_not_written(keys: Any) -> str:
    """The source of a [data] table that writes none (``keys``: its keys): "table" where it
    writes a key only a table has (its source forgotten: refused), else "digits"."""
    return "table" if TABLE_ONLY_KEYS & set(keys) else "digits"


def as_validated(
    raw: dict[str, Any], *, source: str, prefix: str = ""
) -> tuple[dict[str, Any], frozenset[str]]:
    """(``raw`` as AuditConfig validates it, the keys lifted from [run]): [run]'s keys at the
    top, a [data] without a source the digits scenario, or one line where it is a table's."""
    raw, lifted = lift_run_table(raw, source=source, prefix=prefix)  # [run] threads = 2
    data = raw.get("data")
    if isinstance(data, dict) and "source" not in data:
        if source_not_written(data) == "table":
            raise AuditorInputError(NO_SOURCE, source=source, field=f"{prefix}data.source")
        raw = {**raw, "data": {"source": "digits", **data}}  # the built-in default source
    return raw, lifted


def validate_config(raw: dict[str, Any], *, source: str, prefix: str = "") -> AuditConfig:
    """Validate a raw dict; raise one-line :class:`AuditorInputError` naming the key (below
    ``prefix``: ``tool.auditor.`` in pyproject.toml)."""
    raw, lifted = as_validated(raw, source=source, prefix=prefix)
    try:
        return AuditConfig.model_validate(raw, context={"config_file": source})
    except ValidationError as exc:
        loc, msg = first_problem(exc, AuditConfig, prefix=prefix)
        loc = run_key_named(loc, lifted, prefix=prefix)
        if loc.removeprefix(prefix) in ("name", "run.name"):  # "C:\new" in the file: its \n
            msg = escape_advice(msg, raw.get("name"), source)
        raise AuditorInputError(msg, source=source, field=loc) from None


def load_config(path: str | Path) -> AuditConfig:
    """Read and validate a TOML config. ``pyproject.toml`` is read from ``[tool.auditor]``."""
    return load_config_with(path, lambda raw, prefix: raw)


def load_config_with(
    path: str | Path,
    take: Callable[[dict[str, Any], str], dict[str, Any]],
    *,
    read: tuple[str, ...] = EVERY_TABLE,
) -> AuditConfig:
    """:func:`load_config`, with ``take(raw, prefix)`` handed the file's table (below
    ``prefix``) before it is validated, and giving the table to validate; ``read``: the
    tables whose files the caller reads (the others' paths are not checked)."""
    path = home_path(path, field="path")  # "~/c.toml": the home folder's; "./~/c.toml" here
    # a folder, a device, too large, UTF-16, not UTF-8, not TOML
    raw, prefix = config_table(read_toml(path), source=str(path))
    taken = take(raw, prefix)
    config = validate_config(taken, source=str(path), prefix=prefix)
    written_urls(taken, base=path.parent, read=read, prefix=prefix)  # before a Path drops a /
    try:
        return resolve_paths(config, base=path.parent, source=str(path), read=read, raw=taken)
    except AuditorInputError as exc:
        if not prefix or not exc.field or exc.source != str(path):
            raise
        raise AuditorInputError(exc.message, source=exc.source, field=prefix + exc.field) from None
