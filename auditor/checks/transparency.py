"""Transparency checklist: each item is a question, the framework clauses it serves, and a
status backed by evidence.

Statuses:

- ``met``: established automatically from the run (the evidence says how);
- ``declared``: answered by a person in ``[transparency.declared]`` (not verified by the tool);
- ``missing``: neither; an empty or placeholder answer is missing, never met;
- ``not_applicable``: does not apply, with the reason;
- ``warn``: established, with a finding a reviewer should read;
- ``fail``: the evidence contradicts the requirement (e.g. a test row also in training).

The questions are :data:`auditor.checks.checklist.SPECS`. This check runs last and reads the
other sections from ``sections``. The section is :class:`TransparencySection`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import TypeAdapter

from auditor.checks.base import Sections, not_run
from auditor.checks.checklist import (
    SPECS,
    STATUSES,
    Frameworks,
    ItemKind,
    ItemSpec,
    Status,
)
from auditor.checks.disjointness import Disjointness, disjointness_item, split_overlaps
from auditor.config.transparency import is_placeholder
from auditor.provenance import library_versions
from auditor.results import NotRun, dump

if TYPE_CHECKING:
    from auditor.context import AuditContext
    from auditor.data import DatasetBundle
    from auditor.training import TrainRecord

__all__ = [
    "SPECS",
    "STATUSES",
    "ItemResult",
    "TransparencySection",
    "build_checklist",
    "is_placeholder",
    "split_overlaps",
    "transparency_check",
]

SUPPLIED_NO_GRADIENTS = (
    "the supplied model gives probabilities only (no gradients) on images: attributions and "
    "permutation importance of single pixels do not apply"
)
SUPPLIED_RECIPE = (
    "the model was supplied ({kind}), trained outside auditor: its training recipe is not "
    "known here; ask its owners for it"
)
FRAMEWORKS = {
    "model_card": "Mitchell et al. 2019, Model Cards for Model Reporting",
    "datasheets": "Gebru et al. 2021, Datasheets for Datasets",
    "nist_ai_rmf": "NIST AI RMF 1.0 (AI 100-1), MEASURE function",
    "eu_ai_act": "EU AI Act (Regulation 2024/1689), Annex IV technical documentation",
}

Item = tuple[str, str, dict[str, Any] | None]  # (status, evidence, details)
NO_DATA_LICENSE = (
    "no data license or citation: write data.license and data.citation in the config (in "
    "Python: data_license=, data_citation=), or mark transparency.not_applicable.data_license "
    "with why"
)
# An automatic item whose section did not run: what did not run, why, and the way on last
# (a gate's message cuts a long text in its middle, so the end stays whole).
DID_NOT_RUN = "{what} did not run: {reason} (or mark transparency.not_applicable.{key} with why)"


@dataclass(frozen=True)
class ItemResult:
    id: str
    question: str
    kind: ItemKind
    frameworks: Frameworks
    status: Status
    evidence: str
    reason: str | None = None
    details: dict[str, Any] | None = None


@dataclass(frozen=True)
class ChecklistSummary:
    n_items: int
    met: int
    declared: int
    missing: int
    not_applicable: int
    warn: int
    fail: int


@dataclass(frozen=True)
class TransparencySection:
    """The checklist (gate path: ``transparency.items[<id>].status``), its counts per status,
    the split-disjointness result, and the declared model name (None when not declared)."""

    frameworks: dict[str, str]
    summary: ChecklistSummary
    items: list[ItemResult]
    disjointness: Disjointness | None
    declared_model_name: str | None
    status: Literal["ok"] = "ok"


def _section_dict(section: Any) -> Mapping[str, Any] | None:
    """An earlier section as its JSON shape (typed, or already a dict), None when absent."""
    if section is None or isinstance(section, Mapping):
        return section
    return dump(section)


def _provenance_item(bundle: DatasetBundle) -> Item:
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


def _declared_features(ctx: AuditContext) -> list[str]:
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


def _fairness_item(ctx: AuditContext, fairness: Mapping[str, Any] | None) -> Item:
    declared = _declared_features(ctx)
    if not declared:
        return "not_applicable", "the data declares no sensitive feature or slice", None
    if not fairness or fairness.get("status") != "ok":
        reason = (fairness or {}).get("reason", "the fairness section is absent")
        text = DID_NOT_RUN.format(what="fairness audit", reason=reason, key="fairness_coverage")
        return "missing", text, {"declared": declared}
    listed = fairness.get("sensitive_features") or fairness.get("features")
    covered_pool = set(listed) if isinstance(listed, list | dict) else _strings_in(fairness)
    covered = [f for f in declared if f in covered_pool]
    uncovered = [f for f in declared if f not in covered_pool]
    details = {"declared": declared, "covered": covered, "uncovered": uncovered}
    if uncovered:
        return "missing", f"not covered: {', '.join(uncovered)}", details
    text = f"covered all {len(declared)}: {', '.join(declared)}"
    thin = [f for f in covered if _no_gap_verdict(fairness, f)]
    if thin:  # audited, but no verdict on its groups: a finding, not coverage met
        details["no_gap_verdict"] = thin
        return "warn", f"{text}; no gap verdict on {', '.join(thin)}: {FEW_GROUPS}", details
    return "met", text, details


# A feature whose groups all but one fall below the fairness check's min_group_size.
FEW_GROUPS = ("fewer than two of its groups reach fairness.min_group_size rows (insufficient "
              "data): collect more rows, or merge small groups")  # fmt: skip


def _no_gap_verdict(fairness: Mapping[str, Any], feature: str) -> bool:
    """Whether ``feature`` was audited with fewer than two groups of enough data, so no gap
    between its groups has a verdict."""
    features = fairness.get("features")
    node = features.get(feature) if isinstance(features, dict) else None
    if not isinstance(node, dict):
        return False
    n, thin = node.get("n_groups"), node.get("n_insufficient")
    return isinstance(n, int) and isinstance(thin, int) and n - thin < 2


def _privacy_item(ctx: AuditContext, privacy: Mapping[str, Any] | None) -> Item:
    if not privacy or privacy.get("status") != "ok":
        reason = (privacy or {}).get("reason", "the privacy section is absent")
        return "missing", DID_NOT_RUN.format(what="privacy probes", reason=reason,
                                             key="privacy_probes"), None
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


def _explanations_item(explanations: Mapping[str, Any] | None) -> Item:
    if not explanations or explanations.get("status") != "ok":
        reason = (explanations or {}).get("reason", "the explanations section is absent")
        said = DID_NOT_RUN.format(what="explanations", reason=reason, key="explanations")
        reliance = (explanations or {}).get("reliance") or {}
        if reliance.get("status") == "ok":  # computed beside an explanation not run
            said += f"; the reliance check ran on {', '.join(reliance['features'])}"
        return "missing", said, None
    if explanations.get("kind") == "permutation":
        parts = [f"{explanations['method']} ({explanations['n_repeats']} repeats) on "
                 f"{explanations['n_rows']} test rows"]  # fmt: skip
    else:
        parts = [f"{explanations['method']} ({explanations['n_steps']} steps) on "
                 f"{explanations['n_rows_attributed']} test rows"]  # fmt: skip
    reliance = explanations.get("reliance", {})
    if reliance.get("status") == "ok":
        parts.append(f"reliance check on {', '.join(reliance['features'])}")
    else:
        parts.append(f"reliance check not applicable: {reliance.get('reason', '')}")
    left = _left_out(explanations)
    return ("warn", "; ".join([*parts, left]), None) if left else ("met", "; ".join(parts), None)


def _left_out(explanations: Mapping[str, Any]) -> str | None:
    """What an explanation that ran left out (outputs not finite), in words; else None."""
    columns = explanations.get("not_finite_columns") or []
    rows = explanations.get("n_rows_not_finite") or 0
    if columns:
        return f"left out {len(columns)} column(s), outputs not finite: {', '.join(columns)}"
    if rows:
        return f"left out {rows} test row(s), gradients not finite on their path"
    return None


def _performance_item(perf: Mapping[str, Any] | None) -> Item:
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


def _recipe(record: TrainRecord) -> dict[str, Any]:
    return {
        k: getattr(record, k)
        for k in ("objective", "optimizer", "lr", "batch_size", "epochs_run", "best_epoch",
                  "n_train", "n_val", "seconds", "frozen", "trainable_parameters", "precision")
    }  # fmt: skip


def _run_items(ctx: AuditContext) -> dict[str, Item]:
    """The items about the run itself: data, seed, environment, recipe, size."""
    bundle = ctx.bundle
    versions = library_versions()
    missing_libs = [k for k, v in versions.items() if v is None]
    out: dict[str, Item] = {
        "data_provenance": _provenance_item(bundle),
        "split_disjointness": disjointness_item(bundle, ctx.config.transparency,
                                                supplied=ctx.supplied is not None),
    }
    if not is_placeholder(bundle.license) and not is_placeholder(bundle.citation):
        out["data_license"] = ("met", f"{bundle.license}; {bundle.citation}", None)
    else:
        out["data_license"] = ("missing", NO_DATA_LICENSE, None)
    out["seeds"] = ("met", f"seed {ctx.seed} (every random draw from named streams of it)",
                    {"seed": ctx.seed})  # fmt: skip
    out["software_environment"] = (
        "met",
        f"device {ctx.device}; " + ", ".join(f"{k} {v}" for k, v in versions.items() if v),
        {"device": str(ctx.device), "library_versions": versions, "not_installed": missing_libs},
    )
    if ctx.supplied is not None:
        return {**out, **_supplied_items(ctx)}
    pre, ft = ctx.pretrain_record, ctx.finetune_record
    bf16 = {s.stage for s in (pre, ft) if s.precision == "bf16"}
    out["training_recipe"] = (
        "met",
        # Wall times stay in the details (timings), not in the text: same seed, same text.
        f"pretrain: {pre.objective}, {pre.optimizer} lr {pre.lr:g}, batch {pre.batch_size}, "
        f"{pre.epochs_run} epochs (best {pre.best_epoch}); fine-tune: "
        f"{ft.optimizer} lr {ft.lr:g}, batch {ft.batch_size}, {ft.epochs_run} epochs "
        f"(best {ft.best_epoch}), frozen: {ft.frozen}; "
        + (f"bf16 autocast in {' and '.join(sorted(bf16))} steps; " if bf16 else "")
        + "wall time in details",
        {"pretrain": _recipe(pre), "finetune": _recipe(ft)},
    )
    n_params = ctx.n_parameters
    out["parameter_count"] = (
        "met",
        f"{n_params:,} parameters; {ft.trainable_parameters:,} trained in fine-tuning",
        {"parameters": n_params, "trainable_finetune": ft.trainable_parameters},
    )
    return out


def _supplied_items(ctx: AuditContext) -> dict[str, Item]:
    """Recipe and size of a model trained elsewhere: what auditor can and cannot know."""
    model = ctx.supplied
    recipe = ("not_applicable", SUPPLIED_RECIPE.format(kind=model.architecture),
              {"supplied": True, "kind": model.kind, "files": model.source_files})  # fmt: skip
    if model.n_parameters is None:
        size = ("not_applicable", f"{model.architecture}: no parameter count", None)
    else:
        size = ("met", f"{model.n_parameters:,} parameters (supplied model)",
                {"parameters": model.n_parameters})  # fmt: skip
    return {"training_recipe": recipe, "parameter_count": size}


def _automatic(ctx: AuditContext, sections: Sections) -> dict[str, Item]:
    read = {name: _section_dict(sections.get(name)) for name in sections}
    out = _run_items(ctx)
    out["performance_evaluated"] = _performance_item(read.get("performance"))
    out["fairness_coverage"] = _fairness_item(ctx, read.get("fairness"))
    out["privacy_probes"] = _privacy_item(ctx, read.get("privacy"))
    out["explanations"] = _explanations_item(read.get("explanations"))
    no_gradients = ctx.supplied is not None and not ctx.supplied.differentiable
    if no_gradients and ctx.bundle.modality != "table":
        out["explanations"] = ("not_applicable", SUPPLIED_NO_GRADIENTS, None)
    return out


def _declared_item(spec: ItemSpec, answer: str | None) -> tuple[Status, str, str | None]:
    """(status, evidence, reason) of a declared item from the person's answer."""
    if not is_placeholder(answer):
        return "declared", answer.strip(), None
    evidence = (
        "not declared"
        if answer is None or not answer.strip()
        else "placeholder answer, not counted"
    )
    return "missing", evidence, f"set transparency.declared.{spec.id} in the config"


def build_checklist(ctx: AuditContext, sections: Sections) -> list[ItemResult]:
    """Evaluate every item of :data:`SPECS` against the run and the declared answers.
    ``sections``: the sections computed before (typed, or their JSON dicts)."""
    cfg = ctx.config.transparency
    auto = _automatic(ctx, sections)
    items = []
    for spec in SPECS:
        details = None
        if spec.id in cfg.not_applicable:
            status, evidence = "not_applicable", "marked not applicable in [transparency]"
            reason = cfg.not_applicable[spec.id]
        elif spec.kind == "automatic":
            status, evidence, details = auto[spec.id]
            reason = evidence if status == "not_applicable" else None
        else:
            status, evidence, reason = _declared_item(spec, getattr(cfg.declared, spec.id))
        items.append(ItemResult(spec.id, spec.question, spec.kind, spec.frameworks, status,
                                evidence, reason, details))  # fmt: skip
    return items


def transparency_check(ctx: AuditContext, sections: Sections) -> TransparencySection | NotRun:
    """The checklist over the run and the sections before it."""
    cfg = ctx.config.transparency
    if not cfg.enabled:
        return not_run("disabled in config (transparency.enabled = false)")
    items = build_checklist(ctx, sections)
    disjoint = next(i for i in items if i.id == "split_disjointness")
    counts = {s: sum(i.status == s for i in items) for s in STATUSES}
    return TransparencySection(
        frameworks=dict(FRAMEWORKS),
        summary=ChecklistSummary(n_items=len(items), **counts),
        items=items,
        disjointness=(
            TypeAdapter(Disjointness).validate_python(disjoint.details)
            if disjoint.details
            else None
        ),
        declared_model_name=(
            None if is_placeholder(cfg.declared.model_name) else cfg.declared.model_name
        ),
    )
