"""The privacy probes over one :class:`~auditor.context.AuditContext`: returns the typed
``privacy`` section (:class:`~auditor.privacy.section.PrivacySection`).

Members are the fine-tuning training rows, non-members the held-out pool of the same size.
Every threshold and attack parameter is fitted on reference models only; the target's
non-members are used only to evaluate. One entry point calls small ``_prepare_*`` steps; the
attacks run in one loop over the registry (:mod:`auditor.privacy.attacks`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from auditor.config.privacy import canaries_run, trains_references
from auditor.errors import AuditorInputError
from auditor.privacy.attacks import (
    Attack,
    AttackInputs,
    create_attack,
    loss_score,
    registered_attacks,
)
from auditor.privacy.canary_probe import canary_probe
from auditor.privacy.groups import fairness_gaps, group_leakage
from auditor.privacy.notes import unresolved_notes
from auditor.privacy.pooled import distinct_rows
from auditor.privacy.reference import Strategy, complementary_halves, train_references
from auditor.privacy.section import (
    AttackReport,
    DpReport,
    Population,
    PrivacySection,
    References,
    RocSummary,
)
from auditor.privacy.stage_leak import stage_comparison
from auditor.privacy.summary import attack_report, pooled_rows, roc_summary
from auditor.results import NotRun
from auditor.runtime import free_cores
from auditor.seeding import Rngs
from auditor.training.loop import TRAIN_THREADS

if TYPE_CHECKING:
    from auditor.config.privacy import PrivacyConfig
    from auditor.context import AuditContext

# The attack whose scores the per-group table reads, and the ones broken down by class.
GROUPS_ATTACK = "lira_online"
PER_CLASS_ATTACKS = ("loss", "correctness")
NOT_AMONG_PROBES = "not among privacy.probes"
NO_CANARIES = "n_canaries = 0"
DESIGN = "complementary halves of the member + non-member pool, each row IN for exactly k/2"
RECIPE = (
    "auditor.training.finetune from the same pretrained checkpoint, same config and validation rows"  # noqa: E501
)
# A canaries field -> the dp node's copy of it (its reason follows it there).
DP_NAMES = {
    "epsilon_lower_bound": "empirical_epsilon_lower_bound",
    "exceeds_claim": "lower_bound_exceeds_claim",
}


@dataclass(frozen=True)
class _Pool:
    """The audited rows (members first, then non-members) and the target's logits on them and
    on the population (test) rows."""

    is_member: np.ndarray
    x: np.ndarray
    y: np.ndarray
    logits: np.ndarray
    x_population: np.ndarray
    y_population: np.ndarray
    population_logits: np.ndarray

    @property
    def n_members(self) -> int:
        return int(self.is_member.sum())


@dataclass(frozen=True)
class _References:
    """K reference models: IN masks (K, n) and logits on the pool (K, n, k) and on the
    population (K, n_z, k)."""

    ref_in: np.ndarray
    logits: np.ndarray
    population_logits: np.ndarray
    info: References

    def inputs_for(self, pool: _Pool, attacked: int | None) -> AttackInputs:
        """The attack's view of the target (``None``) or of reference ``attacked``, whose
        references are all the other models, in order."""
        if attacked is None:
            own, own_z, others = pool.logits, pool.population_logits, slice(None)
        else:
            own, own_z = self.logits[attacked], self.population_logits[attacked]
            others = np.arange(len(self.ref_in)) != attacked
        return AttackInputs(
            logits=own, y=pool.y, population_logits=own_z, y_population=pool.y_population,
            ref_logits=self.logits[others], ref_population_logits=self.population_logits[others],
            ref_in=self.ref_in[others],
        )  # fmt: skip


@dataclass(frozen=True)
class _Scored:
    report: AttackReport
    target_scores: np.ndarray
    pooled_rows: int | None = None  # distinct rows behind the pooled non-member scores


def _prepare_pool(ctx: AuditContext) -> _Pool:
    members, holdout, test = (ctx.bundle[s] for s in ("finetune_train", "holdout", "test"))
    return _Pool(
        is_member=np.r_[np.ones(len(members), bool), np.zeros(len(holdout), bool)],
        x=np.concatenate([members.x, holdout.x]),
        y=np.concatenate([members.y, holdout.y]),
        logits=np.concatenate([ctx.predictions("finetuned", s).logits
                               for s in ("finetune_train", "holdout")]).astype(np.float64),
        x_population=test.x, y_population=test.y,
        population_logits=ctx.predictions("finetuned", "test").logits.astype(np.float64),
    )  # fmt: skip


def _job_arguments(ctx: AuditContext, pc: PrivacyConfig) -> dict[str, Any]:
    """What every retraining of the fine-tuning recipe shares."""
    val = ctx.bundle["val"]
    return dict(
        pretrained=ctx.pretrained, x_val=val.x, y_val=val.y,
        n_classes=ctx.bundle.finetune_task.n_classes, finetune_config=ctx.config.finetune,
        dp_config=pc.dp, device=str(ctx.device), threads=pc.threads_per_job,
    )  # fmt: skip


def _prepare_references(
    ctx: AuditContext, pc: PrivacyConfig, pool: _Pool, job: dict[str, Any], rngs: Rngs
) -> _References:
    """Train K reference models on complementary halves of the pool (stream
    ``privacy/reference/halves``; model j draws from ``privacy/reference/<j>/...``)."""
    start, k, n = time.perf_counter(), pc.n_reference, len(pool.y)
    ref_in = complementary_halves(n, k, rng=rngs.numpy("privacy/reference/halves"))
    run = train_references(
        job, x=pool.x, y=pool.y, ref_in=ref_in, x_population=pool.x_population,
        rngs=[rngs.child(f"privacy/reference/{j}") for j in range(k)], privacy_config=pc,
        progress=ctx.progress,
    )  # fmt: skip
    results = run.results
    logits = np.stack([r.logits for r in results]).astype(np.float64)
    info = References(
        k=k, design=DESIGN, recipe=RECIPE, n_train_each=int(ref_in[0].sum()),
        seconds_total=time.perf_counter() - start,
        seconds_per_model=[r.seconds for r in results],
        epochs_run=[r.epochs_run for r in results],
        strategy=run.strategy, backend=_backend(pc, run.strategy), n_jobs=run.n_jobs,
        threads_per_job=run.threads_per_job, dp=pc.dp is not None,
    )  # fmt: skip
    check_references_finite(logits, field="finetune.lr" if ctx.supplied is None else "model.train")
    return _References(ref_in, logits[:, :n], logits[:, n:], info)


REFERENCES_DIVERGED = (
    "{bad} of the {k} reference models gave outputs that are not finite (NaN or infinite; "
    "first: reference {first}): their training diverged, and every membership score drawn "
    "from them would be NaN, read as the strongest member call; a lower learning rate trains"
)


def check_references_finite(logits: np.ndarray, *, field: str) -> None:
    """Refuse reference models (logits (K, rows, classes)) whose outputs are not finite, as
    a target whose training diverged is refused (exit 2, naming what to change)."""
    bad = np.flatnonzero(~np.isfinite(logits.reshape(len(logits), -1)).all(axis=1))
    if len(bad):
        raise AuditorInputError(REFERENCES_DIVERGED.format(bad=len(bad), k=len(logits),
                                                           first=int(bad[0])), field=field)


def _backend(pc: PrivacyConfig, strategy: Strategy) -> str:
    """The joblib backend the reference jobs ran through ("sequential": in this process)."""
    if strategy in ("stacked", "sequential"):
        return "sequential"
    return "dask" if strategy == "dask" else pc.backend


def _prepare_attacks(
    pc: PrivacyConfig, pool: _Pool, refs: _References, probes: set[str]
) -> list[Attack]:
    """The attacks to run: those of the selected probes (plus the per-group one), each
    fitted on reference model 0 seen as the target."""
    tuning, members = refs.inputs_for(pool, 0), refs.ref_in[0]
    return [
        create_attack(name, pc, tuning, members)
        for name, kind in registered_attacks().items()
        if kind.probe in probes or (name == GROUPS_ATTACK and "groups" in probes)
    ]


def _run_attacks(
    attacks: list[Attack], pool: _Pool, refs: _References, pc: PrivacyConfig
) -> dict[str, _Scored]:
    """Each attack on the target and on every reference model (leave-one-out). Each attacked
    model's inputs are built once and scored by every attack (which share what they derive
    from them)."""
    scores: dict[str, list[np.ndarray]] = {attack.name: [] for attack in attacks}
    for attacked in (None, *range(len(refs.ref_in))):
        inputs = refs.inputs_for(pool, attacked)
        for attack in attacks:
            scores[attack.name].append(attack.score(inputs))
    out: dict[str, _Scored] = {}
    for attack in attacks:
        target, *ref_scores = scores[attack.name]
        report = attack_report(
            name=attack.name, description=attack.description, params=attack.params,
            target=target, is_member=pool.is_member, ref_scores=np.stack(ref_scores),
            ref_in=refs.ref_in, levels=list(pc.fpr_levels), confidence=pc.confidence,
            pool_exclude=attack.pool_exclude,
        )  # fmt: skip
        _, _, row_out = pooled_rows(pool.is_member, refs.ref_in, attack.pool_exclude)
        out[attack.name] = _Scored(report, target, distinct_rows(row_out))
    return out


def _per_class(
    scored: Mapping[str, _Scored], pool: _Pool, class_names: tuple[str, ...], pc: PrivacyConfig
) -> dict[str, dict[str, RocSummary]]:
    m, levels = pool.is_member, list(pc.fpr_levels)
    return {
        name: {
            cname: roc_summary(
                scored[name].target_scores[m & (pool.y == c)],
                scored[name].target_scores[~m & (pool.y == c)],
                levels=levels,
                confidence=pc.confidence,
            )  # fmt: skip
            for c, cname in enumerate(class_names)
        }
        for name in PER_CLASS_ATTACKS
        if name in scored
    }


def _dp_report(ctx: AuditContext, canaries: Any) -> DpReport:
    dp = ctx.config.privacy.dp
    if dp is None:
        return DpReport(enabled=False)
    rec = getattr(ctx.finetune_record, "dp", None) or {}
    ran = not isinstance(canaries, NotRun)
    reasons = canaries.undefined if ran else {}
    return DpReport(
        enabled=True, target_epsilon=dp.target_epsilon, target_delta=dp.target_delta,
        max_grad_norm=dp.max_grad_norm, accountant_epsilon=rec.get("epsilon"),
        noise_multiplier=rec.get("noise_multiplier"), accountant=rec.get("accountant"),
        empirical_epsilon_lower_bound=canaries.epsilon_lower_bound if ran else None,
        empirical_epsilon_ceiling=canaries.epsilon_ceiling if ran else None,
        canary_model_accountant_epsilon=canaries.model.dp_epsilon if ran else None,
        lower_bound_exceeds_claim=canaries.exceeds_claim if ran else None,
        canary_claim_status=canaries.claim_status if ran else None,
        undefined={DP_NAMES[k]: why for k, why in reasons.items() if k in DP_NAMES},
    )  # fmt: skip


def _notes(pc: PrivacyConfig, pool: _Pool, reported: Mapping[str, _Scored]) -> list[str]:
    """Where the smallest FPR level allows the target's non-members no false positive: which
    attacks' pooled columns resolve it (:func:`~auditor.privacy.notes.unresolved_notes`)."""
    if not reported:
        return []
    pooled = {n: (s.report.pooled, s.pooled_rows) for n, s in reported.items()
              if s.report.pooled is not None}  # fmt: skip
    n_non = len(pool.y) - pool.n_members
    return unresolved_notes(n_non, min(pc.fpr_levels), pc.n_reference, pooled)


def _stages(
    ctx: AuditContext, pc: PrivacyConfig, pool: _Pool, scored: Mapping[str, _Scored], rngs: Rngs
) -> Any:
    if "loss" in scored:
        fine: RocSummary = scored["loss"].report
    else:
        s = loss_score(pool.logits, pool.y)
        fine = roc_summary(s[pool.is_member], s[~pool.is_member],
                           levels=list(pc.fpr_levels), confidence=pc.confidence)  # fmt: skip
    return stage_comparison(
        ctx, fine, levels=list(pc.fpr_levels), confidence=pc.confidence, rngs=rngs
    )


def _canaries_alongside(
    ctx: AuditContext, pc: PrivacyConfig, job: dict[str, Any], rngs: Rngs
) -> Callable[[], tuple[Any, float]]:
    """Start the canary probe; the returned call waits for it: (canaries, seconds). Where two
    cores are free its model trains in a second thread while this one runs the attacks
    (numpy; on a busy machine the two would only take turns on one core); it trains on
    ``TRAIN_THREADS`` torch threads either way, so its numbers do not depend on the choice."""
    if not canaries_run(pc):
        reason = NOT_AMONG_PROBES if "canaries" not in pc.probes else NO_CANARIES
        return lambda: (NotRun(reason=reason), 0.0)
    claim = (getattr(ctx.finetune_record, "dp", None) or {}).get("epsilon") if pc.dp else None

    def probe() -> tuple[Any, float]:
        start = time.perf_counter()
        torch.set_num_threads(TRAIN_THREADS)  # this thread's own count (as the training's)
        result = canary_probe(ctx, pc, job, target_claim=claim, rngs=rngs)
        return result, time.perf_counter() - start

    if free_cores() < 2:
        threads = torch.get_num_threads()
        done = probe()
        torch.set_num_threads(threads)
        return lambda: done
    threads, pool = torch.get_num_threads(), ThreadPoolExecutor(1)
    future = pool.submit(probe)

    def wait() -> tuple[Any, float]:
        try:
            return future.result()
        finally:
            pool.shutdown()
            torch.set_num_threads(threads)  # the count is process-wide for torch's own pool

    return wait


def audit_privacy(ctx: AuditContext, sections: Mapping[str, Any] | None = None) -> PrivacySection:
    """Run the configured probes. ``sections``: those computed before (the fairness gaps are
    shown beside the per-group leakage)."""
    pc, rngs, timings = ctx.config.privacy, Rngs(ctx.seed), {}
    probes = set(pc.probes)
    pool, job = _prepare_pool(ctx), _job_arguments(ctx, pc)
    refs, scored, canaries_done = None, {}, None
    if trains_references(pc):
        refs = _prepare_references(ctx, pc, pool, job, rngs)
        timings["reference_models"] = refs.info.seconds_total
        canaries_done = _canaries_alongside(ctx, pc, job, rngs)
        start = time.perf_counter()
        scored = _run_attacks(_prepare_attacks(pc, pool, refs, probes), pool, refs, pc)
        timings["attacks"] = time.perf_counter() - start
    canaries, timings["canaries"] = (canaries_done or _canaries_alongside(ctx, pc, job, rngs))()
    groups: Any = NotRun(reason=NOT_AMONG_PROBES)
    if "groups" in probes:
        g = scored[GROUPS_ATTACK]
        groups = group_leakage(ctx, g.report, g.target_scores, n_members=pool.n_members, pc=pc)
        gaps = fairness_gaps((sections or {}).get("fairness"), groups.features)
        groups = groups.model_copy(update={"fairness_gaps": gaps})
    reported = {n: s for n, s in scored.items() if registered_attacks()[n].probe in probes}
    stages: Any = NotRun(reason=NOT_AMONG_PROBES)
    if "stages" in probes:
        stages = _stages(ctx, pc, pool, reported, rngs)
    return _section(
        ctx, pc, pool, refs, reported, splits=("finetune_train", "holdout"),
        groups=groups, canaries=canaries, stages=stages, dp=_dp_report(ctx, canaries),
        notes=_notes(pc, pool, reported), timings_s=timings,
    )  # fmt: skip


def _section(
    ctx: AuditContext, pc: PrivacyConfig, pool: _Pool, refs: _References | None,
    reported: dict[str, _Scored], *, splits: tuple[str, str], **rest: Any,
) -> PrivacySection:  # fmt: skip
    """The privacy section: what every audit of members against non-members reports
    (populations, references, attacks, per class), plus ``rest`` (groups, canaries, ...)."""
    return PrivacySection(
        probes=list(dict.fromkeys(pc.probes)),
        members=Population(split=splits[0], n=pool.n_members),
        non_members=Population(split=splits[1], n=len(pool.y) - pool.n_members),
        fpr_levels=list(pc.fpr_levels), confidence=pc.confidence,
        references=refs.info if refs is not None else None,
        attacks={n: s.report for n, s in reported.items()},
        per_class=_per_class(reported, pool, ctx.bundle.finetune_task.class_names, pc),
        **rest,
    )  # fmt: skip
