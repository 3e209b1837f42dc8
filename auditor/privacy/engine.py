"""The privacy probes over one :class:`~auditor.context.AuditContext`: returns the JSON-ready
``privacy`` section of ``audit.json``.

Members are the fine-tuning training rows, non-members the held-out pool of the same size.
Every threshold and attack parameter is fitted on reference models only; the target's
non-members are used only to evaluate.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from auditor.privacy import attacks
from auditor.privacy.canaries import exposure, make_canaries, one_run_audit
from auditor.privacy.reference import (
    backbone_features,
    complementary_halves,
    preserved_global_state,
    run_jobs,
)
from auditor.privacy.roc import (
    auc_interval,
    best_balanced_threshold,
    clopper_pearson,
    log_curve,
    roc_auc,
    roc_counts,
    threshold_at_fpr,
    tpr_at_fpr,
)

RMIA_A_GRID = tuple(round(0.1 * i, 1) for i in range(11))
ATTACK_DESCRIPTIONS = {
    "loss": "LOSS (Yeom et al. 2018): lower per-sample cross-entropy means member",
    "correctness": "correctness gap: a correctly classified row is called a member",
    "lira_online": "LiRA online (Carlini et al. 2022): IN/OUT Gaussian likelihood ratio of "
    "the logit-scaled confidence",
    "lira_offline": "LiRA offline, one-sided (Carlini et al. 2022): test against the OUT Gaussian",
    "rmia": "RMIA offline (Zarifzadeh et al. 2024): likelihood ratio against population rows",
}


def _key(level: float) -> str:
    return f"{level:g}"


def _roc_summary(
    s_in: np.ndarray, s_out: np.ndarray, levels: list[float], conf: float
) -> dict[str, Any]:
    counts = roc_counts(s_in, s_out)
    auc = roc_auc(s_in, s_out)
    lo, hi = auc_interval(auc, len(s_in), len(s_out), confidence=conf)
    details = {_key(a): tpr_at_fpr(counts, a, confidence=conf).to_dict() for a in levels}
    return {
        "n_members": len(s_in),
        "n_non_members": len(s_out),
        "auc": auc,
        "auc_ci_low": lo,
        "auc_ci_high": hi,
        "tpr_at_fpr": {k: d["tpr"] for k, d in details.items()},
        "tpr_at_fpr_detail": details,
    }


def _rates_at(threshold: float, s_in: np.ndarray, s_out: np.ndarray, conf: float) -> dict[str, Any]:
    tp, fp = int((s_in >= threshold).sum()), int((s_out >= threshold).sum())
    n1, n0 = len(s_in), len(s_out)
    tpr, fpr = (tp / n1 if n1 else math.nan), (fp / n0 if n0 else math.nan)
    tlo, thi = clopper_pearson(tp, n1, confidence=conf)
    flo, fhi = clopper_pearson(fp, n0, confidence=conf)
    return {
        "threshold": float(threshold),
        "tp": tp,
        "n_members": n1,
        "fp": fp,
        "n_non_members": n0,
        "tpr": tpr,
        "tpr_ci_low": tlo,
        "tpr_ci_high": thi,
        "fpr": fpr,
        "fpr_ci_low": flo,
        "fpr_ci_high": fhi,
        "balanced_accuracy": (tpr + 1 - fpr) / 2,
        "advantage": tpr - fpr,
    }


def attack_report(
    name: str,
    target: np.ndarray,
    is_member: np.ndarray,
    ref_scores: np.ndarray | None,
    ref_in: np.ndarray | None,
    *,
    levels: list[float],
    conf: float,
    params: dict[str, Any],
    pool_exclude: tuple[int, ...] = (),
) -> dict[str, Any]:
    """target (n,) scores of the attacked model; ref_scores (K, n) the same attack run on each
    reference model as if it were the target (leave-one-out), with ref_in (K, n)."""
    s_in, s_out = target[is_member], target[~is_member]
    out: dict[str, Any] = {"name": name, "description": ATTACK_DESCRIPTIONS[name], "params": params}
    out.update(_roc_summary(s_in, s_out, levels, conf))
    out["roc"] = log_curve(roc_counts(s_in, s_out))
    if ref_scores is None:
        out["decision"], out["calibrated_at_fpr"], out["pooled"] = None, None, None
        return out
    r_in, r_out = ref_scores[ref_in], ref_scores[~ref_in]
    decision = _rates_at(best_balanced_threshold(r_in, r_out), s_in, s_out, conf)
    out["decision"] = {"threshold_source": "reference models (max balanced accuracy)", **decision}
    out["calibrated_at_fpr"] = {
        _key(a): _rates_at(threshold_at_fpr(r_out, a), s_in, s_out, conf) for a in levels
    }
    keep = [k for k in range(len(ref_scores)) if k not in pool_exclude]
    p_in = np.concatenate([s_in, ref_scores[keep][ref_in[keep]]])
    p_out = np.concatenate([s_out, ref_scores[keep][~ref_in[keep]]])
    pooled = _roc_summary(p_in, p_out, levels, conf)
    pooled["n_models"] = 1 + len(keep)
    pooled["roc"] = log_curve(roc_counts(p_in, p_out))
    out["pooled"] = pooled
    return out


def _lira_all(phi_t, phi_ref, ref_in, fixed: bool) -> tuple[np.ndarray, ...]:
    on_t, off_t = attacks.lira_scores(phi_t, phi_ref, ref_in, fixed_variance=fixed)
    k = len(phi_ref)
    on_r, off_r = np.empty_like(phi_ref), np.empty_like(phi_ref)
    for r in range(k):
        others = np.arange(k) != r
        on_r[r], off_r[r] = attacks.lira_scores(
            phi_ref[r], phi_ref[others], ref_in[others], fixed_variance=fixed
        )
    return on_t, off_t, on_r, off_r


def _rmia_refs(k: int, attacked: int, n: int) -> list[int]:
    return [i for i in range(k) if i != attacked][:n]


def _rmia(
    p_x_t, p_z_t, p_x_ref, p_z_ref, ref_in, attacked: int, n_refs: int, a: float, gamma: float
):
    sel = _rmia_refs(len(p_x_ref), attacked, n_refs)
    return attacks.rmia_scores(
        p_x_t, p_z_t, p_x_ref[sel], ref_in[sel], p_z_ref[sel], a=a, gamma=gamma
    )


def _group_leakage(ctx, name, report, target, is_member, n_mem, levels, pc) -> dict[str, Any]:
    """TPR at the reference-calibrated threshold for FPR = levels[0], per sensitive group,
    beside that group's test accuracy gap."""
    level = levels[0]
    cal = report["calibrated_at_fpr"][_key(level)]
    thr = cal["threshold"]
    members, holdout = ctx.bundle["finetune_train"], ctx.bundle["holdout"]
    test = ctx.predictions("finetuned", "test")
    correct = test.y_pred == test.y_true
    overall_acc = float(correct.mean()) if len(correct) else math.nan
    conf = pc.confidence
    features: dict[str, list[dict[str, Any]]] = {}
    gaps: dict[str, float | None] = {}
    for feat in ctx.bundle.sensitive_features:
        g_mem = members.sensitive[feat].to_numpy()
        g_non = holdout.sensitive[feat].to_numpy()
        g_test = ctx.bundle["test"].sensitive[feat].to_numpy()
        rows = []
        for g in sorted(set(g_mem) | set(g_non)):
            s_in, s_out = target[:n_mem][g_mem == g], target[n_mem:][g_non == g]
            rates = _rates_at(thr, s_in, s_out, conf)
            in_test = g_test == g
            n_test = int(in_test.sum())
            acc = float(correct[in_test].mean()) if n_test else math.nan
            enough = len(s_in) >= pc.min_group_members
            rows.append(
                {
                    "group": str(g),
                    "status": "ok" if enough else "insufficient_data",
                    "n_members": rates["n_members"],
                    "tp": rates["tp"],
                    "tpr": rates["tpr"] if enough else math.nan,
                    "tpr_ci_low": rates["tpr_ci_low"],
                    "tpr_ci_high": rates["tpr_ci_high"],
                    "n_non_members": rates["n_non_members"],
                    "fp": rates["fp"],
                    "fpr": rates["fpr"],
                    "n_test": n_test,
                    "test_accuracy": acc,
                    "accuracy_gap": acc - overall_acc,
                }
            )
        features[feat] = rows
        ok = [r["tpr"] for r in rows if r["status"] == "ok"]
        gaps[feat] = (max(ok) - min(ok)) if len(ok) >= 2 else None
    return {
        "status": "ok",
        "attack": name,
        "fpr_level": level,
        "threshold_source": "reference models (FPR on their OUT rows)",
        "threshold": thr,
        "overall_tpr": cal["tpr"],
        "overall_fpr": cal["fpr"],
        "overall_test_accuracy": overall_acc,
        "min_group_members": pc.min_group_members,
        "features": features,
        "tpr_gap": gaps,
    }


def _canaries(ctx, pc, calls_common, target_eps_claim) -> dict[str, Any]:
    bundle = ctx.bundle
    members, test = bundle["finetune_train"], bundle["test"]
    m = pc.n_canaries
    try:
        cs = make_canaries(
            source_x=test.x,
            source_y=test.y,
            n_classes=bundle.finetune_task.n_classes,
            m=m,
            n_extra=pc.canary_candidates,
            noise=bundle.modality == "image",
            seed=ctx.seed,
        )
    except ValueError as exc:  # too few source rows for the requested canaries
        return {"status": "not_run", "reason": f"{exc}; lower privacy.n_canaries"}
    ins = cs.inserted
    x = np.concatenate([members.x, cs.x[ins]])
    y = np.concatenate([members.y, cs.y[ins]])
    [res] = run_jobs(
        [{**calls_common, "x": x, "y": y, "x_eval": cs.x, "seed": ctx.seed + 777}],
        privacy_config=pc,
    )
    loss = -attacks.loss_score(res.logits, cs.y)
    kinds: dict[str, Any] = {}
    for kind in np.unique(cs.kind):
        of = cs.kind == kind
        aud, extra = of & cs.audited, of & ~cs.audited
        s_in, s_out = -loss[aud & ins], -loss[aud & ~ins]
        auc = roc_auc(s_in, s_out)
        lo, hi = auc_interval(auc, len(s_in), len(s_out), confidence=pc.confidence)
        exp_in, exp_out = (
            exposure(loss[aud & ins], loss[extra]),
            exposure(loss[aud & ~ins], loss[extra]),
        )
        kinds[str(kind)] = {
            "n_audited": int(aud.sum()),
            "n_inserted": int((aud & ins).sum()),
            "n_candidates": int(extra.sum()),
            "loss_auc": auc,
            "loss_auc_ci_low": lo,
            "loss_auc_ci_high": hi,
            "mean_loss_inserted": float(loss[aud & ins].mean()) if s_in.size else math.nan,
            "mean_loss_not_inserted": float(loss[aud & ~ins].mean()) if s_out.size else math.nan,
            "exposure_bits_max_possible": float(np.log2(extra.sum() + 1)),
            "exposure_bits_mean_inserted": float(exp_in.mean()) if exp_in.size else math.nan,
            "exposure_bits_max_inserted": float(exp_in.max()) if exp_in.size else math.nan,
            "exposure_bits_mean_not_inserted": float(exp_out.mean()) if exp_out.size else math.nan,
        }
    k = pc.canary_guesses if pc.canary_guesses is not None else max(m // 5, 1)
    delta = pc.dp.target_delta if pc.dp is not None else 0.0
    aud = cs.audited
    audit = one_run_audit(
        -loss[aud], ins[aud], k_plus=k, k_minus=k, delta=delta, confidence=pc.confidence
    )
    claimed = res.dp_epsilon if res.dp_epsilon is not None else target_eps_claim
    return {
        "status": "ok",
        "m": m,
        "inclusion_probability": 0.5,
        "source": "mislabelled test rows"
        + (" and uniform-noise images" if bundle.modality == "image" else ""),
        "model": {
            "n_train": len(x),
            "n_canaries_inserted": int(ins.sum()),
            "seconds": res.seconds,
            "epochs_run": res.epochs_run,
            "dp_epsilon": res.dp_epsilon,
        },
        "kinds": kinds,
        "score": "minus the canary model's cross-entropy on the canary's label",
        **audit.to_dict(),
        "claimed_epsilon": claimed,
        "exceeds_claim": None if claimed is None else bool(audit.epsilon_lower_bound > claimed),
    }


def _reconstruction_error(ctx, x: np.ndarray) -> np.ndarray:
    import torch

    gen = torch.Generator(device="cpu").manual_seed(ctx.seed + 3)
    xt = torch.as_tensor(x, device=ctx.device)
    mask = (torch.rand(xt.shape, generator=gen) < ctx.config.pretrain.mask_ratio).to(ctx.device)
    with torch.no_grad():
        recon = ctx.pretrain_decoder(ctx.pretrained.eval().backbone(xt * (~mask))).view_as(xt)
        err = (((recon - xt) ** 2) * mask).flatten(1).sum(1) / mask.flatten(1).sum(1).clamp(min=1)
    return err.cpu().numpy().astype(np.float64)


def _stages(ctx, levels, conf, finetuned_loss: dict[str, Any]) -> dict[str, Any]:
    non_splits = ["holdout", "test"]
    if ctx.pretrain_supervised:
        s_in = attacks.loss_score(
            ctx.predictions("pretrained", "pretrain").logits, ctx.bundle["pretrain"].y_pretrain
        )
        s_out = np.concatenate(
            [
                attacks.loss_score(
                    ctx.predictions("pretrained", s).logits, ctx.bundle[s].y_pretrain
                )
                for s in non_splits
            ]
        )
        pre = {
            "applicable": True,
            "score": "LOSS on the pretraining labels",
            **_roc_summary(s_in, s_out, levels, conf),
        }
    elif ctx.pretrain_decoder is not None:
        s_in = -_reconstruction_error(ctx, ctx.bundle["pretrain"].x)
        s_out = -np.concatenate([_reconstruction_error(ctx, ctx.bundle[s].x) for s in non_splits])
        pre = {
            "applicable": True,
            "score": "minus the per-sample masked-reconstruction error",
            **_roc_summary(s_in, s_out, levels, conf),
        }
    else:
        pre = {"applicable": False, "reason": "no pretraining (objective 'none'): nothing to leak"}
    pre.update({"members": "pretrain", "non_members": non_splits})
    fine = {
        k: finetuned_loss[k]
        for k in (
            "n_members",
            "n_non_members",
            "auc",
            "auc_ci_low",
            "auc_ci_high",
            "tpr_at_fpr",
            "tpr_at_fpr_detail",
        )
    }
    fine = {
        "applicable": True,
        "score": "LOSS on the fine-tuning labels",
        "members": "finetune_train",
        "non_members": ["holdout"],
        **fine,
    }
    return {"status": "ok", "pretrained": pre, "finetuned": fine}


def audit_privacy(ctx, sections: dict | None = None) -> dict[str, Any]:
    """Run the configured probes. Returns the ``privacy`` section (status "ok"). ``sections``:
    those computed before (the fairness gaps are shown beside the per-group leakage)."""
    with preserved_global_state():
        section = _audit(ctx)
    groups = section.get("groups", {})
    if groups.get("status") == "ok":
        groups["fairness_gaps"] = _fairness_gaps(
            (sections or {}).get("fairness"), groups["features"]
        )
    return section


FAIRNESS_GAPS = ("demographic_parity_difference", "equalized_odds_difference")


def _fairness_gaps(fairness: dict | None, features) -> dict[str, dict[str, float | None]]:
    """Between-group gaps of the fairness section (same features), where it ran."""
    if not fairness or fairness.get("status") != "ok":
        return {}
    out: dict[str, dict[str, float | None]] = {}
    for feat in features:
        disp = (fairness.get("features", {}).get(feat) or {}).get("disparities") or {}
        out[feat] = {
            m: (disp.get(m) or {}).get("between_groups", {}).get("value") for m in FAIRNESS_GAPS
        }
    return out


def _audit(ctx) -> dict[str, Any]:
    pc, bundle = ctx.config.privacy, ctx.bundle
    probes = set(pc.probes)
    levels, conf = list(pc.fpr_levels), pc.confidence
    members, holdout, test, val = (
        bundle["finetune_train"],
        bundle["holdout"],
        bundle["test"],
        bundle["val"],
    )
    n_mem, n_non = len(members), len(holdout)
    is_member = np.r_[np.ones(n_mem, bool), np.zeros(n_non, bool)]
    y_pool = np.concatenate([members.y, holdout.y])
    x_pool = np.concatenate([members.x, holdout.x])
    logits_t = np.concatenate(
        [
            ctx.predictions("finetuned", "finetune_train").logits,
            ctx.predictions("finetuned", "holdout").logits,
        ]
    )
    timings: dict[str, float] = {}
    dp = pc.dp
    dp_record = getattr(ctx.finetune_record, "dp", None)
    target_claim = (dp_record or {}).get("epsilon") if dp is not None else None
    common = dict(
        pretrained=ctx.pretrained,
        x_val=val.x,
        y_val=val.y,
        n_classes=bundle.finetune_task.n_classes,
        finetune_config=ctx.config.finetune,
        dp_config=dp,
        device=str(ctx.device),
        threads=pc.threads_per_job,
    )
    notes: list[str] = []
    section: dict[str, Any] = {
        "status": "ok",
        "probes": sorted(probes, key=list(pc.probes).index),
        "members": {"split": "finetune_train", "n": n_mem},
        "non_members": {"split": "holdout", "n": n_non},
        "fpr_levels": levels,
        "confidence": conf,
    }
    attacks_out: dict[str, Any] = {}
    needs_refs = bool(probes & {"loss", "lira", "rmia", "groups"})
    ref_logits = ref_in = None
    k = pc.n_reference
    if needs_refs:
        start = time.perf_counter()
        ref_in = complementary_halves(n_mem + n_non, k, seed=ctx.seed)
        x_eval = np.concatenate([x_pool, test.x])
        feats = None
        if ctx.config.finetune.unfreeze_last == 0:  # frozen backbone: features once for all
            feats = [
                backbone_features(ctx.pretrained, a, device=ctx.device)
                for a in (x_pool, val.x, x_eval)
            ]
        calls = [
            {
                **common,
                "x": x_pool[ref_in[j]],
                "y": y_pool[ref_in[j]],
                "x_eval": x_eval,
                "seed": ctx.seed + 1000 + j,
                "features": None if feats is None else (feats[0][ref_in[j]], feats[1], feats[2]),
            }
            for j in range(k)
        ]
        results = run_jobs(calls, privacy_config=pc)
        timings["reference_models"] = time.perf_counter() - start
        ref_logits = np.stack([r.logits for r in results]).astype(np.float64)
        section["references"] = {
            "k": k,
            "design": "complementary halves of the member + non-member pool, "
            "each row IN for exactly k/2",
            "recipe": "auditor.training.finetune from the same pretrained checkpoint, "
            "same config and validation rows",
            "n_train_each": int(ref_in[0].sum()),
            "seconds_total": timings["reference_models"],
            "seconds_per_model": [r.seconds for r in results],
            "epochs_run": [r.epochs_run for r in results],
            "backend": "dask" if pc.dask_scheduler else pc.backend,
            "n_jobs": pc.n_jobs,
            "threads_per_job": pc.threads_per_job,
            "dp": dp is not None,
        }
    else:
        section["references"] = None
    n_pool = n_mem + n_non
    start = time.perf_counter()
    if "loss" in probes or "groups" in probes:
        for name, fn in (("loss", attacks.loss_score), ("correctness", attacks.correctness_score)):
            t = fn(logits_t, y_pool)
            r = fn(ref_logits[:, :n_pool], y_pool)
            attacks_out[name] = attack_report(
                name, t, is_member, r, ref_in, levels=levels, conf=conf, params={}
            )
            attacks_out[name]["_scores"] = t
    if "lira" in probes or "groups" in probes:
        fixed = pc.lira_fixed_variance == "always" or (
            pc.lira_fixed_variance == "auto" and k < attacks.LIRA_FIXED_VARIANCE_BELOW
        )
        phi_t = attacks.logit_scaled_confidence(logits_t, y_pool)
        phi_r = attacks.logit_scaled_confidence(ref_logits[:, :n_pool], y_pool)
        on_t, off_t, on_r, off_r = _lira_all(phi_t, phi_r, ref_in, fixed)
        params = {"k": k, "fixed_variance": fixed, "statistic": "logit-scaled confidence (float64)"}
        attacks_out["lira_online"] = attack_report(
            "lira_online", on_t, is_member, on_r, ref_in, levels=levels, conf=conf, params=params
        )
        attacks_out["lira_online"]["_scores"] = on_t
        attacks_out["lira_offline"] = attack_report(
            "lira_offline", off_t, is_member, off_r, ref_in, levels=levels, conf=conf, params=params
        )
    if "rmia" in probes:
        n_r = min(pc.rmia_references, k - 1)
        p_t = np.exp(attacks.true_class_log_proba(logits_t, y_pool))
        p_tz = np.exp(
            attacks.true_class_log_proba(ctx.predictions("finetuned", "test").logits, test.y)
        )
        p_ref = np.exp(attacks.true_class_log_proba(ref_logits[:, :n_pool], y_pool))
        p_refz = np.exp(attacks.true_class_log_proba(ref_logits[:, n_pool:], test.y))
        # `a` is chosen on reference model 0 as the attacked model, never on the target
        tune = {
            a: roc_auc(
                *(lambda s: (s[ref_in[0]], s[~ref_in[0]]))(
                    _rmia(p_ref[0], p_refz[0], p_ref, p_refz, ref_in, 0, n_r, a, pc.rmia_gamma)
                )
            )
            for a in RMIA_A_GRID
        }
        a_best = max(RMIA_A_GRID, key=lambda a: (tune[a], -a))
        t = _rmia(p_t, p_tz, p_ref, p_refz, ref_in, -1, n_r, a_best, pc.rmia_gamma)
        r = np.stack(
            [
                _rmia(p_ref[j], p_refz[j], p_ref, p_refz, ref_in, j, n_r, a_best, pc.rmia_gamma)
                for j in range(k)
            ]
        )
        params = {
            "references": n_r,
            "a": a_best,
            "a_tuned_on": "reference model 0",
            "a_grid_auc": {f"{a:.1f}": v for a, v in tune.items()},
            "gamma": pc.rmia_gamma,
            "population": f"test split ({len(test)} rows)",
        }
        attacks_out["rmia"] = attack_report(
            "rmia",
            t,
            is_member,
            r,
            ref_in,
            levels=levels,
            conf=conf,
            params=params,
            pool_exclude=(0,),
        )
    timings["attacks"] = time.perf_counter() - start
    smallest = min(levels)
    if attacks_out and n_non * smallest < 1:
        notes.append(
            f"{n_non} non-members cannot resolve FPR {smallest:g} on the target alone (fewer "
            "than one false positive allowed). The pooled columns add the "
            f"{k} reference models as attacked models "
            "(leave-one-out), which resolves it; the target alone gives the TPR at zero "
            "false positives."
        )
    if "groups" in probes:
        name = "lira_online" if "lira_online" in attacks_out else "loss"
        section["groups"] = _group_leakage(
            ctx, name, attacks_out[name], attacks_out[name]["_scores"], is_member, n_mem, levels, pc
        )
    else:
        section["groups"] = {"status": "not_run", "reason": "not among privacy.probes"}
    if "lira" not in probes:
        attacks_out.pop("lira_online", None)
    if "loss" not in probes:
        attacks_out.pop("loss", None), attacks_out.pop("correctness", None)
    per_class: dict[str, Any] = {}
    for name in ("loss", "correctness"):
        if name in attacks_out:
            s = attacks_out[name]["_scores"]
            per_class[name] = {
                cname: _roc_summary(
                    s[is_member & (y_pool == c)], s[~is_member & (y_pool == c)], levels, conf
                )
                for c, cname in enumerate(bundle.finetune_task.class_names)
            }
    for rep in attacks_out.values():
        rep.pop("_scores", None)
    section["attacks"] = attacks_out
    section["per_class"] = per_class
    start = time.perf_counter()
    if "canaries" in probes and pc.n_canaries > 0:
        section["canaries"] = _canaries(ctx, pc, common, target_claim)
    else:
        section["canaries"] = {
            "status": "not_run",
            "reason": "not among privacy.probes" if "canaries" not in probes else "n_canaries = 0",
        }
    timings["canaries"] = time.perf_counter() - start
    if "stages" in probes:
        if "loss" in attacks_out:
            fine = attacks_out["loss"]
        else:
            fine = _roc_summary(
                *(lambda s: (s[is_member], s[~is_member]))(attacks.loss_score(logits_t, y_pool)),
                levels,
                conf,
            )
        section["stages"] = _stages(ctx, levels, conf, fine)
    else:
        section["stages"] = {"status": "not_run", "reason": "not among privacy.probes"}
    section["dp"] = _dp_section(ctx, section)
    section["notes"] = notes
    section["timings_s"] = timings
    return section


def _dp_section(ctx, section) -> dict[str, Any]:
    dp = ctx.config.privacy.dp
    if dp is None:
        return {"enabled": False}
    rec = getattr(ctx.finetune_record, "dp", None) or {}
    can = section.get("canaries", {})
    lb = can.get("epsilon_lower_bound") if can.get("status") == "ok" else None
    claimed = rec.get("epsilon")
    return {
        "enabled": True,
        "target_epsilon": dp.target_epsilon,
        "target_delta": dp.target_delta,
        "max_grad_norm": dp.max_grad_norm,
        "accountant_epsilon": claimed,
        "noise_multiplier": rec.get("noise_multiplier"),
        "accountant": rec.get("accountant"),
        "empirical_epsilon_lower_bound": lb,
        "canary_model_accountant_epsilon": can.get("model", {}).get("dp_epsilon")
        if lb is not None
        else None,
        "lower_bound_exceeds_claim": can.get("exceeds_claim") if lb is not None else None,
    }
