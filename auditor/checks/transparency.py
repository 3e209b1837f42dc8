"""Transparency checklist: each item is a question, the framework clauses it serves, and a
status backed by evidence.

Statuses:

- ``met``: established automatically from the run (the evidence says how);
- ``declared``: answered by a person in ``[transparency.declared]`` (not verified by the tool);
- ``missing``: neither; an empty or placeholder answer is missing, never met;
- ``not_applicable``: does not apply, with the reason (``[transparency] not_applicable``
  marks a declared item, or an automatic one the run could not establish: never over what
  the run established, a failure least of all);
- ``warn``: established, with a finding a reviewer should read;
- ``fail``: the evidence contradicts the requirement (e.g. a test row also in training).

The questions are :data:`auditor.checks.checklist.SPECS`. This check runs last and reads the
other sections from ``sections``. The section is :class:`TransparencySection`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
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
from auditor.checks.disjointness import (
    SUPPLIED_ROLES,
    Disjointness,
    disjointness_item,
    split_overlaps,
    split_text,
)
from auditor.checks.section_items import (
    DID_NOT_RUN,
    Item,
    explanations_item,
    fairness_item,
    on_seen_rows,
    performance_item,
    privacy_item,
)
from auditor.config.transparency import DeclaredAnswers, is_placeholder, same_text
from auditor.provenance import library_versions
from auditor.results import NotRun, dump

if TYPE_CHECKING:
    from auditor.context import AuditContext
    from auditor.data import DatasetBundle
    from auditor.training import TrainRecord

__all__ = [
    "DID_NOT_RUN",
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

# transparency.not_applicable on an item the run established: its evidence stands.
MARK_NOT_TAKEN = (
    "marked not applicable in [transparency], not taken: the run established this item ({status})"
)
# A supplied model audited on its evaluation rows alone: nothing to check them against.
NO_TRAINING_ROWS = (
    "no training rows to check the evaluation rows against: the model's member (training) "
    "rows were not given (data.members; in Python: members=) (or mark "
    "transparency.not_applicable.split_disjointness with why)"
)
TRAINING_DATA_UNKNOWN = (
    "the model's training data was not given (data.members; in Python: members=): its "
    "provenance is not known here"
)
NO_DATA_LICENSE = (
    "no data license or citation: write data.license and data.citation in the config (in "
    "Python: data_license=, data_citation=), or mark transparency.not_applicable.data_license "
    "with why"
)
CITATION_REPEATS_LICENSE = (
    "the data citation repeats data.license: write the dataset's citation in data.citation "
    "(in Python: data_citation=), or mark transparency.not_applicable.data_license with why"
)


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


def _split_name(bundle: DatasetBundle, name: str, *, supplied: bool) -> str:
    """A split as its user knows it: a supplied model's by its file and role, or its role."""
    said = split_text(bundle, name, supplied=supplied)
    return SUPPLIED_ROLES[name] if supplied and said == name in SUPPLIED_ROLES else said


def _provenance_item(bundle: DatasetBundle, *, supplied: bool) -> Item:
    """Each split with rows by its hash, size and class balance; the empty ones named (a hash
    of no bytes identifies nothing). A supplied model given no member rows: its training
    data is not known here, a finding."""
    prov = bundle.provenance()
    complete = all(
        len(p["sha256"]) == 64 and p["n_rows"] >= 0 and p["class_balance"] is not None
        for p in prov.values()
    )
    named = {n: _split_name(bundle, n, supplied=supplied) for n in prov}
    parts = [
        f"{named[n]}: {p['n_rows']} rows, sha256 {p['sha256'][:12]}…, "
        + ", ".join(f"{k} {v}" for k, v in p["class_balance"].items())
        for n, p in prov.items()
        if p["n_rows"]
    ]
    empty = [named[n] for n, p in prov.items()  # a supplied model's: its user's splits
             if not p["n_rows"] and (not supplied or n in SUPPLIED_ROLES)]  # fmt: skip
    if empty:
        parts.append(f"no rows: {', '.join(empty)}")
    if supplied and not len(bundle["finetune_train"]):
        return "warn", "; ".join([*parts, TRAINING_DATA_UNKNOWN]), prov
    some_rows = any(p["n_rows"] for p in prov.values())
    return ("met" if complete and some_rows else "missing"), "; ".join(parts), prov


def _disjointness_item(ctx: AuditContext) -> Item:
    """Split disjointness; with no training rows to compare (a supplied model given its
    evaluation rows alone), missing: a check against nothing is no check."""
    item = disjointness_item(ctx.bundle, ctx.config.transparency,
                             supplied=ctx.supplied is not None)  # fmt: skip
    pairs = (item[2] or {}).get("pairs")
    return ("missing", NO_TRAINING_ROWS, item[2]) if pairs == [] else item


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
        "data_provenance": _provenance_item(bundle, supplied=ctx.supplied is not None),
        "split_disjointness": _disjointness_item(ctx),
    }
    if is_placeholder(bundle.license) or is_placeholder(bundle.citation):
        out["data_license"] = ("missing", NO_DATA_LICENSE, None)
    elif same_text(bundle.license, bundle.citation):
        out["data_license"] = ("missing", CITATION_REPEATS_LICENSE, None)
    else:
        out["data_license"] = ("met", f"{bundle.license}; {bundle.citation}", None)
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
    out["performance_evaluated"] = on_seen_rows(performance_item(read.get("performance")),
                                                  out["split_disjointness"])  # fmt: skip
    out["fairness_coverage"] = fairness_item(ctx, read.get("fairness"))
    out["privacy_probes"] = privacy_item(ctx, read.get("privacy"))
    out["explanations"] = explanations_item(read.get("explanations"))
    no_gradients = ctx.supplied is not None and not ctx.supplied.differentiable
    if no_gradients and ctx.bundle.modality != "table":
        out["explanations"] = ("not_applicable", SUPPLIED_NO_GRADIENTS, None)
    return out


# Answers that may be one text: the owning team is often where questions go, and it often
# gives the model its own name ("OpenChat" by OpenChat), so these may repeat model_name too.
MAY_SHARE = frozenset({"owners", "contact"})
_MAY_NAME = MAY_SHARE | {"model_name"}
# A copy counts where it is evidently one pasted block: a text of this many words or more, or
# one text under most questions; and the model's name under any other question. A short stock
# answer ("None identified", "Not for clinical use", one link to the model's page) may answer
# several questions.
PASTED_WORDS = 10
CHARS_PER_WORD = 4


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Scripts written without spaces (Thai, Lao, Tibetan, Myanmar, Khmer, kana, CJK and its
    punctuation, full-width forms: their characters count one word per CHARS_PER_WORD), and a
    link or an address (one word, whatever script its path is in). Compiled where first used
    (about 2 ms): ``auditor audit`` without a config has no declared answer to count."""
    no_spaces = re.compile(
        "[\u0e00-\u0fff\u1000-\u109f\u1780-\u17ff\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
        "\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]"
    )
    return no_spaces, re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.|mailto:)\S+$", re.IGNORECASE)


def _run_words(run: str) -> int:
    """The words of ``run`` (no spaces in it): one for a link; else its characters of a
    script without spaces, one per :data:`CHARS_PER_WORD`, and a word for each other part
    ("Acme信用评分模型（Acme-Credit-Scorer-v2）": 8 characters and 2 parts, 4 words)."""
    no_spaces, a_link = _patterns()
    if a_link.match(run) or not no_spaces.search(run):
        return 1
    parts = [p for p in no_spaces.split(run) if any(c.isalnum() for c in p)]
    return max(1, len(no_spaces.findall(run)) // CHARS_PER_WORD + len(parts))


def _words(text: str) -> int:
    """``text``'s words: those between spaces, a run in a script without spaces counting
    one per :data:`CHARS_PER_WORD` such characters (about 4 a word, as in English)."""
    return sum(_run_words(run) for run in text.split())


# The questions a declared answer answers: every declared field but the model's name.
QUESTIONS = tuple(f for f in DeclaredAnswers.model_fields if f != "model_name")


def _copied_from(key: str, declared: DeclaredAnswers) -> str | None:
    """The earlier declared answer that ``key``'s answer repeats: model_name, whatever the
    length (but under :data:`MAY_SHARE`); another question's, where the text is pasted
    (:data:`PASTED_WORDS`, or under most questions): it answers the first one at most."""
    answer = getattr(declared, key)
    same = [f for f in type(declared).model_fields if not is_placeholder(getattr(declared, f))
            and same_text(answer, getattr(declared, f))]  # fmt: skip
    if key not in _MAY_NAME and "model_name" in same:
        return "model_name"  # a model's name answers no other question, at any length
    under = [f for f in same if f in QUESTIONS]
    if _words(answer) < PASTED_WORDS and 2 * len(under) <= len(QUESTIONS):  # not most
        return None
    return next((f for f in same[: same.index(key)] if not {key, f} <= _MAY_NAME), None)


def _declared_item(spec: ItemSpec, declared: DeclaredAnswers) -> tuple[Status, str, str | None]:
    """(status, evidence, reason) of a declared item from the person's answers."""
    answer, way = getattr(declared, spec.id), f"set transparency.declared.{spec.id} in the config"
    if answer is None or not answer.strip():
        return "missing", "not declared", way
    if is_placeholder(answer):
        return "missing", "placeholder answer, not counted", way
    copied = _copied_from(spec.id, declared)
    if copied is not None:
        return "missing", f"the same text as transparency.declared.{copied}, not counted", way
    return "declared", answer.strip(), None


def build_checklist(ctx: AuditContext, sections: Sections) -> list[ItemResult]:
    """Evaluate every item of :data:`SPECS` against the run and the declared answers.
    ``sections``: the sections computed before (typed, or their JSON dicts)."""
    cfg = ctx.config.transparency
    auto = _automatic(ctx, sections)
    items = []
    for spec in SPECS:
        details = None
        if spec.kind == "automatic" and auto[spec.id][0] != "missing":
            status, evidence, details = auto[spec.id]  # what the run established stands
            reason = evidence if status == "not_applicable" else None
            if spec.id in cfg.not_applicable and status != "not_applicable":
                evidence += "; " + MARK_NOT_TAKEN.format(status=status)
        elif spec.id in cfg.not_applicable:
            status, evidence = "not_applicable", "marked not applicable in [transparency]"
            reason = cfg.not_applicable[spec.id]
        elif spec.kind == "automatic":
            status, evidence, details = auto[spec.id]
            reason = None
        else:
            status, evidence, reason = _declared_item(spec, cfg.declared)
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
