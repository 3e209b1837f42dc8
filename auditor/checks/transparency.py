"""Transparency checklist: each item is a question, the framework clauses it serves, and a
status backed by evidence.

Statuses:

- ``met``: established automatically from the run (the evidence says how);
- ``declared``: answered by a person in ``[transparency.declared]`` (not verified by the tool);
- ``missing``: neither; an empty or placeholder answer is missing, never met;
- ``not_applicable``: does not apply, with the reason;
- ``warn``: established, with a finding a reviewer should read;
- ``fail``: the evidence contradicts the requirement (e.g. a test row also in training).

Frameworks: Mitchell et al. 2019 model-card sections; Gebru et al. Datasheets for Datasets
question groups; NIST AI RMF 1.0 MEASURE 2.x; EU AI Act Annex IV points.

This check runs last and reads the other sections from ``sections``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from auditor.checks import not_run

STATUSES = ("met", "declared", "missing", "not_applicable", "warn", "fail")

# Splits a model learns from or is selected on, and splits that measure it.
TRAINING_SPLITS = ("pretrain", "finetune_train", "val")
EVALUATION_SPLITS = ("test", "holdout")
MAX_LISTED_ROWS = 25

_PLACEHOLDER = re.compile(
    r"^(?:|tbd|tba|todo|to ?do|fixme|n/?a|na|none|null|nil|unknown|unspecified|not sure|"
    r"-+|\.+|\?+|x+|tbc|to be (?:determined|decided|confirmed|added|written)|"
    r"(?:fill|fill in|fill me|add|write|insert)(?: (?:this|me|here|in|later))*|"
    r"placeholder|coming soon|lorem ipsum.*|<[^>]*>|\[[^\]]*\]|\{[^}]*\}|"
    r"your (?:name|email|answer|text)(?: here)?|example|sample text|later)$"
)


def is_placeholder(text: str | None) -> bool:
    """True for None, empty, or filler text ('TBD', 'TODO', 'n/a', '<your name>', '...')."""
    if text is None:
        return True
    norm = re.sub(r"\s+", " ", text.strip().lower()).strip(" .:;!")
    return bool(_PLACEHOLDER.fullmatch(norm)) or len(norm) < 2


@dataclass(frozen=True)
class Frameworks:
    model_card: tuple[str, ...] = ()
    datasheets: tuple[str, ...] = ()
    nist_ai_rmf: tuple[str, ...] = ()
    eu_ai_act: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemSpec:
    id: str
    question: str
    kind: str  # "automatic" | "declared"
    frameworks: Frameworks


@dataclass(frozen=True)
class ItemResult:
    id: str
    question: str
    kind: str
    frameworks: Frameworks
    status: str
    evidence: str
    reason: str | None = None
    details: dict[str, Any] | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["frameworks"] = {k: list(v) for k, v in out["frameworks"].items()}
        return out


_F = Frameworks
SPECS: tuple[ItemSpec, ...] = (
    ItemSpec("data_provenance",
             "Is every data split identified by a content hash, with its size and class balance?",
             "automatic", _F(("Training Data", "Evaluation Data"),
                             ("Composition", "Collection Process"), ("MEASURE 2.1",),
                             ("Annex IV 2(d)",))),
    ItemSpec("split_disjointness",
             "Are the training and evaluation splits disjoint, row by row, by content hash?",
             "automatic", _F(("Evaluation Data",),
                             ("Composition", "Preprocessing/Cleaning/Labeling"),
                             ("MEASURE 2.1", "MEASURE 2.5"), ("Annex IV 2(d)", "Annex IV 2(g)"))),
    ItemSpec("data_license", "Are the dataset's source, citation and license recorded?",
             "automatic", _F(("Training Data",), ("Motivation", "Distribution"), ("MEASURE 2.8",),
                             ("Annex IV 2(d)",))),
    ItemSpec("seeds", "Is the random seed recorded, so the run can be repeated?",
             "automatic", _F(("Model Details",), (), ("MEASURE 2.1",), ("Annex IV 2(g)",))),
    ItemSpec("software_environment", "Are the library versions and the compute device recorded?",
             "automatic", _F(("Model Details",), (), ("MEASURE 2.1",), ("Annex IV 2(c)",))),
    ItemSpec("training_recipe",
             "Is the training recipe recorded (objective, optimizer, learning rate, batch size, "
             "epochs, early stopping, time)?",
             "automatic", _F(("Model Details", "Training Data"), (), ("MEASURE 2.1",),
                             ("Annex IV 2(a)", "Annex IV 2(b)", "Annex IV 2(c)"))),
    ItemSpec("parameter_count",
             "Is the model's size (parameter count, trained parameters) recorded?",
             "automatic", _F(("Model Details",), (), ("MEASURE 2.1",), ("Annex IV 2(c)",))),
    ItemSpec("performance_evaluated",
             "Was the model evaluated on a test split it never trained on, with counts?",
             "automatic", _F(("Metrics", "Quantitative Analyses"), (), ("MEASURE 2.3",),
                             ("Annex IV 2(g)", "Annex IV 3", "Annex IV 4"))),
    ItemSpec("fairness_coverage",
             "Did the fairness audit cover every declared sensitive feature?",
             "automatic", _F(("Factors", "Quantitative Analyses"), ("Composition",),
                             ("MEASURE 2.11",), ("Annex IV 2(g)", "Annex IV 3"))),
    ItemSpec("privacy_probes", "Did the privacy (membership inference) probes run?",
             "automatic", _F(("Ethical Considerations",), ("Composition",), ("MEASURE 2.10",),
                             ("Annex IV 2(g)", "Annex IV 5"))),
    ItemSpec("explanations", "Were the model's decisions explained (attributions, reliance)?",
             "automatic", _F(("Quantitative Analyses", "Caveats and Recommendations"), (),
                             ("MEASURE 2.9",), ("Annex IV 2(b)", "Annex IV 3"))),
    ItemSpec("intended_use", "What is the model intended for?",
             "declared", _F(("Intended Use",), ("Uses",), ("MEASURE 2.8",), ("Annex IV 1(a)",))),
    ItemSpec("out_of_scope_uses", "Which uses are out of scope?",
             "declared", _F(("Intended Use",), ("Uses",), ("MEASURE 2.8",), ("Annex IV 3",))),
    ItemSpec("users", "Who are the intended users?",
             "declared", _F(("Intended Use",), ("Uses",), ("MEASURE 2.8",), ("Annex IV 1(a)",))),
    ItemSpec("limitations", "What are the known limitations?",
             "declared", _F(("Caveats and Recommendations",), ("Uses",), ("MEASURE 2.5",),
                            ("Annex IV 3",))),
    ItemSpec("ethical_considerations", "Which ethical considerations and risks were weighed?",
             "declared", _F(("Ethical Considerations",), ("Composition", "Uses"), ("MEASURE 2.11",),
                            ("Annex IV 5",))),
    ItemSpec("mitigations", "Which mitigations are in place?",
             "declared", _F(("Ethical Considerations",), (), ("MEASURE 2.6", "MEASURE 2.11"),
                            ("Annex IV 2(e)", "Annex IV 5"))),
    ItemSpec("owners", "Who develops and owns the model?",
             "declared", _F(("Model Details",), ("Motivation", "Maintenance"), ("MEASURE 2.8",),
                            ("Annex IV 1(a)",))),
    ItemSpec("contact", "Where do questions and reports go?",
             "declared", _F(("Model Details",), ("Maintenance",), ("MEASURE 2.8",),
                            ("Annex IV 1(a)",))),
    ItemSpec("license", "Under which license is the model released?",
             "declared", _F(("Model Details",), ("Distribution",), ("MEASURE 2.8",), ())),
)  # fmt: skip


# --- split disjointness ---------------------------------------------------------------------


def split_overlaps(bundle, *, content_overlap: str = "auto") -> dict[str, Any]:
    """Compare every training split with every evaluation split by the sha256 of each row's
    input content, and by source row id.

    Returns {status: "met"|"warn"|"fail", mode, pairs: [{train, eval, n_content_overlap,
    n_id_overlap, rows: [{sha256, train_ids, eval_ids}]}]} where ``rows`` lists up to
    MAX_LISTED_ROWS shared inputs with the source row ids on each side.
    """
    mode = content_overlap
    if mode == "auto":
        mode = "fail" if bundle.modality == "image" else "report"
    hashes = {n: bundle[n].row_hashes() for n in bundle.splits if len(bundle[n])}
    pairs = []
    any_content = any_ids = False
    for a in TRAINING_SPLITS:
        for b in EVALUATION_SPLITS:
            if a not in hashes or b not in hashes:
                continue
            index: dict[str, list[int]] = {}
            for h, rid in zip(hashes[a], bundle[a].ids.tolist(), strict=True):
                index.setdefault(h, []).append(int(rid))
            shared: dict[str, list[int]] = {}
            for h, rid in zip(hashes[b], bundle[b].ids.tolist(), strict=True):
                if h in index:
                    shared.setdefault(h, []).append(int(rid))
            id_overlap = np.intersect1d(bundle[a].ids, bundle[b].ids)
            n_content = sum(len(v) for v in shared.values())
            any_content |= n_content > 0
            any_ids |= len(id_overlap) > 0
            rows = [
                {"sha256": h, "train_ids": index[h][:10], "eval_ids": ids[:10]}
                for h, ids in list(shared.items())[:MAX_LISTED_ROWS]
            ]
            pairs.append({
                "train": a, "eval": b, "n_eval_rows": len(hashes[b]),
                "n_content_overlap": n_content, "n_id_overlap": int(len(id_overlap)),
                "shared_ids": [int(i) for i in id_overlap[:MAX_LISTED_ROWS]], "rows": rows,
            })  # fmt: skip
    if any_ids or (any_content and mode == "fail"):
        status = "fail"
    elif any_content:
        status = "warn"
    else:
        status = "met"
    return {"status": status, "mode": mode, "pairs": pairs}


def _disjointness_item(bundle, cfg) -> tuple[str, str, dict]:
    result = split_overlaps(bundle, content_overlap=cfg.content_overlap)
    bad = [p for p in result["pairs"] if p["n_content_overlap"] or p["n_id_overlap"]]
    n_pairs = len(result["pairs"])
    if not bad:
        return "met", f"no shared input between {n_pairs} training/evaluation split pairs", result
    parts = []
    for p in bad:
        ids = ", ".join(str(r["eval_ids"][0]) for r in p["rows"][:5]) or ", ".join(
            str(i) for i in p["shared_ids"][:5]
        )
        parts.append(
            f"{p['eval']} shares {p['n_content_overlap']} of {p['n_eval_rows']} inputs with "
            f"{p['train']} ({p['n_id_overlap']} by source row id; {p['eval']} rows {ids})"
        )
    text = "; ".join(parts)
    if result["status"] == "warn":
        text += (
            " — identical feature vectors under distinct source rows, reported but not failed "
            "(content_overlap = 'report'); metrics on those rows are not held out in content"
        )
    return result["status"], text, result


# --- the other automatic items ---------------------------------------------------------------


def _provenance_item(bundle) -> tuple[str, str, dict]:
    prov = bundle.provenance()
    complete = all(
        len(p["sha256"]) == 64 and p["n_rows"] >= 0 and p["class_balance"] is not None
        for p in prov.values()
    )
    text = "; ".join(
        f"{n}: {p['n_rows']} rows, sha256 {p['sha256'][:12]}…, "
        + ", ".join(f"{k} {v}" for k, v in p["class_balance"].items())
        for n, p in prov.items()
    )
    return ("met" if complete and prov else "missing"), text, prov


def _declared_features(ctx) -> list[str]:
    wanted = ctx.config.fairness.sensitive
    return list(wanted) if wanted else list(ctx.bundle.sensitive_features)


def _strings_in(obj: Any, depth: int = 0) -> set[str]:
    """Every dict key and string value within a few levels (to find covered features)."""
    if depth > 4:
        return set()
    if isinstance(obj, Mapping):
        out = {str(k) for k in obj}
        for v in obj.values():
            out |= _strings_in(v, depth + 1)
        return out
    if isinstance(obj, list):
        out: set[str] = set()
        for v in obj[:200]:
            out |= _strings_in(v, depth + 1)
        return out
    return {obj} if isinstance(obj, str) else set()


def _fairness_item(ctx, fairness: Mapping[str, Any] | None) -> tuple[str, str, dict | None]:
    declared = _declared_features(ctx)
    if not declared:
        return "not_applicable", "the data declares no sensitive feature or slice", None
    if not fairness or fairness.get("status") != "ok":
        reason = (fairness or {}).get("reason", "the fairness section is absent")
        return "missing", f"fairness audit did not run: {reason}", {"declared": declared}
    listed = fairness.get("sensitive_features") or fairness.get("features")
    covered_pool = set(listed) if isinstance(listed, list | dict) else _strings_in(fairness)
    covered = [f for f in declared if f in covered_pool]
    uncovered = [f for f in declared if f not in covered_pool]
    details = {"declared": declared, "covered": covered, "uncovered": uncovered}
    if uncovered:
        return "missing", f"not covered: {', '.join(uncovered)}", details
    return "met", f"covered all {len(declared)}: {', '.join(declared)}", details


def _privacy_item(ctx, privacy: Mapping[str, Any] | None) -> tuple[str, str, dict | None]:
    if not privacy or privacy.get("status") != "ok":
        reason = (privacy or {}).get("reason", "the privacy section is absent")
        return "missing", f"privacy probes did not run: {reason}", None
    probes = privacy.get("probes")
    if isinstance(probes, dict):
        ran = [
            k
            for k, v in probes.items()
            if not (isinstance(v, Mapping) and v.get("status") == "not_run")
        ]
    elif isinstance(probes, list):
        ran = [str(p) for p in probes]
    else:
        ran = list(ctx.config.privacy.probes)
    return "met", f"probes run: {', '.join(ran) or 'none listed'}", {"probes": ran}


def _explanations_item(explanations: Mapping[str, Any] | None) -> tuple[str, str, dict | None]:
    if not explanations or explanations.get("status") != "ok":
        reason = (explanations or {}).get("reason", "the explanations section is absent")
        return "missing", f"explanations did not run: {reason}", None
    parts = [f"{explanations['method']} ({explanations['n_steps']} steps) on "
             f"{explanations['n_rows_attributed']} test rows"]  # fmt: skip
    reliance = explanations.get("reliance", {})
    if reliance.get("status") == "ok":
        parts.append(f"reliance check on {', '.join(reliance['features'])}")
    else:
        parts.append(f"reliance check not applicable: {reliance.get('reason', '')}")
    return "met", "; ".join(parts), None


def _performance_item(perf: Mapping[str, Any] | None) -> tuple[str, str, dict | None]:
    if not perf or perf.get("status") != "ok":
        return "missing", "performance was not evaluated", None
    test = perf.get("finetuned", {}).get("test")
    if not test:
        return "missing", "no test-split metrics for the fine-tuned model", None
    acc = test.get("accuracy")
    shown = "n/a" if acc is None or not math.isfinite(acc) else f"{acc:.3f}"
    return (
        "met",
        f"test split: n={test['n']}, accuracy {shown} ({test['n_correct']}/{test['n']})",
        None,
    )


def _recipe(record) -> dict[str, Any]:
    return {
        k: getattr(record, k)
        for k in ("objective", "optimizer", "lr", "batch_size", "epochs_run", "best_epoch",
                  "n_train", "n_val", "seconds", "frozen", "trainable_parameters")
    }  # fmt: skip


def _automatic(ctx, sections: Mapping[str, dict]) -> dict[str, tuple[str, str, Any]]:
    from auditor.models import count_parameters
    from auditor.pipeline import library_versions

    bundle, cfg = ctx.bundle, ctx.config.transparency
    versions = library_versions()
    missing_libs = [k for k, v in versions.items() if v is None]
    out: dict[str, tuple[str, str, Any]] = {
        "data_provenance": _provenance_item(bundle),
        "split_disjointness": _disjointness_item(bundle, cfg),
    }
    if bundle.license.strip() and bundle.citation.strip():
        out["data_license"] = ("met", f"{bundle.license}; {bundle.citation}", None)
    else:
        out["data_license"] = ("missing", "the data source names no license or citation", None)
    out["seeds"] = (
        "met",
        f"seed {ctx.seed} (Python, NumPy, torch; split shuffling)",
        {"seed": ctx.seed},
    )
    out["software_environment"] = (
        "met",
        f"device {ctx.device}; " + ", ".join(f"{k} {v}" for k, v in versions.items() if v),
        {"device": str(ctx.device), "library_versions": versions, "not_installed": missing_libs},
    )
    pre, ft = ctx.pretrain_record, ctx.finetune_record
    out["training_recipe"] = (
        "met",
        f"pretrain: {pre.objective}, {pre.optimizer} lr {pre.lr:g}, batch {pre.batch_size}, "
        f"{pre.epochs_run} epochs (best {pre.best_epoch}), {pre.seconds:.1f} s; fine-tune: "
        f"{ft.optimizer} lr {ft.lr:g}, batch {ft.batch_size}, {ft.epochs_run} epochs "
        f"(best {ft.best_epoch}), {ft.seconds:.1f} s, frozen: {ft.frozen}",
        {"pretrain": _recipe(pre), "finetune": _recipe(ft)},
    )
    n_params = count_parameters(ctx.finetuned)
    out["parameter_count"] = (
        "met",
        f"{n_params:,} parameters; {ft.trainable_parameters:,} trained in fine-tuning",
        {"parameters": n_params, "trainable_finetune": ft.trainable_parameters},
    )
    out["performance_evaluated"] = _performance_item(sections.get("performance"))
    out["fairness_coverage"] = _fairness_item(ctx, sections.get("fairness"))
    out["privacy_probes"] = _privacy_item(ctx, sections.get("privacy"))
    out["explanations"] = _explanations_item(sections.get("explanations"))
    return out


def build_checklist(ctx, sections: Mapping[str, dict]) -> list[ItemResult]:
    """Evaluate every item of :data:`SPECS` against the run and the declared answers."""
    cfg = ctx.config.transparency
    declared = cfg.declared
    auto = _automatic(ctx, sections)
    items = []
    for spec in SPECS:
        reason = None
        details = None
        if spec.id in cfg.not_applicable:
            status, evidence = "not_applicable", "marked not applicable in [transparency]"
            reason = cfg.not_applicable[spec.id]
        elif spec.kind == "automatic":
            status, evidence, details = auto[spec.id]
            if status == "not_applicable":
                reason = evidence
        else:
            answer = getattr(declared, spec.id)
            if is_placeholder(answer):
                status = "missing"
                evidence = (
                    "not declared"
                    if answer is None or not answer.strip()
                    else "placeholder answer, not counted"
                )
                reason = f"set transparency.declared.{spec.id} in the config"
            else:
                status, evidence = "declared", answer.strip()
        items.append(ItemResult(spec.id, spec.question, spec.kind, spec.frameworks, status,
                                evidence, reason, details))  # fmt: skip
    return items


def transparency_check(ctx, sections) -> dict:
    cfg = ctx.config.transparency
    if not cfg.enabled:
        return not_run("disabled in config (transparency.enabled = false)")
    items = build_checklist(ctx, sections)
    summary = {s: sum(i.status == s for i in items) for s in STATUSES}
    disjoint = next(i for i in items if i.id == "split_disjointness")
    return {
        "status": "ok",
        "frameworks": {
            "model_card": "Mitchell et al. 2019, Model Cards for Model Reporting",
            "datasheets": "Gebru et al. 2021, Datasheets for Datasets",
            "nist_ai_rmf": "NIST AI RMF 1.0 (AI 100-1), MEASURE function",
            "eu_ai_act": "EU AI Act (Regulation 2024/1689), Annex IV technical documentation",
        },
        "summary": {"n_items": len(items), **summary},
        "items": [i.to_dict() for i in items],
        "disjointness": disjoint.details,
        "declared_model_name": (
            None if is_placeholder(cfg.declared.model_name) else cfg.declared.model_name
        ),
    }
