"""The read-back of a run (read_audit and its checks) was squeezed into run_folder.py, at the
400-line limit, as a `# fmt: skip` loop, its why-comment dropped (R1 #6). It is its own module,
auditor.record.read_back; every name a reader imported from run_folder is the same object."""

from __future__ import annotations

import pytest

NAMES = ["read_audit", "load_audit", "audit_file", "NOT_A_FILE", "NOT_AN_OBJECT", "WRONG_SCHEMA"]


@pytest.mark.parametrize("name", NAMES)
def test_the_read_back_is_one_object_from_either_module(name):
    from auditor import run_folder
    from auditor.record import read_back

    assert getattr(run_folder, name) is getattr(read_back, name)
