"""Shared fixtures: small configurations and one trained digits context per session.
Builders that tests import directly live in :mod:`tests.builders`."""

from __future__ import annotations

import pytest
import torch

from auditor.config import AuditConfig
from tests.builders import small_digits_config

torch.set_num_threads(1)  # results must not depend on the machine's thread count

__all__ = ["small_digits_config"]


@pytest.fixture(scope="session")
def digits_config() -> AuditConfig:
    return small_digits_config()


@pytest.fixture(scope="session")
def digits_context(digits_config: AuditConfig):
    """A trained AuditContext (pretrained + fine-tuned SeedCNN on scikit-learn digits).
    Shared by every test that needs real predictions; do not mutate it."""
    from auditor.api import trained_context

    return trained_context(digits_config, progress=False)


@pytest.fixture
def home(tmp_path, monkeypatch):
    """HOME set to tmp_path/home and the working folder tmp_path/work (both made empty), for
    the tests of a leading '~'; returns the home folder."""
    (tmp_path / "home").mkdir()
    (tmp_path / "work").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path / "work")
    return tmp_path / "home"
