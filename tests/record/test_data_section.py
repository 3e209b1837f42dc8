"""The data section's rows per class read back (:mod:`auditor.record.data_section`): a
class of -1 rows, or classes that hold more rows than their split, were shown by the card;
each is refused: exit 2, one line naming the file and the field, nothing written."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from auditor.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def trained_audit(tmp_path_factory):
    base = tmp_path_factory.mktemp("trained")
    (base / "a.toml").write_text(
        'name = "splits"\n[pretrain]\nepochs = 3\n[finetune]\nepochs = 5\n')
    args = ["run", str(base / "a.toml"), "--out", str(base / "run"), "--quiet", "--exit-zero"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return base / "run" / "audit.json"


@pytest.mark.parametrize(("at", "value", "field", "words"), [
    (0, -1, "test/class_balance/", "-1 is not a count between 0 and n"),
    (1, "+5", "test/class_balance", "the classes hold"),
])  # fmt: skip
def test_a_splits_class_counts_apart_from_its_rows_are_refused(trained_audit, tmp_path, at,
                                                                value, field, words):
    """A split's rows per class (data/splits/<split>/class_balance) were shown by the card
    whatever they were: a class of -1 rows, or classes that hold more rows than the split."""
    audit = json.loads(trained_audit.read_text())
    classes = audit["data"]["splits"]["test"]["class_balance"]
    key = list(classes)[at]
    classes[key] = classes[key] + 5 if value == "+5" else value
    edited = tmp_path / "edited" / "audit.json"
    edited.parent.mkdir()
    edited.write_text(json.dumps(audit))
    for args in (["card", str(edited)], ["diff", str(edited), str(trained_audit)]):
        out = tmp_path / f"out-{args[0]}"
        result = runner.invoke(app, [*args, "--out", str(out)])
        assert result.exit_code == 2, result.output
        line = result.output.strip()
        assert "\n" not in line and f"{field}" in line and words in line, line
        assert str(edited) in line and not out.exists()
