"""``auditor gate a/inner`` (a run nested in run a's folder) with no --out: its default out,
a/inner.gate-..., lies in run a, and was refused as "a/inner.gate-...: --out: lies in another
run's folder", an --out the user never gave. Now the run's place is named, and --out is the way
out; nothing is written in a. The run is named as given (it was shown absolute), with the field
to give, --out / out_dir (there was none: R18 #3)."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from auditor.api._result import NESTED
from auditor.cli import app
from tests.builders import folder_bytes

runner = CliRunner()


@pytest.mark.parametrize("command", ["gate", "card"])
def test_a_nested_runs_default_out_names_the_runs_place(work, command):
    """``auditor gate a/inner``, no --out: 'a/inner.gate-...: --out: lies in another run's
    folder' blamed an --out never given. The run's place is named, and --out is the way out."""
    shutil.copytree(work / "b", work / "a" / "inner")
    before = folder_bytes(work / "a")
    result = runner.invoke(app, [command, "a/inner"])
    text = result.output.strip()
    assert result.exit_code == 2 and "\n" not in text, result.output
    words = NESTED.format(folder=repr("a"), kind=command)
    assert text == f"auditor: error: a/inner: --out: {words}"  # as typed, and what to give
    assert folder_bytes(work / "a") == before
    result = runner.invoke(app, [command, "a/inner", "--out", "elsewhere"])
    assert result.exit_code in (0, 1), result.output  # 1: a gate failed, as in the run


def test_the_api_names_it_alike(work):
    from auditor.api import regate
    from auditor.errors import AuditorInputError

    shutil.copytree(work / "b", work / "a" / "inner")
    with pytest.raises(AuditorInputError) as caught:
        regate(work / "a" / "inner")
    words = NESTED.format(folder=repr("a"), kind="gate").replace("--out", "out_dir=")
    assert caught.value.message == words  # in the API's own words
    assert caught.value.source == str(work / "a" / "inner")
    assert caught.value.field == "out_dir"  # it was None (R18 #3)
    with pytest.raises(AuditorInputError) as caught:
        regate("a/inner/audit.json")
    assert (caught.value.source, caught.value.field) == ("a/inner/audit.json", "out_dir")
