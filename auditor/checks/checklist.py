"""The transparency checklist's questions: each item, the framework clauses it serves, and
whether the tool establishes it (``automatic``) or a person declares it (``declared``).

Frameworks: Mitchell et al. 2019 model-card sections; Gebru et al. Datasheets for Datasets
question groups; NIST AI RMF 1.0 MEASURE 2.x; EU AI Act Annex IV points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["met", "declared", "missing", "not_applicable", "warn", "fail"]
STATUSES: tuple[Status, ...] = ("met", "declared", "missing", "not_applicable", "warn", "fail")
ItemKind = Literal["automatic", "declared"]


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
    kind: ItemKind
    frameworks: Frameworks


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
