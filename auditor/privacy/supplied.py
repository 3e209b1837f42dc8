"""Privacy of a supplied model (trained elsewhere): membership inference on its member rows
(its training set) against its non-member rows, without retraining the target.

- LOSS and correctness need no reference model: their AUC and TPR at low FPR come from the
  member / non-member rows alone (no reference-calibrated threshold then).
- RMIA and LiRA need K reference models trained like the target on random halves of the
  member + non-member pool (complementary pairs: every row is IN for exactly K/2). The
  supplied model's ``train_reference`` trains them: the user's ``model.train`` function, or
  ``sklearn.base.clone(estimator).fit``. RMIA offline works with a few references (K = 2 or
  4); more references buy LiRA its per-row variances (K >= 64) and tighter thresholds.

The attacks are the privacy engine's (``registered_attacks()``, one ``score`` each); only
the source of the references differs. Canaries and the stage comparison need auditor's own
training and are not run.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from auditor.privacy.attacks import registered_attacks
from auditor.privacy.engine import (
    GROUPS_ATTACK,
    NOT_AMONG_PROBES,
    _notes,
    _Pool,
    _prepare_attacks,
    _prepare_pool,
    _References,
    _run_attacks,
    _Scored,
    _section,
)
from auditor.privacy.groups import fairness_gaps, group_leakage
from auditor.privacy.reference import complementary_halves, model_bar
from auditor.privacy.section import (
    AttackReport,
    DpReport,
    PrivacySection,
    References,
)
from auditor.privacy.summary import curve, roc_summary
from auditor.results import NotRun
from auditor.seeding import Rngs

if TYPE_CHECKING:
    from auditor.config.privacy import PrivacyConfig
    from auditor.context import AuditContext

NO_TRAINER = (
    "needs reference models trained like the target: set model.train = 'package.module:"
    "function' (a scikit-learn estimator uses sklearn.base.clone(estimator).fit)"
)
NO_CANARIES = "canaries must be inserted into the training data; auditor did not train this model"
NO_STAGES = "the model was supplied: auditor knows no pretraining stage to compare"
DESIGN = "complementary halves of the member + non-member pool, each row IN for exactly k/2"
REFERENCE_FREE = ("loss",)
K_NOTE = (
    "{k} reference models: RMIA (offline) compares each row's likelihood ratio with the "
    "population rows and is usable from K = 2; LiRA fits one global variance below K = 64 "
    "(per-row variances above); the thresholds fitted on references sharpen as K grows."
)


def _train_references(
    ctx: AuditContext, pc: PrivacyConfig, pool: _Pool, rngs: Rngs, *, progress: bool
) -> _References:
    """K reference models by the supplied model's trainer, on complementary halves of the
    pool (stream ``privacy/reference/halves``; model j is seeded from
    ``privacy/reference/<j>/seed``), each scored on the pool and the population rows."""
    from tqdm.auto import tqdm

    supplied = ctx.supplied
    start, k, n = time.perf_counter(), pc.n_reference, len(pool.y)
    ref_in = complementary_halves(n, k, rng=rngs.numpy("privacy/reference/halves"))
    x_eval = np.concatenate([pool.x, pool.x_population])
    logits, seconds = [], []
    for j in tqdm(range(k), **model_bar(k, "reference models", progress)):
        began = time.perf_counter()
        seed = rngs.int32(f"privacy/reference/{j}/seed")
        predict = supplied.train_reference(pool.x[ref_in[j]], pool.y[ref_in[j]], seed)
        logits.append(np.asarray(predict(x_eval), dtype=np.float64))
        seconds.append(time.perf_counter() - began)
    info = References(
        k=k, design=DESIGN, recipe=supplied.reference_recipe, n_train_each=int(ref_in[0].sum()),
        seconds_total=time.perf_counter() - start, seconds_per_model=seconds,
        epochs_run=[0] * k, strategy="sequential", backend="sequential", n_jobs=1,
        threads_per_job=1, dp=False,
    )  # fmt: skip
    stacked = np.stack(logits)
    return _References(ref_in, stacked[:, :n], stacked[:, n:], info)


def _reference_free(pc: PrivacyConfig, pool: _Pool) -> dict[str, _Scored]:
    """LOSS and correctness from the member / non-member rows alone: ROC summary and curve,
    no reference-calibrated threshold (``decision`` and ``calibrated_at_fpr`` are None)."""
    from auditor.privacy.attacks import AttackInputs

    target = AttackInputs(
        logits=pool.logits, y=pool.y, population_logits=pool.population_logits,
        y_population=pool.y_population, ref_logits=np.zeros((0, *pool.logits.shape)),
        ref_population_logits=np.zeros((0, *pool.population_logits.shape)),
        ref_in=np.zeros((0, len(pool.y)), bool),
    )  # fmt: skip
    out: dict[str, _Scored] = {}
    m, levels = pool.is_member, list(pc.fpr_levels)
    for name, kind in registered_attacks().items():
        if kind.probe not in REFERENCE_FREE:
            continue
        attack = kind.create(pc, target, np.zeros(len(pool.y), bool))
        s = attack.score(target)
        summary = roc_summary(s[m], s[~m], levels=levels, confidence=pc.confidence)
        report = AttackReport(
            **summary.model_dump(), name=attack.name, description=attack.description,
            params=attack.params, roc=curve(s[m], s[~m]), decision=None,
            calibrated_at_fpr=None, pooled=None,
        )  # fmt: skip
        out[name] = _Scored(report, s)
    return out


def _groups(
    ctx: AuditContext, pc: PrivacyConfig, pool: _Pool, scored: Mapping[str, _Scored],
    sections: Mapping[str, Any] | None,
) -> Any:  # fmt: skip
    if "groups" not in pc.probes:
        return NotRun(reason=NOT_AMONG_PROBES)
    if GROUPS_ATTACK not in scored:
        return NotRun(reason=NO_TRAINER)
    g = scored[GROUPS_ATTACK]
    groups = group_leakage(ctx, g.report, g.target_scores, n_members=pool.n_members, pc=pc)
    gaps = fairness_gaps((sections or {}).get("fairness"), groups.features)
    return groups.model_copy(update={"fairness_gaps": gaps})


def audit_supplied_privacy(
    ctx: AuditContext, sections: Mapping[str, Any] | None = None
) -> PrivacySection:
    """The privacy section of a supplied model (``ctx.supplied``): members are
    ``finetune_train`` (its training rows), non-members ``holdout``, population ``test``."""
    pc, rngs, timings = ctx.config.privacy, Rngs(ctx.seed), {}
    probes = set(pc.probes)
    pool = _prepare_pool(ctx)
    refs = None
    if probes & {"lira", "rmia", "groups"} and ctx.supplied.train_reference is not None:
        refs = _train_references(ctx, pc, pool, rngs, progress=ctx.progress)
        timings["reference_models"] = refs.info.seconds_total
    start = time.perf_counter()
    if refs is not None:
        scored = _run_attacks(_prepare_attacks(pc, pool, refs, probes), pool, refs, pc)
    else:
        scored = _reference_free(pc, pool) if "loss" in probes else {}
    timings["attacks"] = time.perf_counter() - start
    reported = {n: s for n, s in scored.items() if registered_attacks()[n].probe in probes}
    notes = _notes(pc, pool, reported) if refs is not None else []
    ran = {registered_attacks()[n].probe for n in reported}
    missing = sorted(probes & {"lira", "rmia"} - ran)
    if missing:
        notes.append(f"not run ({', '.join(missing)}): {NO_TRAINER}")
    if refs is not None:
        notes.append(K_NOTE.format(k=pc.n_reference))
    return _section(
        ctx, pc, pool, refs, reported, splits=("members", "non_members"),
        groups=_groups(ctx, pc, pool, scored, sections),
        canaries=NotRun(reason=NO_CANARIES if "canaries" in probes else NOT_AMONG_PROBES),
        stages=NotRun(reason=NO_STAGES if "stages" in probes else NOT_AMONG_PROBES),
        dp=DpReport(enabled=False), notes=notes, timings_s=timings,
    )  # fmt: skip
