"""AuditResult.write(folder) for a result read from a run: ``AuditResult.load(A).write(B)``
(and ``.gate(...).write(B)``) replaced run B whole with A's audit, silently. Now, as
``auditor gate A --out B`` is, it is one AuditorInputError naming B and nothing of B changes;
it never writes into A itself; an earlier write of the same run is replaced, and a fresh
audit's result still replaces its own earlier folder (docs: ``strict.write(...)`` run twice)."""

from __future__ import annotations

import pytest

from auditor.api import AuditResult, regate
from auditor.errors import AuditorInputError
from tests.builders import folder_bytes


@pytest.mark.parametrize(
    "written",
    [
        lambda a: AuditResult.load(a),
        lambda a: AuditResult.load(a / "audit.json").gate(fail_on="warning"),
        lambda a: regate(a, out_dir=a.parent / "regated"),
    ],
    ids=["load", "gate", "regate"],
)
def test_a_result_read_from_a_run_never_replaces_another_run(runs, written):
    first, second = runs
    before = folder_bytes(second)
    with pytest.raises(AuditorInputError, match="another run's audit.json") as caught:
        written(first).write(second)
    assert caught.value.source == str(second) and caught.value.field == "folder"
    assert folder_bytes(second) == before


def test_nor_its_own_run(runs):
    first, _ = runs
    before = folder_bytes(first)
    gated = AuditResult.load(first).gate(fail_on="warning")
    for folder in (first, first / "inside"):
        with pytest.raises(AuditorInputError, match="is the run or inside it"):
            gated.write(folder)
    assert folder_bytes(first) == before


def test_an_earlier_write_of_the_same_run_and_a_fresh_result_are_replaced(runs, tmp_path):
    first, _ = runs
    copy = AuditResult.load(first).write(tmp_path / "copy")
    again = copy.gate(fail_on="warning").write(tmp_path / "copy")
    assert AuditResult.load(tmp_path / "copy").data["gates"] == again.data["gates"]
    fresh = AuditResult(data=again.data)  # as an audit returns it: read from no run
    fresh.write(tmp_path / "fresh")
    assert fresh.gate().write(tmp_path / "fresh").run_dir == tmp_path / "fresh"
