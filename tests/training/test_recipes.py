"""``[training] recipe``: "plain" trains the whole model once on the training split (no
pretraining, nothing frozen, the pretrain rows joined to the training split)."""

from __future__ import annotations

import pytest

from auditor.config import TrainingConfig, validate_config
from auditor.errors import AuditorInputError
from auditor.training.recipes import ALL_LAYERS, effective_config
from tests.builders import small_digits_config


def test_default_recipe_changes_nothing():
    config = small_digits_config()
    assert effective_config(config) is config


def test_plain_recipe_means_no_pretraining_and_every_layer_trained():
    config = small_digits_config(training=TrainingConfig(recipe="plain"))
    plain = effective_config(config)
    assert plain.pretrain.objective == "none"
    assert plain.finetune.unfreeze_last == ALL_LAYERS
    before, after = config.data.splits, plain.data.splits
    assert after.pretrain == 0
    assert after.finetune_train == pytest.approx(before.finetune_train + before.pretrain)
    assert (after.holdout, after.val, after.test) == (before.holdout, before.val, before.test)


def test_unknown_recipe_is_refused_naming_the_key():
    with pytest.raises(AuditorInputError) as info:
        validate_config({"training": {"recipe": "finetune-only"}}, source="a.toml")
    assert info.value.field == "training.recipe"


def test_plain_training_trains_the_whole_model():
    from auditor.models import count_parameters
    from auditor.training import train_stages

    config = effective_config(small_digits_config(training=TrainingConfig(recipe="plain")))
    config = config.model_copy(
        update={"finetune": config.finetune.model_copy(update={"epochs": 3})}
    )
    stages = train_stages(config, progress=False)
    assert stages.pretrain_record.epochs_run == 0 and len(stages.bundle["pretrain"]) == 0
    assert stages.finetune_record.trainable_parameters == count_parameters(stages.finetuned)
    assert stages.finetune_record.frozen == "nothing (every layer trains)"


def _table_config(tmp_path, recipe: str):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 1000
    frame = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n),
                          "sex": rng.choice(["F", "M"], n)})  # fmt: skip
    frame["y"] = (frame.x1 + rng.normal(scale=0.5, size=n) > 0).astype(int)
    frame.to_csv(tmp_path / "t.csv", index=False)
    raw = {"data": {"source": "table", "path": str(tmp_path / "t.csv"), "target": "y",
                    "sensitive": ["sex"]}, "training": {"recipe": recipe}}  # fmt: skip
    return validate_config(raw, source="a.toml")


def test_plain_recipe_on_a_table_trains_on_its_pretrain_rows_too(tmp_path):
    # a table's members and non-members are trimmed to one size: the pretrain rows folded into
    # finetune_train alone were trimmed away again (1,500 rows: 299 trained on, not 675)
    from auditor.data import load_bundle

    config = _table_config(tmp_path, "plain")
    before, after = config.data.splits, effective_config(config).data.splits
    shared = (before.pretrain + before.finetune_train + before.holdout) / 2
    assert after.pretrain == 0
    assert after.finetune_train == pytest.approx(shared)
    assert after.holdout == pytest.approx(shared)
    assert (after.val, after.test) == (before.val, before.test)
    from auditor.preflight import used_splits  # what preflight checks the sizes of

    assert used_splits(config) == pytest.approx({k: v for k, v in after.model_dump().items()
                                                 if k != "pretrain"})  # fmt: skip
    plain = load_bundle(effective_config(config).data, seed=0)
    default = load_bundle(config.data, seed=0)
    assert len(plain["finetune_train"]) == len(plain["holdout"])
    # every row the default recipe used for training (pretrain + members) trains here
    used = len(default["pretrain"]) + len(default["finetune_train"]) + len(default["holdout"])
    assert len(plain["finetune_train"]) + len(plain["holdout"]) >= used - 2
