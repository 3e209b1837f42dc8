"""A scikit-learn model trained outside auditor (HistGradientBoostingClassifier on Adult,
saved with skops), audited from a config file with its member / non-member rows: every
section, LOSS + RMIA with references from sklearn.base.clone, a card, the schema."""

from __future__ import annotations

from tests.supplied.conftest import audited


def test_skops_model_audited_without_retraining(sklearn_folder):
    out = sklearn_folder / "run"
    res, audit = audited(sklearn_folder)
    assert audit["run"]["mode"] == "supplied"
    assert audit["model"]["architecture"].startswith("Pipeline (supplied: sklearn")
    assert audit["model"]["checkpoints"]["supplied"]["path"].endswith("model.skops")
    assert audit["training"]["finetune"]["epochs_run"] == 0  # auditor trained nothing
    for name in ("performance", "fairness", "privacy", "transparency"):
        assert audit[name]["status"] == "ok", (name, audit[name])
    explained = audit["explanations"]
    assert explained["status"] == "ok" and explained["kind"] == "permutation"
    assert explained["n_rows"] == 500 and explained["n_repeats"] == 5
    top = explained["feature_importance"][0]
    assert top["accuracy_drop_mean"] > 0.01  # the model relies on its best column
    assert {g["group"] for g in explained["by_group"]["sex"]} == {"Female", "Male"}
    checklist = {i["id"]: i for i in audit["transparency"]["items"]}
    assert checklist["explanations"]["status"] == "met"
    perf = audit["performance"]["finetuned"]
    assert perf["test"]["n"] == 500 and perf["finetune_train"]["n"] == 500
    privacy = audit["privacy"]
    assert {"loss", "rmia", "lira_online"} <= set(privacy["attacks"])
    assert privacy["references"]["k"] == 2
    assert "clone(Pipeline).fit" in privacy["references"]["recipe"]
    assert privacy["members"] == {"split": "members", "n": 500}
    assert privacy["canaries"]["status"] == "not_run"
    card = (out / "model_card.html").read_text()
    assert "supplied" in card and "Fine-tuned model" not in card
    assert "Permutation importance (scikit-learn)" in card and top["feature"] in card
    assert "Supplied model, test split:" in res.output
    assert "membership AUC" in res.output and "equalized odds gap" in res.output
