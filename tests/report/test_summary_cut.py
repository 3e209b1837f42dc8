"""summary.md over 1 MiB even with every folded part left out (thousands of failing or
warning gates): it was cut at a byte, mid-row and mid-<details>, and ended '_(truncated)_'
without the footer; it is now cut between lines, its <details> closed, saying how many
gates were left out and where every gate is."""

from __future__ import annotations

import re

import pytest

from auditor.config import GateRule, GatesConfig
from auditor.gates import evaluate_gates
from auditor.report.summary import MAX_BYTES, render_summary
from tests.gates.builders import make_audit


def _audit(n_groups: int, severity: str):
    audit = make_audit()
    audit["tool"], audit["run"]["seed"] = {"version": "0.1.0"}, 0
    groups = [
        {"group": f"g{i}" + "x" * 60, "n": 100, "status": "ok",
         "metrics": {"tpr": {"value": 0.01, "ci_low": 0.0, "ci_high": 0.02, "n": 100}}}
        for i in range(n_groups)
    ]  # fmt: skip
    audit["fairness"]["features"]["sex"]["groups"] = groups
    rule = GateRule(
        metric="fairness.features.sex.groups[*].metrics.tpr", min=0.5, severity=severity
    )
    audit["gates"] = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=[rule]))
    return audit


@pytest.mark.parametrize("severity", ["error", "warning"])
def test_a_summary_cut_to_fit_keeps_whole_rows_closed_details_and_its_footer(severity):
    audit = _audit(12000, severity)
    text = render_summary(audit)
    assert len(text.encode("utf-8")) <= MAX_BYTES
    lines = text.splitlines()
    rows = [line for line in lines if line.startswith("| ")]
    assert rows and all(line.endswith(" |") for line in rows)  # no row cut in the middle
    assert text.count("<details>") == text.count("</details>")
    shown = sum(line.startswith(("| ❌", "| ⚠️")) for line in lines)
    [note] = [line for line in lines if "to keep this summary under 1 MiB" in line]
    left = int(re.search(r"(\d[\d,]*) gates? left out", note).group(1).replace(",", ""))
    assert shown + left == 12000 and left > 0
    assert "junit.xml" in note and "audit.json" in note
    assert lines[-1].startswith("<sub>auditor ")  # the footer: where the card is
    assert "(truncated)" not in text
