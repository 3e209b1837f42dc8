"""The error every refusal of the Python API raises is reachable where the API is:
``auditor.AuditorInputError`` (the docs name it bare; it was an AttributeError there, so a
notebook's ``except auditor.AuditorInputError`` crashed inside its own handler)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sklearn.linear_model import LogisticRegression

import auditor
from auditor.errors import AuditorInputError


def test_auditor_input_error_is_the_packages_name():
    assert auditor.AuditorInputError is AuditorInputError
    assert "AuditorInputError" in dir(auditor)
    with pytest.raises(auditor.AuditorInputError, match="got the class LogisticRegression"):
        auditor.audit_model(LogisticRegression, data="x.csv", target="y", sensitive=["g"])


def test_the_name_keeps_import_auditor_light():
    code = ("import sys, auditor; auditor.AuditorInputError; "
            "print(any(m in sys.modules for m in ('torch', 'pydantic', 'pandas')))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
