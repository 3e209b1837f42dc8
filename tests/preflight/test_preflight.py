"""preflight: what it knows without loading anything agrees with what a run produces."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditor import preflight
from auditor.commands.init import EXAMPLE
from auditor.config import AuditConfig, TableData, validate_config
from auditor.data import SPLIT_NAMES, split_indices
from auditor.errors import AuditorInputError


@pytest.mark.parametrize("source", ["digits", "adult"])
def test_source_features_are_the_loaded_bundles(source):
    from auditor.config import default_config
    from auditor.data import load_bundle

    bundle = load_bundle(default_config(source).data, seed=0)
    assert tuple(bundle.sensitive_features) == preflight.SOURCE_FEATURES[source]
    assert len(bundle.sensitive_features) and preflight.SOURCE_ROWS[source] >= sum(
        len(bundle[name].y) for name in SPLIT_NAMES
    )


@pytest.mark.parametrize("seed", range(6))
def test_split_sizes_are_the_drawn_ones(seed):
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 60, size=rng.integers(2, 5)).tolist()
    strata = np.repeat(np.arange(len(counts)), counts)
    raw = rng.dirichlet(np.ones(len(SPLIT_NAMES))) * 0.95
    fractions = dict(zip(SPLIT_NAMES, np.maximum(raw, 0.01).round(3).tolist(), strict=True))
    drawn = split_indices(strata, fractions, seed=seed)
    for split, fraction in fractions.items():
        n = len(drawn[split])
        if n >= preflight.MIN_SPLIT_ROWS:
            preflight.check_split_sizes({split: fraction}, counts, source="t.csv")
        else:
            rows = "1 row" if n == 1 else f"{n} rows"
            with pytest.raises(AuditorInputError, match=f"would hold {rows} of"):
                preflight.check_split_sizes({split: fraction}, counts, source="t.csv")


def _table(**changes: object) -> AuditConfig:
    data = TableData(path="t.csv", target="y", sensitive=["sex", "race"])
    return AuditConfig(data=data).model_copy(update=changes)


def test_feature_names_are_the_fairness_sections_keys():
    assert preflight.audited_features(_table(), ()) == ["sex", "race", "sex & race"]
    none = _table().model_copy(update={"fairness": _table().fairness.model_copy(
        update={"intersections": "none"})})  # fmt: skip
    assert preflight.audited_features(none, ()) == ["sex", "race"]


@pytest.mark.parametrize(
    ("metric", "ok"),
    [
        ("fairness.features.sex.disparities.x.between_groups", True),
        ('fairness.features."sex & race".disparities.x.between_groups', True),
        ("fairness.features[kind=intersection].disparities.x.between_groups", True),
        ("fairness.features.*.groups[F].metrics.recall", True),
        ("fairness.features[race].disparities.x.between_groups", True),
        ("fairness.features.ink_density.disparities.x.between_groups", False),
        ("fairness.features[age].disparities.x.between_groups", False),
        ('fairness.features."race & sex".disparities.x', False),
    ],
)
def test_rule_features_against_the_config(metric, ok):
    config = validate_config(
        {"data": _table().data.model_dump(mode="json"),
         "gates": {"rules": [{"metric": metric, "max": 0.1}]}}, source="a.toml",
    )  # fmt: skip
    features = preflight.audited_features(config, ())
    if ok:
        preflight.check_rule_features(config.gates, features, source="a.toml")
    else:
        with pytest.raises(AuditorInputError, match=r"a.toml: gates.rules\[0\].metric"):
            preflight.check_rule_features(config.gates, features, source="a.toml")


def test_init_example_fits_a_table_config(tmp_path):
    """The example's own rule reads every feature, so switching to a table keeps it valid."""
    path = tmp_path / "auditor.toml"
    path.write_text(EXAMPLE)
    from auditor.config import load_config

    example = load_config(path)
    for config in (example, example.model_copy(update={"data": _table().data})):
        available = preflight.SOURCE_FEATURES.get(config.data.source, ())
        features = preflight.audited_features(config, available)
        preflight.check_rule_features(config.gates, features, source=str(path))
    assert example.gates.rules and "ink_density" not in EXAMPLE


def test_used_splits_follow_the_recipe():
    base = AuditConfig()
    assert preflight.used_splits(base) == base.data.splits.model_dump()
    plain = validate_config({"training": {"recipe": "plain"}}, source="a.toml")
    folded = preflight.used_splits(plain)
    splits = plain.data.splits
    assert "pretrain" not in folded
    assert folded["finetune_train"] == splits.finetune_train + splits.pretrain
    from auditor.training.recipes import effective_config  # the recipe's own folding

    drawn = effective_config(plain).data.splits.model_dump()
    assert drawn.pop("pretrain") == 0 and drawn == folded
    scratch = validate_config({"pretrain": {"objective": "none"}}, source="a.toml")
    assert "pretrain" not in preflight.used_splits(scratch)


def test_a_class_with_a_handful_of_test_rows_is_refused(tmp_path):
    # 5 'yes' rows in 1,200: the test split held 1, and accuracy 0.997 (never predicting
    # 'yes') passed the gates
    rng = np.random.default_rng(0)
    n = 1200
    label = np.array(["no"] * n, dtype=object)
    label[:5] = "yes"
    path = tmp_path / "t.csv"
    pd.DataFrame({"x": rng.normal(size=n), "g": rng.choice(["a", "b"], n), "y": label}).to_csv(
        path, index=False
    )
    data = TableData(path=path, target="y", sensitive=["g"])
    config = AuditConfig(data=data)
    with pytest.raises(AuditorInputError) as err:
        preflight.check_table_counts(data, "none", fractions=preflight.used_splits(config))
    assert err.value.field == "data.target"
    assert "class 'yes' would have 1 row in the test split (5 in the table)" in str(err.value)
    label[:40] = "yes"  # 10 in the test split
    pd.DataFrame({"x": rng.normal(size=n), "g": rng.choice(["a", "b"], n), "y": label}).to_csv(
        path, index=False
    )
    preflight.check_table_counts(data, "none", fractions=preflight.used_splits(config))


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list:
    from auditor.data import table

    parses: list = []
    real = table._parse_frame
    monkeypatch.setattr(table, "_parse_frame", lambda p, *a: parses.append(p.name) or real(p, *a))
    return parses


def test_a_table_run_parses_its_table_once(tmp_path, monkeypatch):
    # preflight's validation, its group and split counts, and the loader read one parse
    from auditor.data import load_bundle

    rng = np.random.default_rng(0)
    n = 600
    pd.DataFrame({"x": rng.normal(size=n), "sex": rng.choice(["F", "M"], n),
                  "race": rng.choice(["a", "b"], n), "y": rng.choice(["no", "yes"], n)}
                 ).to_csv(tmp_path / "t.csv", index=False)  # fmt: skip
    config = AuditConfig(data=TableData(path=tmp_path / "t.csv", target="y",
                                        sensitive=["sex", "race"]))  # fmt: skip
    parses = _count_parses(monkeypatch)
    preflight.check_run(config, config_file=None, out=tmp_path / "out")
    bundle = load_bundle(config.data, seed=0)
    assert parses == ["t.csv"] and len(bundle["test"].y) >= n // 4 - 2  # test = 0.25


def test_a_supplied_models_files_are_parsed_once(tmp_path, monkeypatch):
    # the evaluation rows, members and non-members: preflight's read is the loader's
    from auditor.data.supplied import supplied_rows

    rng = np.random.default_rng(0)
    for name in ("rows.csv", "members.csv", "others.csv"):
        pd.DataFrame({"x": rng.normal(size=100), "sex": rng.choice(["F", "M"], 100),
                      "race": rng.choice(["a", "b"], 100), "y": rng.choice(["no", "yes"], 100)}
                     ).to_csv(tmp_path / name, index=False)  # fmt: skip
    (tmp_path / "model.skops").write_bytes(b"")
    config = validate_config({
        "data": {"source": "table", "path": str(tmp_path / "rows.csv"), "target": "y",
                 "sensitive": ["sex", "race"], "members": str(tmp_path / "members.csv"),
                 "non_members": str(tmp_path / "others.csv")},
        "model": {"kind": "sklearn", "path": str(tmp_path / "model.skops")},
    }, source="a.toml")  # fmt: skip
    parses = _count_parses(monkeypatch)
    preflight.check_run(config, config_file=None, out=tmp_path / "out")
    rows = supplied_rows(config.data)
    assert sorted(parses) == ["members.csv", "others.csv", "rows.csv"]
    assert [len(rows.bundle[s].y) for s in ("test", "finetune_train", "holdout")] == [100] * 3


def test_preflight_groups_each_supplied_file_once(tmp_path, monkeypatch):
    # the evaluation rows' groups were made twice: by validation, then again for the counts
    from auditor.data import supplied, table

    rng = np.random.default_rng(0)
    for name in ("rows.csv", "members.csv"):
        pd.DataFrame({"x": rng.normal(size=100), "sex": rng.choice(["F", "M"], 100),
                      "y": rng.choice(["no", "yes"], 100)}).to_csv(tmp_path / name, index=False)
    (tmp_path / "model.skops").write_bytes(b"")
    config = validate_config({
        "data": {"source": "table", "path": str(tmp_path / "rows.csv"), "target": "y",
                 "sensitive": ["sex"], "members": str(tmp_path / "members.csv")},
        "model": {"kind": "sklearn", "path": str(tmp_path / "model.skops")},
    }, source="a.toml")  # fmt: skip
    calls: list = []
    real = table.sensitive_groups
    for module in (supplied, table):
        monkeypatch.setattr(module, "sensitive_groups",
                            lambda f, *a, **k: calls.append(len(f)) or real(f, *a, **k))
    preflight.check_run(config, config_file=None, out=tmp_path / "out")
    assert calls == [100, 100]  # the evaluation rows, the members


def test_a_supplied_model_needs_a_table():
    # preflight's data checks rest on this: a supplied model's data is always a table
    with pytest.raises(ValueError, match="table"):
        AuditConfig(data={"source": "digits"}, model={"kind": "sklearn", "path": "m.skops"})


@pytest.mark.parametrize(
    ("sensitive", "intersections", "field"),
    [(None, [["sex", "relig"]], "fairness.intersections"),
     (["sex", "relig"], [["sex", "race"]], "fairness.sensitive"),
     (["sex", "zz"], [["sex", "aa"]], "fairness.sensitive")],  # fmt: skip
)
def test_an_unknown_feature_is_reported_under_the_key_that_names_it(sensitive, intersections,
                                                                    field):
    """A feature named only in fairness.intersections was reported under fairness.sensitive."""
    from auditor.config import default_config

    cfg = default_config("adult")
    fairness = cfg.fairness.model_copy(update={"sensitive": sensitive,
                                               "intersections": intersections})  # fmt: skip
    with pytest.raises(AuditorInputError) as err:
        preflight.audited_features(cfg.model_copy(update={"fairness": fairness}),
                                   ("sex", "race", "age_band"), source="a.toml")  # fmt: skip
    assert str(err.value).startswith(f"a.toml: {field}: unknown sensitive feature")


def test_a_tiny_table_is_refused_once_saying_every_short_split_and_class(tmp_path):
    """A 60-row table was refused one split at a time (finetune_train, then val, then pretrain,
    then a class in the test split), the config edited after each (T, s15): every short split
    and class is said at once, with the fewest rows these fractions need."""
    rng = np.random.default_rng(0)
    n = 45
    label = np.where(np.arange(n) < 8, "yes", "no")  # 8 'yes': 2 in the test split
    path = tmp_path / "t.csv"
    pd.DataFrame({"x": rng.normal(size=n), "g": rng.choice(["a", "b"], n), "y": label}).to_csv(
        path, index=False
    )
    data = TableData(path=path, target="y", sensitive=["g"])
    fractions = preflight.used_splits(AuditConfig(data=data))
    with pytest.raises(AuditorInputError) as err:
        preflight.check_table_counts(data, "none", fractions=fractions)
    said = str(err.value)
    assert err.value.field == "data.splits" and "\n" not in said
    for split in ("finetune_train", "holdout", "val"):  # 0.20 / 0.20 / 0.10 of 45 rows
        assert f"{split!r}" in said
    assert "would hold 8 rows, 'holdout' 8, 'val' 3;" in said and "'test'" not in said
    assert "class 'yes' would have 2 rows in the test split (8 in the table)" in said
    # 110 rows gave val floor(9.0) + floor(1.9) = 10, and then class 'yes' 4 in the test split
    assert "about 113 rows in these classes" in said  # 'yes': floor(0.25 * 20) = 5


def test_used_splits_of_a_plain_table_loads_no_torch():
    # the plain recipe's folding, shared with training.recipes through auditor.config (it was
    # written twice): importing the training package instead loads torch, 3 s before a size error
    import subprocess
    import sys

    code = ("import sys; from auditor.config import validate_config; "
            "from auditor.preflight import used_splits; c = validate_config({'data': {'source': "
            "'table', 'path': 't.csv', 'target': 'y', 'sensitive': ['s']}, 'training': "
            "{'recipe': 'plain'}}, source='a.toml'); f = used_splits(c); "
            "print(round(f['finetune_train'], 6), round(f['holdout'], 6), 'torch' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[-1] == "False"


def _dp(delta: float | None = None) -> dict:
    return {"dp": {"target_epsilon": 3.0, **({} if delta is None else {"target_delta": delta})}}


@pytest.mark.parametrize("delta", [0.9, 1 / 366])
def test_a_dp_delta_not_below_one_over_n_is_refused_before_any_work(tmp_path, delta):
    # target_delta = 0.9 was accepted: the card said "accountant ε 3.00 (δ 0.9)", a claim
    # that allows a whole training record to leak. digits fine-tunes on 266 rows, its canary
    # model on up to 366.
    config = AuditConfig(privacy=_dp(delta))
    with pytest.raises(AuditorInputError) as err:
        preflight.check_run(config, config_file="dp.toml", out=tmp_path / "run")
    assert (err.value.source, err.value.field) == ("dp.toml", "privacy.dp.target_delta")
    assert f"{delta:g} is not below 1/n = 0.00273, where n = 366 is the most rows" in str(
        err.value
    )
    assert str(err.value).endswith("write a smaller target_delta (e.g. 1e-05)")
    preflight.check_run(AuditConfig(privacy=_dp(0.99 / 366)), config_file="dp.toml",
                        out=tmp_path / "run")  # fmt: skip
    assert not (tmp_path / "run").exists()


def test_canaries_the_test_split_cannot_supply_do_not_set_n(tmp_path):
    # 1,000 canaries on digits are 500 mislabelled test rows, of 445: the canary probe does not
    # run (make_canaries refuses), yet n counted them and a delta of 1/800 was refused for a
    # model that never trains, where the same config without DP runs.
    config = AuditConfig(privacy={"n_canaries": 1000, **_dp(1 / 800)})
    preflight.check_run(config, config_file="dp.toml", out=tmp_path / "run")
    drawable = AuditConfig(privacy={"n_canaries": 890, **_dp(1 / 800)})  # 445 mislabelled
    with pytest.raises(AuditorInputError, match="where n = 1,156 is the most rows"):
        preflight.check_run(drawable, config_file="dp.toml", out=tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_a_tables_dp_delta_is_checked_against_its_finetune_rows(tmp_path):
    rng = np.random.default_rng(0)
    n = 1000  # 150 fine-tuning rows at the table's default fractions
    path = tmp_path / "t.csv"
    pd.DataFrame({"x": rng.normal(size=n), "g": rng.choice(["a", "b"], n),
                  "y": rng.choice(["no", "yes"], n)}).to_csv(path, index=False)  # fmt: skip
    data = TableData(path=path, target="y", sensitive=["g"])
    fractions = preflight.used_splits(AuditConfig(data=data))
    with pytest.raises(AuditorInputError) as err:
        preflight.check_table_counts(data, "none", fractions=fractions, config_file="t.toml",
                                     privacy=AuditConfig(privacy=_dp(0.01)).privacy)  # fmt: skip
    assert (err.value.source, err.value.field) == ("t.toml", "privacy.dp.target_delta")
    assert "0.01 is not below 1/n = 0.00" in str(err.value)
    preflight.check_table_counts(data, "none", fractions=fractions,
                                 privacy=AuditConfig(privacy=_dp(1e-3)).privacy)  # fmt: skip


def test_a_delta_not_written_is_never_refused_and_a_written_one_is():
    # The default 1e-05 was refused at 100,000 fine-tuning rows: a refusal of auditor's own
    # choice; a delta the config does not write is chosen below 1/n (resolved_dp) instead.
    from auditor.config.privacy import PrivacyConfig

    fractions = {"finetune_train": 0.5, "holdout": 0.5}
    unwritten = PrivacyConfig(probes=["lira"], **_dp())
    preflight.check_dp_rows(unwritten, fractions, [10**6, 10**6], scenario="digits",
                            source="a.toml")  # fmt: skip
    with pytest.raises(AuditorInputError) as err:
        preflight.check_dp_rows(PrivacyConfig(probes=["lira"], **_dp(1e-5)), fractions,
                                [10**6, 10**6], scenario="digits", source="a.toml")  # fmt: skip
    assert str(err.value) == (
        "a.toml: privacy.dp.target_delta: 1e-05 is not below 1/n = 1e-06, where n = 1,000,000 "
        "is the most rows a DP-SGD training of this run takes (the model's, on "
        "data.splits.finetune_train); at a delta of 1/n or more a whole training record may "
        "leak, so target_epsilon would claim nothing; write a smaller target_delta (e.g. 1e-07)"
    )
    preflight.check_dp_rows(PrivacyConfig(), fractions, [10**9], scenario="digits",
                            source="a.toml")  # fmt: skip


UNEQUAL = {"pretrain": 0.3, "finetune_train": 0.3, "holdout": 0.1, "val": 0.1, "test": 0.2}
# 2 classes of 100 rows: finetune_train and holdout both draw 60 (the fractions differ)
FLOORS_EQUAL = {"pretrain": 0.2, "finetune_train": 0.305, "holdout": 0.30, "val": 0.1,
                "test": 0.095}  # fmt: skip


def _dp_scenario(tmp_path, scenario: str, recipe: str, objective: str) -> AuditConfig:
    data: dict = {"source": scenario}
    if scenario.startswith("table"):
        rng = np.random.default_rng(0)
        path = tmp_path / "t.csv"
        y = rng.permutation(["no", "yes"] * 100) if scenario == "table 200" else None
        n = 200 if y is not None else 1000
        pd.DataFrame({"x": rng.normal(size=n), "g": rng.choice(["a", "b"], n),
                      "y": y if y is not None else rng.choice(["no", "yes"], n)}
                     ).to_csv(path, index=False)  # fmt: skip
        data.update(source="table", path=path, target="y", sensitive=["g"],
                    splits=FLOORS_EQUAL if y is not None else UNEQUAL)  # fmt: skip
    elif scenario == "adult":
        data.update(splits=UNEQUAL)
    elif scenario == "mnist":
        data.update(max_rows=1200, splits=UNEQUAL)
    return AuditConfig(data=data, training={"recipe": recipe}, pretrain={"objective": objective})


@pytest.mark.parametrize("probes", [["lira"], None])  # the members or a reference half; canaries
@pytest.mark.parametrize(("scenario", "recipe", "objective"), [
    ("table", "pretrain-finetune", "supervised"), ("table", "plain", "supervised"),
    ("table", "pretrain-finetune", "none"), ("adult", "pretrain-finetune", "supervised"),
    ("digits", "pretrain-finetune", "supervised"), ("digits", "plain", "supervised"),
    ("mnist", "pretrain-finetune", "supervised"), ("table 200", "pretrain-finetune", "none"),
])  # fmt: skip
def test_preflight_and_the_run_refuse_a_delta_by_one_rule(tmp_path, scenario, recipe, objective,
                                                          probes):
    # A table's members are cut to the holdout's count (equal_membership): with 1,000 rows at
    # .3/.3/.1/.1/.2 the run fine-tunes on 99 rows, and preflight counted 299. Then the run
    # told the split that set n from the fractions, preflight from the counts: at 60 and 60
    # drawn (FLOORS_EQUAL) the run blamed the holdout, cutting nothing. And n was the
    # members' alone, where the canary model trains on them and up to 100 canaries.
    from auditor.config.privacy import NOISE_CANARY_SOURCES
    from auditor.data import load_bundle
    from auditor.training.dp import delta_config
    from auditor.training.recipes import effective_config

    config = _dp_scenario(tmp_path, scenario, recipe, objective)
    run = effective_config(config)
    bundle = load_bundle(run.data, seed=run.seed)
    members, holdout = len(bundle["finetune_train"].x), len(bundle["holdout"].x)
    # the canary model trains where the test rows hold its 100 (an image's 50) mislabelled
    # canaries: "table 200" draws 18 test rows
    drawn = len(bundle["test"].x) >= (50 if bundle.modality == "image" else 100)
    assert (bundle.modality == "image") == (run.data.source in NOISE_CANARY_SOURCES)
    n = max(members, (members + holdout + 1) // 2, members + 100 if probes is None and drawn else 0)

    def privacy(delta: float) -> dict:
        return {"privacy": AuditConfig(privacy={**_dp(delta), **({"probes": probes} if probes
                                                                else {})}).privacy}  # fmt: skip

    with pytest.raises(AuditorInputError) as err:
        preflight.check_run(config.model_copy(update=privacy(1.0001 / n)), config_file="dp.toml",
                            out=tmp_path / "run")  # fmt: skip
    with pytest.raises(AuditorInputError) as run_err:
        delta_config(run.model_copy(update=privacy(1.0001 / n)), bundle)
    assert str(err.value) == f"dp.toml: {run_err.value}"
    assert f"where n = {n:,} is the most rows a DP-SGD training of this run takes" in str(
        err.value
    )
    cut = scenario in ("table", "adult") and recipe == "pretrain-finetune"  # holdout .1 < .3
    said = "cut to as many rows as data.splits.holdout holds" in str(err.value)
    assert said == (cut and n == members)  # the model's rows set n (a canary model's: its count)
    preflight.check_run(config.model_copy(update=privacy(0.99 / n)), config_file="dp.toml",
                        out=tmp_path / "run")  # fmt: skip
    delta_config(run.model_copy(update=privacy(0.99 / n)), bundle)
