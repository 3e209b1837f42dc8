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
