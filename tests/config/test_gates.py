"""GatesConfig: the gates' settings as the config file, the API and the CLI give them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from auditor.config.gates import GatesConfig


def test_fail_on_is_read_in_any_case_in_one_place():
    # only the CLI folded case (typer's choices); gates.fail_on = "WARNING" was refused
    assert GatesConfig(fail_on="WARNING").fail_on == "warning"
    assert GatesConfig.model_validate({"fail_on": "Failure"}).fail_on == "failure"
    with pytest.raises(ValidationError, match="'failure' or 'warning'"):
        GatesConfig(fail_on="WARN")
