"""A PyTorch model trained outside auditor (a tiny MLP trained in the test, saved as a state
dict) audited from a config with its factory and training function beside it."""

from __future__ import annotations

from tests.supplied.conftest import audited


def test_checkpoint_audited_with_its_factory_and_train_function(checkpoint_folder):
    out = checkpoint_folder / "run"
    res, audit = audited(checkpoint_folder)
    assert audit["run"]["mode"] == "supplied"
    assert audit["model"]["parameters"] == 5 * 16 + 16 + 16 * 2 + 2
    for name in ("performance", "fairness", "privacy", "explanations", "transparency"):
        assert audit[name]["status"] == "ok", (name, audit[name])
    assert audit["performance"]["finetuned"]["test"]["accuracy"] > 0.7
    names = [f["feature"] for f in audit["explanations"]["feature_importance"]]
    assert set(names) <= {"age", "education-num", "capital-gain", "capital-loss", "hours-per-week"}
    privacy = audit["privacy"]
    assert {"loss", "rmia", "lira_online"} <= set(privacy["attacks"])
    assert privacy["references"]["recipe"] == "tiny_mlp:fit"
    items = {i["id"]: i for i in audit["transparency"]["items"]}
    assert items["training_recipe"]["status"] == "not_applicable"
    assert "supplied" in items["training_recipe"]["evidence"]
    assert "trained outside auditor" in (out / "model_card.md").read_text()
