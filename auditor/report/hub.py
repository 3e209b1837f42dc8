"""The Hugging Face front matter of model_card.md (everything but ``model-index``, which
the template writes from the performance section).

Hub rules followed (huggingface.co/docs/hub/model-cards, repositories-licenses):

- ``license`` is one of the Hub's license ids; a declared license that maps to one is
  written as that id with its ``license_link``; any other declared license is
  ``license: other`` with a slug ``license_name`` and a ``license_link`` (the repository's
  ``LICENSE`` file); an undeclared license is left out (the card's text says so);
- ``datasets`` holds Hub dataset ids only: a built-in dataset with no Hub id is left out
  and named in the card's text (:func:`data_on_hub`);
- ``model-index`` metrics and the ``metrics`` list hold only numbers the audit computed: a
  metric without a finite value (no score column: no ROC AUC) is left out, never ``null``
  (the Hub's model-index requires a metric's ``value``; huggingface_hub drops a null one);
- ``pipeline_tag`` from the modality; no ``library_name`` (the Hub's library list has no
  plain PyTorch entry, and a predictions-only audit never saw the model): ``pytorch`` is a tag
  of a trained run.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

# Hub license id -> SPDX id (the link); the common open licenses of the Hub's list.
HUB_LICENSES = {
    "apache-2.0": "Apache-2.0", "mit": "MIT", "bsd-2-clause": "BSD-2-Clause",
    "bsd-3-clause": "BSD-3-Clause", "isc": "ISC", "mpl-2.0": "MPL-2.0",
    "gpl-2.0": "GPL-2.0-only", "gpl-3.0": "GPL-3.0-only", "lgpl-2.1": "LGPL-2.1-only",
    "lgpl-3.0": "LGPL-3.0-only", "agpl-3.0": "AGPL-3.0-only", "epl-2.0": "EPL-2.0",
    "unlicense": "Unlicense", "zlib": "Zlib", "cc0-1.0": "CC0-1.0", "cc-by-4.0": "CC-BY-4.0",
    "cc-by-sa-4.0": "CC-BY-SA-4.0", "cc-by-nc-4.0": "CC-BY-NC-4.0",
    "cc-by-nd-4.0": "CC-BY-ND-4.0", "cc-by-nc-sa-4.0": "CC-BY-NC-SA-4.0",
    "cc-by-nc-nd-4.0": "CC-BY-NC-ND-4.0", "odbl": "ODbL-1.0", "odc-by": "ODC-By-1.0",
}  # fmt: skip
# Built-in datasets that have a Hub dataset id (the others are named in the text only).
HUB_DATASETS = {"mnist": "ylecun/mnist"}
PIPELINE_TAGS = {"image": "image-classification", "tabular": "tabular-classification"}
LICENSE_FILE_LINK = "LICENSE"
# The test split's numbers in model-index: (type, key of performance.finetuned.test, name).
TEST_METRICS = (
    ("accuracy", "accuracy", "accuracy (n={n})"),
    ("balanced_accuracy", "balanced_accuracy", "balanced accuracy"),
    ("f1", "f1_macro", "macro F1"),
    ("roc_auc", "roc_auc", "ROC AUC"),
    ("ece", "ece", "expected calibration error"),
)
HUB_METRIC_IDS = ("accuracy", "f1", "roc_auc")  # the ones with a Hub metric id (hf.co/metrics)


def license_slug(text: str) -> str:
    """``"Apache License 2.0"`` -> ``apache-2.0``; ``"CC BY 4.0"`` -> ``cc-by-4.0``."""
    low = re.sub(r"\b(?:the|licen[cs]e|version)\b", " ", text.lower())
    low = re.sub(r"\bv(?=\d)", "", low)
    return re.sub(r"[^a-z0-9.]+", "-", low).strip("-.") or "custom"


def license_fields(declared: str | None) -> dict[str, str]:
    """``license`` (+ ``license_name``) + ``license_link`` for a declared license; {} when
    none is declared."""
    if declared is None or not declared.strip():
        return {}
    slug = license_slug(declared)
    if slug in HUB_LICENSES:
        return {
            "license": slug,
            "license_link": f"https://spdx.org/licenses/{HUB_LICENSES[slug]}.html",
        }
    return {"license": "other", "license_name": slug, "license_link": LICENSE_FILE_LINK}


def data_on_hub(audit: Mapping[str, Any]) -> bool:
    """Whether the data has a Hub dataset id (it is then in ``datasets``); where it has none,
    model_card.md names it: "Data: NAME" and :data:`DATA_NOT_ON_HUB`."""
    return audit["data"]["name"] in HUB_DATASETS


# After the data's name, where it has no Hub dataset id (model-index names it all the same:
# its dataset ``type`` is required, huggingface_hub refuses a model-index without it).
# model_card.md writes the name as copied: a file name holds no invisible isolate.
DATA_NOT_ON_HUB = (
    " (not a Hugging Face dataset id: not in the metadata's datasets; model-index names it as"
    " the dataset its results were taken on); see Evaluation and training data."
)


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def model_index_metrics(audit: Mapping[str, Any]) -> list[dict[str, Any]]:
    """model-index's metrics of the test split, ``{type, value, name}`` each: only those with
    a finite value; [] where performance did not run or has no test split."""
    perf = audit["performance"]
    test = perf["finetuned"].get("test") if perf.get("status") == "ok" else None
    if not test:
        return []
    return [
        {"type": kind, "value": test[key], "name": name.format(n=test.get("n"))}
        for kind, key, name in TEST_METRICS
        if _finite(test.get(key))
    ]


def pipeline_tag(audit: Mapping[str, Any]) -> str:
    """The Hub's task for the data's modality: ``pipeline_tag``, and model-index's task type."""
    return PIPELINE_TAGS.get(str(audit["data"]["modality"]), "tabular-classification")


def front_matter(audit: Mapping[str, Any], *, declared_license: str | None) -> dict[str, Any]:
    """The metadata keys before ``model-index``, in the order the card writes them."""
    data = audit["data"]
    predictions = (audit.get("run") or {}).get("mode") == "predictions"
    pipeline = pipeline_tag(audit)
    tags = ["auditor", "model-card", pipeline] + ([] if predictions else ["pytorch"])
    meta: dict[str, Any] = {**license_fields(declared_license), "pipeline_tag": pipeline}
    meta["tags"] = tags
    if data["name"] in HUB_DATASETS:
        meta["datasets"] = [HUB_DATASETS[data["name"]]]
    computed = [m["type"] for m in model_index_metrics(audit) if m["type"] in HUB_METRIC_IDS]
    if computed:
        meta["metrics"] = computed
    return meta
