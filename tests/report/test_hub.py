"""model_card.md's Hugging Face front matter: it passes huggingface_hub's own parsing
(ModelCard -> ModelCardData, model-index -> EvalResults) offline, and follows the Hub's rules
on license, license_name/license_link, dataset ids and pipeline_tag."""

from __future__ import annotations

import pytest
import yaml
from huggingface_hub import ModelCard, ModelCardData

from auditor.report import hub
from auditor.report.hub import (
    HUB_LICENSES,
    front_matter,
    license_fields,
    license_slug,
)
from auditor.report.markdown import render_markdown


def _meta(md: str) -> dict:
    return yaml.safe_load(md.split("---\n", 2)[1])


def _check_hub_rules(meta: dict) -> None:
    if "license" in meta:
        assert meta["license"] in HUB_LICENSES or meta["license"] == "other"
        assert meta["license_link"]
        if meta["license"] == "other":
            assert meta["license_name"] == license_slug(meta["license_name"])  # a slug
    else:
        assert "license_name" not in meta and "license_link" not in meta
    assert meta["pipeline_tag"] in ("image-classification", "tabular-classification")
    assert "library_name" not in meta
    for ds in meta.get("datasets", []):
        assert "/" in ds  # a Hub dataset id (owner/name)


def _round_trip(md: str) -> dict:
    card = ModelCard(md)  # parses the front matter, as the Hub's client does (no network)
    data = card.data
    assert isinstance(data, ModelCardData)
    meta = _meta(md)
    assert data.eval_results and data.model_name == meta["model-index"][0]["name"]
    again = data.to_dict()
    for key in ("license", "license_name", "license_link", "pipeline_tag", "tags", "datasets"):
        assert again.get(key) == meta.get(key), key
    accuracy = next(r for r in data.eval_results if r.metric_type == "accuracy")
    assert accuracy.dataset_split == "test"
    return meta


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        (None, {}),
        ("  ", {}),
        ("MIT", {"license": "mit", "license_link": "https://spdx.org/licenses/MIT.html"}),
        ("Apache License 2.0", {"license": "apache-2.0",
                                "license_link": "https://spdx.org/licenses/Apache-2.0.html"}),
        ("CC BY 4.0", {"license": "cc-by-4.0",
                       "license_link": "https://spdx.org/licenses/CC-BY-4.0.html"}),
        ("Acme internal use only", {"license": "other", "license_name": "acme-internal-use-only",
                                    "license_link": "LICENSE"}),
    ],
)  # fmt: skip
def test_license_fields(declared, expected):
    assert license_fields(declared) == expected


def test_digits_card_front_matter_round_trips(digits_run):
    md = (digits_run.run_dir / "model_card.md").read_text(encoding="utf-8")
    meta = _round_trip(md)
    _check_hub_rules(meta)
    assert meta["license"] == "mit"  # declared "MIT" in the test config
    assert "datasets" not in meta and "Data: `digits` (not a Hugging Face dataset id" in md.replace(
        "\\", ""
    )


def test_undeclared_license_is_left_out_and_predictions_say_no_library(digits_run):
    audit = {**digits_run.data}
    config = {**audit["config"]}
    config["transparency"] = {
        **config["transparency"],
        "declared": {**config["transparency"]["declared"], "license": None},
    }
    audit["config"] = config
    audit["run"] = {**audit["run"], "mode": "predictions"}
    meta = _round_trip(render_markdown(audit))
    _check_hub_rules(meta)
    assert "license" not in meta and "pytorch" not in meta["tags"]


def test_mnist_has_its_hub_dataset_id(digits_run):
    audit = {**digits_run.data, "data": {**digits_run.data["data"], "name": "mnist"}}
    meta = front_matter(audit, declared_license=None)
    assert meta["datasets"] == ["ylecun/mnist"]


def test_a_dataset_without_a_hub_id_is_named_where_the_metadata_names_it(digits_run):
    """The note said "not in the metadata" while model-index names the data (its dataset
    type is required: huggingface_hub refuses a model-index without one)."""
    md = render_markdown(digits_run.data)
    name = digits_run.data["data"]["name"]
    assert "datasets" not in _meta(md)
    results = ModelCard(md).data.eval_results
    assert results and {r.dataset_name for r in results} == {name}
    [note] = [x for x in md.splitlines() if x.startswith("Data: ")]
    assert "not in the metadata\\)" not in note and "model-index names it" in note
    assert "not in the metadata's datasets" in note
    assert not hub.data_on_hub(digits_run.data)


def test_model_index_task_is_the_pipeline_tag(digits_run, monkeypatch):
    """One source for the task: model-index's task type is ``pipeline_tag`` (the template
    kept a mapping of its own beside hub.PIPELINE_TAGS)."""
    monkeypatch.setitem(hub.PIPELINE_TAGS, "image", "image-classification-test")
    meta = _meta(render_markdown(digits_run.data))
    task = meta["model-index"][0]["results"][0]["task"]["type"]
    assert task == meta["pipeline_tag"] == hub.pipeline_tag(digits_run.data)
    assert task == "image-classification-test"


def test_a_predictions_file_without_scores_claims_no_roc_auc():
    """No score column: no ROC AUC in model-index nor in ``metrics``; every metric the
    card names has a value as huggingface_hub reads it (it wrote ``roc_auc: null``)."""
    import numpy as np
    import pandas as pd

    import auditor

    rng = np.random.default_rng(0)
    rows = pd.DataFrame({"y_true": rng.integers(0, 2, 300), "g": rng.choice(["a", "b"], 300)})
    rows["y_pred"] = np.where(rng.random(300) < 0.8, rows.y_true, 1 - rows.y_true)
    audit = auditor.audit_predictions(rows, y_true="y_true", y_pred="y_pred", sensitive="g").data
    md = render_markdown(audit)
    meta = _round_trip(md)
    _check_hub_rules(meta)
    assert meta["metrics"] == ["accuracy", "f1"]
    kinds = [r.metric_type for r in ModelCard(md).data.eval_results]
    assert "roc_auc" not in kinds and "ece" not in kinds and "accuracy" in kinds
    assert all(r.metric_value is not None for r in ModelCard(md).data.eval_results)


def test_no_test_split_numbers_no_model_index(digits_run):
    """Performance that did not run: neither model-index nor a ``metrics`` list."""
    audit = {**digits_run.data, "performance": {"status": "not_run", "reason": "x"}}
    assert "metrics" not in front_matter(audit, declared_license=None)
    assert "model-index" not in render_markdown(audit).split("---\n", 2)[1]
