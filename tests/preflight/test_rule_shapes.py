"""preflight's rule paths into the fairness gaps agree with the fairness section a run writes,
and a path the run could not read is refused before any work (it was exit 2 after training)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditor import preflight
from auditor.audit_tree import fmt_key, resolve
from auditor.config import FairnessConfig, validate_config
from auditor.errors import AuditorInputError


def _section(classes: list[str], seed: int = 0) -> dict:
    from auditor.checks.fairness import fairness_section
    from auditor.results._base import NotRun, dump

    rng = np.random.default_rng(seed)
    n, k = 600, len(classes)
    y = rng.integers(0, k, n)
    pred = np.where(rng.random(n) < 0.7, y, rng.integers(0, k, n))
    sensitive = pd.DataFrame({"sex": rng.choice(["F", "M"], n), "race": rng.choice(["a", "b"], n)})
    binary = k == 2
    section = fairness_section(
        y_true=y, y_pred=pred, y_score=rng.random(n) if binary else None, sensitive=sensitive,
        class_names=classes, positive=1 if binary else None, cfg=FairnessConfig(), seed=0,
        kinds={"sex": "sensitive", "race": "sensitive"}, source="t", features=["sex", "race"],
        stage="finetuned", split="test", mitigation=NotRun(reason="off"),
    )  # fmt: skip
    return {"fairness": dump(section)}


@pytest.mark.parametrize("classes", [["no", "yes"], ["high", "low", "mid"], ["0", "1", "2", "3"]])
def test_the_shape_is_the_sections_gaps(classes):
    audit = _section(classes)
    features = list(audit["fairness"]["features"])
    shape = preflight.fairness_shape(features, classes)
    for name, feature in audit["fairness"]["features"].items():
        known = shape.children["fairness"].children["features"].children[name]
        assert set(known.children["disparities"].children) == set(feature["disparities"])
        for group in feature["groups"]:
            assert set(known.children["groups"].each.children["metrics"].children) == set(
                group["metrics"]
            )
        for gap, methods in feature["disparities"].items():
            for method in methods:
                path = f"fairness.features.{fmt_key(name)}.disparities.{fmt_key(gap)}.{method}"
                assert resolve(audit, path + ".value")  # the run reads it, preflight passes it
                preflight._walk_shape(shape, preflight.parse_path(path), "", path)


def _config(metric: str) -> object:
    data = {"source": "table", "path": "t.csv", "target": "y", "sensitive": ["sex", "race"]}
    return validate_config({"data": data, "gates": {"rules": [{"metric": metric, "max": 0.2}]}},
                           source="a.toml")  # fmt: skip


@pytest.mark.parametrize(
    ("metric", "classes", "ok"),
    [
        ("fairness.features.sex.disparities.fnr_difference.between_groups", ["n", "y"], True),
        ("fairness.features.sex.disparities.fnr_difference.between_groups", ["a", "b", "c"], False),
        ('fairness.features.sex.disparities."fnr_difference@b".between_groups', ["a", "b", "c"],
         True),
        ('fairness.features.sex.disparities."fnr_difference@b".value', ["a", "b", "c"], False),
        ("fairness.features.sex.disparities.fnr_difference@y.between_groups", ["n", "y"], False),
        ("fairness.features.sex.disparities.accuracy_difference.to_overall", ["a", "b", "c"], True),
        ("fairness.features.*.disparities.fnr_difference", ["a", "b", "c"], False),
        ("fairness.features[kind=intersection].disparities.*.between_groups", ["a", "b", "c"],
         True),
        ("fairness.features[kind=intersection].disparities.nope", ["n", "y"], False),
        ("fairness.features.sex.disparities[fnr_difference].between_groups", ["a", "b", "c"],
         False),
        ("fairness.features.sex.groups[F].metrics.recall", ["n", "y"], True),
        ('fairness.features.sex.groups.*.metrics."recall@c"', ["a", "b", "c"], True),
        ("fairness.features.sex.groups[group=F].metrics.recall", ["a", "b", "c"], False),
        ("fairness.overall.fnr", ["a", "b", "c"], False),
        ("fairness.overall.fnr", ["n", "y"], True),
        ("fairness.features.sex.groups[F].n", ["a", "b", "c"], True),
        ("performance.finetuned.test.accuracy", ["a", "b", "c"], True),
    ],
)
def test_rule_paths_against_the_classes(metric, classes, ok):
    """Each case agrees with what the gate reads in a real section of those classes."""
    config = _config(metric)
    features = preflight.audited_features(config, ())
    audit = _section(classes) if metric.startswith("fairness") else None
    if audit is not None:
        try:
            resolve(audit, metric)
            ran_ok = True
        except ValueError:
            ran_ok = False
        assert ran_ok == ok
    if ok:
        preflight.check_rule_shapes(config.gates, features, classes, source="a.toml")
    else:
        with pytest.raises(AuditorInputError, match=r"a.toml: gates.rules\[0\].metric: unknown"):
            preflight.check_rule_shapes(config.gates, features, classes, source="a.toml")


def test_a_multiclass_tables_rule_is_refused_before_any_work(tmp_path):
    rng = np.random.default_rng(0)
    n = 600
    pd.DataFrame({"x": rng.normal(size=n), "sex": rng.choice(["F", "M"], n),
                  "race": rng.choice(["a", "b"], n), "y": rng.choice(["lo", "mid", "hi"], n)}
                 ).to_csv(tmp_path / "t.csv", index=False)  # fmt: skip
    metric = "fairness.features.sex.disparities.fnr_difference.between_groups"
    config = _config(metric).model_copy(update={"data": _config(metric).data.model_copy(
        update={"path": tmp_path / "t.csv"})})  # fmt: skip
    with pytest.raises(AuditorInputError) as err:
        preflight.check_run(config, config_file="a.toml", out=tmp_path / "out")
    assert err.value.field == "gates.rules[0].metric"
    assert "fnr_difference@hi, fnr_difference@lo, fnr_difference@mid" in str(err.value)
    # the way on (T, s15): write the class after '@', the path's key in quotes, one rule each
    said = str(err.value)
    assert said.endswith("; a target of more than two classes has one per class against the "
                         "rest: write 'fairness.features.sex.disparities.\"fnr_difference@hi\"."
                         "between_groups', a rule for each class"), said


def test_builtin_sources_are_binary():
    """check_run checks a built-in source's rules as binary (no class suffix)."""
    from auditor.config import default_config
    from auditor.data import load_bundle

    for source in ("digits", "adult"):
        bundle = load_bundle(default_config(source).data, seed=0)
        assert len(bundle.finetune_task.class_names) == 2


def test_a_checkpoints_rule_is_checked_against_the_targets_classes(tmp_path):
    # a PyTorch checkpoint's classes are the target's values (an estimator's are its own)
    rng = np.random.default_rng(1)
    for name in ("eval", "members"):
        pd.DataFrame({"x": rng.normal(size=90), "sex": rng.choice(["F", "M"], 90),
                      "y": rng.choice(["lo", "mid", "hi"], 90)}
                     ).to_csv(tmp_path / f"{name}.csv", index=False)  # fmt: skip
    (tmp_path / "model.pt").write_bytes(b"")
    (tmp_path / "f.py").write_text("def build(input_shape, n_classes):\n    return None\n")
    data = {"source": "table", "path": str(tmp_path / "eval.csv"), "target": "y",
            "members": str(tmp_path / "members.csv"), "sensitive": ["sex"]}  # fmt: skip
    model = {"kind": "checkpoint", "path": str(tmp_path / "model.pt"), "factory": "f:build"}
    for gap, ok in (("fnr_difference", False), ('"fnr_difference@mid"', True)):
        rule = {"metric": f"fairness.features.sex.disparities.{gap}.to_overall", "max": 0.2}
        config = validate_config({"data": data, "model": model, "gates": {"rules": [rule]}},
                                 source="a.toml")  # fmt: skip
        if ok:
            preflight.check_run(config, config_file=str(tmp_path / "a.toml"), out=tmp_path / "o")
            continue
        with pytest.raises(AuditorInputError, match=r"fnr_difference@hi, fnr_difference@lo"):
            preflight.check_run(config, config_file=str(tmp_path / "a.toml"), out=tmp_path / "o")


def test_a_binary_gap_in_brackets_on_a_multiclass_target_is_told_the_way_on():
    """The rule written with the gap in brackets ('disparities['fnr_difference']') fell into
    the 'no item' refusal, which named the per-class keys but not how to write one, where the
    dotted form's refusal says it; both now end with the path written per class."""
    metric = "fairness.features['sex'].disparities['fnr_difference'].between_groups"
    with pytest.raises(AuditorInputError) as err:
        preflight.check_rule_shapes(_config(metric).gates, ["sex"], ["hi", "lo", "mid"],
                                    source="a.toml")  # fmt: skip
    said = str(err.value)
    assert "no item 'fnr_difference'" in said, said
    assert said.endswith("; a target of more than two classes has one per class against the "
                         "rest: write 'fairness.features[sex].disparities.\"fnr_difference@hi\"."
                         "between_groups', a rule for each class"), said
    hint = said.split("write '")[1].split("', a rule")[0]
    preflight.check_rule_shapes(_config(hint).gates, ["sex"], ["hi", "lo", "mid"], source="a.toml")
