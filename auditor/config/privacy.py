"""``[privacy]`` table: which probes run, reference models, canaries, DP-SGD."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from auditor.config._base import StrictModel
from auditor.config.recipe_splits import EQUAL_MEMBERSHIP
from auditor.errors import AuditorInputError

PROBES = ("loss", "lira", "rmia", "groups", "canaries", "stages")


# Processes or threads a config may ask for (as AuditConfig.threads): 10**8 processes was an
# internal error of joblib's after training; 0 or a negative count means nothing here.
MAX_PROCESSES = 1024
MAX_CANDIDATES = 100_000


# A delta of 1/n or more (n training rows) lets a mechanism publish a whole record and still
# meet (epsilon, delta): its epsilon claims nothing. opacus asks for delta below 1/n. A delta
# the config does not write follows the rule itself (:func:`resolved_dp`); one it writes is
# refused (:func:`check_delta`).
DEFAULT_DELTA = 1e-5
DELTA_NOT_BELOW = (
    "{delta:g} is not below 1/n = {bound:.3g}, where n = {n:,} is the most rows a DP-SGD "
    "training of this run takes ({what}); at a delta of 1/n or more a whole training record "
    "may leak, so target_epsilon would claim nothing; write a smaller target_delta (e.g. {way:g})"
)
# What sets n, each a model DP-SGD trains (auditor.privacy.engine): the model under audit on
# its members (finetune_train, cut to the non-members' (holdout) count for a table:
# auditor.config.recipe_splits.EQUAL_MEMBERSHIP); a reference model on half of both; the
# canary model on the members and the canaries inserted (of privacy.n_canaries).
DP_SPLITS = {
    "finetune_train": "the model's, on data.splits.finetune_train",
    "holdout": "the model's, on data.splits.finetune_train cut to as many rows as "
    "data.splits.holdout holds, so that members and non-members are equal in number",
}
REFERENCE_ROWS = (
    "each reference model's, on half of data.splits.finetune_train and data.splits.holdout"
)
CANARY_ROWS = (
    "the canary model's, on the model's {members:,} rows and up to privacy.n_canaries = {m:,} "
    "canaries"
)
# The probes that train reference models (auditor.privacy.engine), each with DP-SGD
REFERENCE_PROBES = frozenset({"loss", "lira", "rmia", "groups"})
# The sources whose canaries are half uniform-noise images, half mislabelled test rows; a
# table's are all mislabelled test rows (auditor.privacy.canaries.make_canaries, noise where
# the bundle's modality is "image").
NOISE_CANARY_SOURCES = ("digits", "mnist")


def trains_references(privacy: PrivacyConfig) -> bool:
    """Whether the probes of ``privacy`` train reference models (each with DP-SGD where the
    run has it). The engine and :func:`dp_rows` both ask this."""
    return bool(set(privacy.probes) & REFERENCE_PROBES)


def canaries_run(privacy: PrivacyConfig) -> bool:
    """Whether the canary probe is asked for (it then trains the canary model, where the test
    rows hold its mislabelled canaries: :func:`canaries_drawn`). The engine and
    :func:`dp_rows` both ask this."""
    return "canaries" in privacy.probes and privacy.n_canaries > 0


def mislabelled_canaries(n_canaries: int, source: str) -> int:
    """How many of ``n_canaries`` canaries are mislabelled test rows for ``source`` (as
    :func:`auditor.privacy.canaries.make_canaries` splits them: the first kind takes the odd
    one)."""
    return (n_canaries + 1) // 2 if source in NOISE_CANARY_SOURCES else n_canaries


def canaries_drawn(n_canaries: int, source: str, n_test: int) -> bool:
    """Whether the test split's ``n_test`` rows hold the mislabelled canaries of ``n_canaries``:
    where they do not, make_canaries refuses and the canary model does not train."""
    return mislabelled_canaries(n_canaries, source) <= n_test


def dp_members(source: str, n_finetune: int, n_holdout: int) -> tuple[int, str]:
    """The rows DP-SGD fine-tunes the model on, from finetune_train's and holdout's rows as
    drawn (before a table's are made equal: auditor.data._tables.equal_membership), and the
    split that sets their number (a key of DP_SPLITS). Preflight and the run both ask this."""
    if source in EQUAL_MEMBERSHIP and 0 < n_holdout < n_finetune:
        return n_holdout, "holdout"
    return n_finetune, "finetune_train"


def dp_rows(
    privacy: PrivacyConfig, source: str, n_finetune: int, n_holdout: int, n_test: int
) -> tuple[int, str]:
    """The most rows a DP-SGD training of the run trains on (its delta must be below 1 over
    them), and what sets them, for a message: the model's members (:func:`dp_members`), a
    reference model's half of members and non-members, or the canary model's members and
    inserted canaries (at most privacy.n_canaries, where the test split's ``n_test`` rows
    hold them), as the probes ``privacy`` runs. The counts are the splits' as drawn."""
    n, split = dp_members(source, n_finetune, n_holdout)
    rows = [(n, DP_SPLITS[split])]
    if privacy.enabled and trains_references(privacy):
        holdout = n if source in EQUAL_MEMBERSHIP and n_holdout > 0 else n_holdout
        rows.append(((n + holdout + 1) // 2, REFERENCE_ROWS))
    m = privacy.n_canaries
    if privacy.enabled and canaries_run(privacy) and canaries_drawn(m, source, n_test):
        rows.append((n + m, CANARY_ROWS.format(members=n, m=m)))
    return max(rows, key=lambda row: row[0])  # the first of equals: the members


class DPConfig(StrictModel):
    """DP-SGD through Opacus for the fine-tuning stage (and every retraining the probes do)."""

    target_epsilon: float = Field(..., gt=0)
    # Not written: DEFAULT_DELTA, or below 1/n where that is not (resolved_dp).
    target_delta: float = Field(DEFAULT_DELTA, gt=0, lt=1)
    max_grad_norm: float = Field(1.0, gt=0)


def default_delta(n_rows: int) -> float:
    """The delta of a config that writes none, for DP-SGD on ``n_rows`` rows: DEFAULT_DELTA,
    or where that is not below 1/n the largest power of ten at most 1/(10 n)."""
    if DEFAULT_DELTA * n_rows < 1:
        return DEFAULT_DELTA
    return 10.0 ** math.floor(math.log10(0.1 / n_rows))


def resolved_dp(dp: DPConfig | None, n_rows: int) -> DPConfig | None:
    """``dp`` with the delta the run uses on ``n_rows`` rows: the config's own where it writes
    one (:func:`check_delta` checks it), else :func:`default_delta`."""
    if dp is None or "target_delta" in dp.model_fields_set:
        return dp
    delta = default_delta(n_rows)
    return dp if delta == dp.target_delta else dp.model_copy(update={"target_delta": delta})


def check_delta(
    dp: DPConfig | None, n_rows: int, what: str = DP_SPLITS["finetune_train"], *,
    source: str | None = None,
) -> None:
    """Refuse, naming ``privacy.dp.target_delta`` (and the file ``source``), the delta a config
    writes where it claims nothing for DP-SGD on ``n_rows`` training rows (it is not below
    1/n); ``what``: what sets n, as :func:`dp_rows` says. Nothing where it is below, unwritten,
    or no DP. Preflight and the run (training.dp.delta_config) both ask it."""
    if dp is None or "target_delta" not in dp.model_fields_set:
        return
    if n_rows <= 0 or dp.target_delta * n_rows < 1:
        return
    why = DELTA_NOT_BELOW.format(delta=dp.target_delta, bound=1 / n_rows, n=n_rows, what=what,
                                 way=default_delta(n_rows))  # fmt: skip
    raise AuditorInputError(why, source=source, field="privacy.dp.target_delta")


class PrivacyConfig(StrictModel):
    enabled: bool = True
    # loss: LOSS + correctness attacks; lira / rmia: reference-model attacks; groups: TPR per
    # sensitive group; canaries: exposure + one-run epsilon bound; stages: pretrain vs fine-tune.
    probes: list[Literal["loss", "lira", "rmia", "groups", "canaries", "stages"]] = list(PROBES)
    # Reference models (K): even, so they come in complementary halves of the pool.
    n_reference: int = Field(16, ge=2, le=1024)
    # FPR levels at which TPR is reported (the first one is used for the per-group table).
    fpr_levels: list[float] = Field(default_factory=lambda: [0.01, 0.001], min_length=1)
    # "auto": one global variance when n_reference < 64 (Carlini et al. 2022).
    lira_fixed_variance: Literal["auto", "always", "never"] = "auto"
    rmia_references: int = Field(4, ge=1, le=4)
    rmia_gamma: float = Field(1.0, gt=0)
    # Audited canaries (each inserted with probability 1/2) and never-inserted candidates per
    # kind for exposure.
    n_canaries: int = Field(100, ge=0)
    # At most MAX_CANDIDATES: each is a generated input held in memory (10**12 was a
    # MemoryError after training).
    canary_candidates: int = Field(200, ge=1, le=MAX_CANDIDATES)
    # Guesses of the one-run audit, fixed in advance (None: n_canaries // 5 on each side).
    canary_guesses: int | None = Field(None, ge=1)
    confidence: float = Field(0.95, gt=0.5, lt=1)
    # Groups with fewer members than this get "insufficient_data", not a rate.
    min_group_members: int = Field(20, ge=1)
    # Joblib backend for the reference models: "loky", "multiprocessing", "sequential", "ray".
    backend: Literal["loky", "multiprocessing", "sequential", "ray"] = "loky"
    # Processes for the reference models; "auto": small tails train stacked into one model in
    # this process, large ones a process per free core where the work pays for the start-up
    # (auditor.privacy.reference). 1: one process (stacked where the tail allows).
    n_jobs: Annotated[int, Field(ge=1, le=MAX_PROCESSES)] | Literal["auto"] = "auto"
    # Torch threads inside each reference job (results do not depend on the machine).
    threads_per_job: int = Field(1, ge=1, le=MAX_PROCESSES)
    # Address of an existing Dask scheduler, e.g. "tcp://127.0.0.1:8786": jobs run there.
    dask_scheduler: str | None = None
    # Address of an existing Ray cluster (with backend = "ray"); None starts a local one.
    ray_address: str | None = None
    dp: DPConfig | None = None

    @field_validator("n_reference")
    @classmethod
    def _even(cls, v: int) -> int:
        if v % 2:
            raise ValueError(f"must be even (complementary halves of the pool), got {v}")
        return v

    @field_validator("fpr_levels")
    @classmethod
    def _levels(cls, v: list[float]) -> list[float]:
        if any(not 0 < x < 1 for x in v):
            raise ValueError("every FPR level must be between 0 and 1 (exclusive)")
        if len(set(v)) < len(v):  # each level is a key of audit.json's tpr_at_fpr
            raise ValueError(f"names an FPR level twice: {v}")
        return v

    @model_validator(mode="after")
    def _guesses(self) -> PrivacyConfig:
        if self.canary_guesses is not None and 2 * self.canary_guesses > self.n_canaries:
            raise ValueError(
                f"canary_guesses = {self.canary_guesses} per side needs n_canaries >= "
                f"{2 * self.canary_guesses}"
            )
        return self
