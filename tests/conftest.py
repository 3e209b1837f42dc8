"""Shared fixtures: small configurations and one trained digits context per session."""

from __future__ import annotations

import pytest
import torch

from auditor.config import AuditConfig, DigitsData, FinetuneConfig, PretrainConfig

torch.set_num_threads(1)  # results must not depend on the machine's thread count


def small_digits_config(**changes) -> AuditConfig:
    """Digits with short training: seconds, still a real model on real data."""
    base = AuditConfig(
        name="digits-small",
        data=DigitsData(),
        pretrain=PretrainConfig(epochs=20, patience=4),
        finetune=FinetuneConfig(epochs=60, patience=8),
    )
    return base.model_copy(update=changes) if changes else base


@pytest.fixture(scope="session")
def digits_config() -> AuditConfig:
    return small_digits_config()


@pytest.fixture(scope="session")
def digits_context(digits_config):
    """A trained AuditContext (pretrained + fine-tuned SeedCNN on scikit-learn digits).
    Shared by every test that needs real predictions; do not mutate it."""
    from auditor.pipeline import train_stages

    return train_stages(digits_config, progress=False)
