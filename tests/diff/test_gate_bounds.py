"""A gate rule whose bound alone changed between A and B is one row naming both bounds (it
was a "fail → —" row and again an added gate, with no bound shown); counts agree in number."""

from __future__ import annotations

from dataclasses import replace

from auditor.config import AuditConfig, GatesConfig
from auditor.diff import diff_audits, render_markdown, render_text
from tests.builders import predictions_audit

ACCURACY = "performance.finetuned.test.accuracy"


def _audit(folder, bound: float, name: str | None = "accuracy floor") -> dict:
    rule = {"metric": ACCURACY, "min": bound, "name": name}
    gates = GatesConfig.model_validate({"rules": [rule]})
    return predictions_audit(folder, config=AuditConfig(name="p", gates=gates)).data


def test_a_rule_whose_bound_changed_is_one_row_with_both_bounds(tmp_path):
    a, b = _audit(tmp_path / "a", 0.99), _audit(tmp_path / "b", 0.3)
    d = diff_audits(a, b)
    moved = [c for c in d.gates if c.change != "same"]
    assert len(moved) == 1 and (moved[0].a, moved[0].b) == ("fail", "pass")
    assert moved[0].label == "accuracy floor (bound >= 0.99 → >= 0.3)"
    text = render_text(d)
    assert text.count("accuracy floor") == 1 and ">= 0.99 → >= 0.3" in text
    assert "Gates added" not in text
    markdown = render_markdown(d)
    assert markdown.count("accuracy floor") == 1 and "Gates that changed (1)" in markdown


def test_one_gate_and_one_metric_are_counted_in_the_singular(tmp_path):
    a = _audit(tmp_path / "a", 0.3)
    d = diff_audits(a, a)
    one = replace(d, gates=d.gates[:1], metrics=d.metrics[:1])
    markdown = render_markdown(one)
    assert "(1 gate)" in markdown and "1 gates" not in markdown
    assert "<summary>1 unchanged metric</summary>" in markdown
    gates_only = replace(diff_audits(a, _audit(tmp_path / "b", 0.99)), metrics=[],
                         checklist=[], provenance=[])  # fmt: skip
    assert "\n1 change\n" in render_text(gates_only)


def test_a_gate_whose_name_alone_changed_is_one_row_renamed(tmp_path):
    """The same rule path, bound and mode under a new name: one "renamed" row naming both
    (it was counted unchanged and shown under the new name alone); a new bound as well is
    not identified as a rename."""
    a, b = _audit(tmp_path / "a", 0.3), _audit(tmp_path / "b", 0.3, name="test accuracy floor")
    d = diff_audits(a, b)
    [row] = [c for c in d.gates if c.change != "same"]
    assert (row.change, row.a, row.b) == ("renamed", "pass", "pass")
    assert row.label == "test accuracy floor (renamed from accuracy floor)"
    assert "test accuracy floor (renamed from accuracy floor)" in render_text(d)
    assert "renamed from accuracy floor" in render_markdown(d)
    moved = diff_audits(a, _audit(tmp_path / "c", 0.99, name="test accuracy floor"))
    assert [c.change for c in moved.gates if c.change != "same"] == ["removed", "added"]


def test_a_rule_without_a_name_whose_bound_changed_is_one_row(tmp_path):
    """A rule without its own name is named with its bound ("test accuracy >= 0.99"): its
    name changes with the bound, and it was a removed gate beside an added one."""
    a, b = _audit(tmp_path / "a", 0.99, name=None), _audit(tmp_path / "b", 0.3, name=None)
    d = diff_audits(a, b)
    moved = [c for c in d.gates if c.change != "same"]
    assert [(c.change, c.a, c.b) for c in moved] == [("bound changed", "fail", "pass")]
    assert moved[0].label == "fine-tuned test accuracy (bound >= 0.99 → >= 0.3)"
    text = render_text(d)
    assert "Gates added" not in text and "fine-tuned test accuracy (bound" in text
    named = diff_audits(a, _audit(tmp_path / "c", 0.3))  # a name given as well: not one rule
    assert [c.change for c in named.gates if c.change != "same"] == ["removed", "added"]
