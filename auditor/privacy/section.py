"""The typed ``privacy`` section of ``audit.json`` (frozen; its JSON Schema is generated).

Every number with an interval is an estimate node ``{value, ci_low, ci_high, n}``:

- ``auc``: the membership AUC with its Hanley-McNeil interval; ``n`` = members + non-members
  (the rows it ranks).
- ``tpr_at_fpr."<level>"``: the TPR at FPR <= level with its Clopper-Pearson interval;
  ``n`` = members (the TPR is a share of them), beside the counts behind it.
- ``tpr`` / ``fpr`` at a chosen threshold: ``n`` = members / non-members.
- ``loss_auc`` of a canary kind: ``n`` = audited canaries of that kind.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator

from auditor.results._base import Estimate, NotRun, Result


def _finite(v: Any) -> Any:
    return None if isinstance(v, float) and not math.isfinite(v) else v


# A number written as null where it is undefined (NaN) or unbounded (inf).
Number = Annotated[float | None, BeforeValidator(_finite)]


class TprAtFpr(Estimate):
    """The best TPR (``value``) whose FPR is <= the level, as an estimate node (``n`` =
    members), with the counts behind it. resolvable: False when fewer than one false positive
    is allowed at this level (n_non_members * level < 1): the TPR at zero false positives; in
    the pooled columns, where one row has a copy in several models, its distinct non-member
    rows * level < 1 (:mod:`auditor.privacy.pooled`)."""

    fpr: Number
    tp: int
    fp: int
    n_non_members: int
    threshold: Number
    resolvable: bool


class RocSummary(Result):
    """Membership AUC and TPR at each FPR level of one score on members vs non-members."""

    n_members: int
    n_non_members: int
    auc: Estimate
    tpr_at_fpr: dict[str, TprAtFpr]


class RocCurve(Result):
    """The ROC at log-spaced FPRs (for a log-log plot)."""

    fpr: list[float]
    tpr: list[float]


class RatesAt(Result):
    """Member / non-member rates at one fixed threshold (chosen on reference models)."""

    threshold: Number
    tp: int
    n_members: int
    fp: int
    n_non_members: int
    tpr: Estimate
    fpr: Estimate
    balanced_accuracy: Number
    advantage: Number
    threshold_source: str | None = None


class PooledSummary(RocSummary):
    """The target plus the reference models as attacked models (leave-one-out)."""

    n_models: int
    roc: RocCurve


class AttackReport(RocSummary):
    """One attack on the target: ROC summary, curve, and rates at reference-fitted
    thresholds (None without reference models)."""

    name: str
    description: str
    params: dict[str, Any]
    roc: RocCurve
    decision: RatesAt | None
    calibrated_at_fpr: dict[str, RatesAt] | None
    pooled: PooledSummary | None


class References(Result):
    """How the K reference models trained. ``strategy``: "stacked" (the K tails as one model
    with a model axis, one process), "processes" (local joblib workers, one model a job),
    "sequential" (one after another in this process), "dask" or "ray" (a cluster);
    ``n_jobs``: processes, or with "stacked" the stacks trained at once (threads of this
    process); ``seconds_per_model``: each model's own time, or with "stacked" an equal share
    of its stack's."""

    k: int
    design: str
    recipe: str
    n_train_each: int
    seconds_total: float
    seconds_per_model: list[float]
    epochs_run: list[int]
    strategy: Literal["stacked", "processes", "sequential", "dask", "ray"]
    backend: str
    n_jobs: int
    threads_per_job: int
    dp: bool


class GroupRow(Result):
    """One sensitive group at the reference-calibrated threshold. ``fpr``: the FPR realised on
    the target's non-members of the group (Clopper-Pearson interval, ``n`` = non-members),
    beside ``fpr_nominal``, the level the threshold was calibrated to on the reference
    models."""

    group: str
    status: Literal["ok", "insufficient_data"]
    n_members: int
    tp: int
    tpr: Estimate
    n_non_members: int
    fp: int
    fpr: Estimate
    fpr_nominal: float
    n_test: int
    test_accuracy: Number
    accuracy_gap: Number


class GroupLeakage(Result):
    status: Literal["ok"] = "ok"
    attack: str
    fpr_level: float
    threshold_source: str
    threshold: Number
    overall_tpr: Estimate
    overall_fpr: Estimate
    overall_test_accuracy: Number
    min_group_members: int
    features: dict[str, list[GroupRow]]
    tpr_gap: dict[str, Number]
    fairness_gaps: dict[str, dict[str, Number]] = {}


class CanaryModel(Result):
    n_train: int
    n_canaries_inserted: int
    seconds: float
    epochs_run: int
    dp_epsilon: Number


class CanaryKind(Result):
    n_audited: int
    n_inserted: int
    n_candidates: int
    loss_auc: Estimate
    mean_loss_inserted: Number
    mean_loss_not_inserted: Number
    exposure_bits_max_possible: float
    exposure_bits_mean_inserted: Number
    exposure_bits_max_inserted: Number
    exposure_bits_mean_not_inserted: Number


class Canaries(Result):
    """Canaries, exposure and the one-run epsilon lower bound (Steinke et al. 2023)."""

    status: Literal["ok"] = "ok"
    m: int
    inclusion_probability: float
    source: str
    model: CanaryModel
    kinds: dict[str, CanaryKind]
    score: str
    k_plus: int
    k_minus: int
    r: int
    correct: int
    confidence: float
    delta: float
    epsilon_lower_bound: Number
    epsilon_ceiling: Number
    claimed_epsilon: Number
    # "no_claim" (no DP-SGD), "within" / "exceeded" (the lower bound vs the claim), or
    # "untestable": the claim is at or above epsilon_ceiling, so no outcome of this many
    # guesses could exceed it; exceeds_claim is then null, its reason in undefined.
    claim_status: Literal["no_claim", "within", "exceeded", "untestable"]
    exceeds_claim: bool | None
    undefined: dict[str, str] = {}


class StageLeak(Result):
    """Membership leakage of one stage on its own members (None fields: not applicable)."""

    applicable: bool
    members: str
    non_members: list[str]
    score: str | None = None
    reason: str | None = None
    n_members: int | None = None
    n_non_members: int | None = None
    auc: Estimate | None = None
    tpr_at_fpr: dict[str, TprAtFpr] | None = None


class Stages(Result):
    status: Literal["ok"] = "ok"
    pretrained: StageLeak
    finetuned: StageLeak


class DpReport(Result):
    enabled: bool
    target_epsilon: Number = None
    target_delta: Number = None
    max_grad_norm: Number = None
    accountant_epsilon: Number = None
    noise_multiplier: Number = None
    accountant: str | None = None
    empirical_epsilon_lower_bound: Number = None
    # The most the canary audit could show (its bound with every guess right): a gate
    # "empirical_epsilon_lower_bound <= x" with x >= this cannot fail. None in older records.
    empirical_epsilon_ceiling: Number = None
    canary_model_accountant_epsilon: Number = None
    lower_bound_exceeds_claim: bool | None = None
    canary_claim_status: str | None = None
    # Why a canary field above is null though the probe ran (the canaries node's reasons, under
    # this node's names): a gate on it reads the reason. Empty in older records.
    undefined: dict[str, str] = {}


class Population(Result):
    split: str
    n: int


class PrivacySection(Result):
    """The ``privacy`` section when the probes ran (status "ok")."""

    status: Literal["ok"] = "ok"
    probes: list[str]
    members: Population
    non_members: Population
    fpr_levels: list[float]
    confidence: float
    references: References | None
    attacks: dict[str, AttackReport]
    per_class: dict[str, dict[str, RocSummary]]
    groups: GroupLeakage | NotRun
    canaries: Canaries | NotRun
    stages: Stages | NotRun
    dp: DpReport
    notes: list[str]
    timings_s: dict[str, float]
