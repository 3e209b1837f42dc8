"""Groups that tie as the worst off: the gate's message (the card's decision, the terminal,
junit.xml, the annotations) and summary.md's fairness headline named only the first of them
('worst-off group a'), while the gap's note in audit.json names each; now they name each
too, from that note (no new audit.json field: see gap_count.tied_groups)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd

import auditor
from auditor.config import GateRule, GatesConfig
from auditor.gates import evaluate_gates
from auditor.report.decision import gate_message
from auditor.report.gap_count import tied_labels
from auditor.report.html import render_html
from auditor.report.junit import render_junit
from auditor.report.markdown import render_markdown
from auditor.report.summary import render_summary
from auditor.report.terminal import gate_lines

DP = "fairness.features.g.disparities.demographic_parity_difference.between_groups"


def _audit(rates: dict[str, float], sizes: dict[str, int] | None = None,
           min_n: int | None = None) -> dict:  # fmt: skip
    """200 rows a group (or ``sizes``), selected at ``rates``; a gate on the demographic-parity
    gap (with ``min_n``)."""
    n = {g: (sizes or {}).get(g, 200) for g in rates}
    groups = np.concatenate([np.repeat(g, n[g]) for g in rates])
    y_pred = np.concatenate([np.arange(n[g]) < n[g] * r for g, r in rates.items()]).astype(int)
    y_true = np.random.default_rng(0).integers(0, 2, len(groups))
    rows = pd.DataFrame({"g": groups, "y_true": y_true, "y_pred": y_pred})
    audit = auditor.audit_predictions(rows, y_true="y_true", y_pred="y_pred", sensitive="g").data
    rules = [GateRule(metric=DP, max=0.2, min_n=min_n)]
    audit["gates"] = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=rules))
    return audit


def test_every_output_of_a_gate_names_each_tied_group():
    audit = _audit({"a": 0.25, "b": 0.25, "c": 0.6})
    [r] = audit["gates"]["results"]
    assert r["status"] == "fail" and "worst-off group a" in r["message"]  # as recorded
    message = gate_message(audit, r)
    assert "worst-off groups a and b (tied)" in message and "worst-off group a;" not in message
    assert any("worst-off groups a and b (tied)" in line
               for line in gate_lines(audit["gates"], audit=audit))  # fmt: skip
    [failure] = ET.fromstring(render_junit(audit)).iter("failure")
    assert "worst-off groups a and b (tied)" in failure.get("message")
    summary = render_summary(audit)
    assert "(a and b, tied)" in summary


def test_a_single_worst_off_group_reads_as_before():
    audit = _audit({"a": 0.25, "b": 0.3, "c": 0.6})
    [r] = audit["gates"]["results"]
    assert "worst-off group a" in gate_message(audit, r)
    assert "tied" not in gate_message(audit, r) and "tied" not in render_summary(audit)


def test_the_tied_groups_come_from_the_groups_rates_not_the_notes_prose():
    """The tied labels were cut back out of the note at its last '; ': a group 'Black;
    Hispanic' tied with b read 'worst-off groups Hispanic and b (tied)', a group that does
    not exist, in every output. They are now the groups whose rate is the worst one's."""
    audit = _audit({"Black; Hispanic": 0.25, "b": 0.25, "c and d": 0.25, "e": 0.6})
    [r] = audit["gates"]["results"]
    tied = "worst-off groups Black; Hispanic, b and c and d (tied)"
    assert tied in gate_message(audit, r)
    assert "(Black; Hispanic, b and c and d, tied)" in render_summary(audit).replace("\\", "")


def test_a_group_left_out_of_the_comparison_is_not_named_as_tied():
    feature = {"groups": [{"group": g, "metrics": {"selection_rate": {"value": 0.25}}}
                          for g in ("a", "b", "small")]}  # fmt: skip
    node = {"worst_group": "a", "decided_by": "selection_rate", "excluded_groups": ["small"],
            "reason": "a and b tie as the worst off: selection_rate 0.25 in each"}  # fmt: skip
    assert tied_labels(feature, node) == ["a", "b"]
    assert tied_labels(feature, {**node, "reason": None}) == []  # no tie recorded
    assert tied_labels(feature, {**node, "excluded_groups": ["b", "small"]}) == []


def test_a_group_the_gates_min_n_left_out_is_not_named_as_tied():
    """A gate's min_n re-takes the gap without the small groups, but a small group tied in the
    recorded gap was still named: 'worst-off groups a and b (tied); ... left out: b (n=40)'
    in one line (and 'tied_group: b' in junit.xml). The gate names a alone now."""
    audit = _audit({"a": 0.25, "b": 0.25, "c": 0.6}, sizes={"b": 40}, min_n=100)
    [r] = audit["gates"]["results"]
    assert "left out: b (n=40)" in r["message"]
    message = gate_message(audit, r)
    assert "worst-off group a;" in message and "tied" not in message, message
    [case] = ET.fromstring(render_junit(audit)).iter("testcase")
    assert "tied_group:" not in case.find("system-out").text
    rows = [line for line in render_summary(audit).splitlines() if "breaks" in line]
    assert rows and all("tied" not in line for line in rows), rows
    # without the min_n, b is compared and tied
    audit = _audit({"a": 0.25, "b": 0.25, "c": 0.6}, sizes={"b": 40})
    assert "worst-off groups a and b (tied)" in gate_message(audit, audit["gates"]["results"][0])


def test_summary_and_card_gate_tables_name_each_tied_group():
    """summary.md's gate row ('Why') and the HTML card's gate table ('Detail') read the
    recorded message, so they named the first tied group only ('worst-off group a') while
    the headline on the same page said '(a and b, tied)'."""
    audit = _audit({"a": 0.25, "b": 0.25, "c": 0.6})
    summary = render_summary(audit).replace("\\", "")  # Markdown's escapes: '\\(tied\\)'
    rows = [line for line in summary.splitlines() if "breaks" in line]
    assert rows and all("worst-off groups a and b (tied)" in line for line in rows), rows
    assert "worst-off group a;" not in summary
    card = render_html(audit)
    assert "worst-off groups a and b (tied)" in card and "worst-off group a;" not in card


def test_the_gate_tables_group_column_names_each_tied_group():
    """model_card.md's gate table (its Group column) and the HTML card's gate heading
    ('· group Black; Hispanic') named the first tied group, beside a Detail column naming
    both. They name each now, from the same groups as the message."""
    audit = _audit({"Black; Hispanic": 0.25, "b": 0.25, "c": 0.6})
    [row] = [x for x in render_markdown(audit).splitlines() if x.startswith("| fail |")]
    cells = [c.strip() for c in row.split(" | ")]
    assert "Black; Hispanic and b (tied)" in cells, cells
    card = render_html(audit)
    assert "</code> · groups Black; Hispanic and b (tied)</small>" in card
    assert "· group Black; Hispanic<" not in card
    one = _audit({"a": 0.25, "b": 0.3, "c": 0.6})  # one worst-off group: as before
    [row] = [x for x in render_markdown(one).splitlines() if x.startswith("| fail |")]
    assert " | a | " in row and "tied" not in row, row
    assert "· group a</small>" in render_html(one)


def test_junit_evidence_lines_give_a_gaps_counts_and_its_tied_groups():
    """A gap gate's <system-out> had 'n: ' empty (its counts only in the prose first line) and
    'group: a', one of the tied groups: a script reading the key lines got the gap without
    its count. Now 'n: 200 vs 200', and a 'tied_group' line per tied group."""
    audit = _audit({"a": 0.25, "b": 0.25, "c": 0.6})
    [case] = ET.fromstring(render_junit(audit)).iter("testcase")
    lines = case.find("system-out").text.split("\n")[1:]
    assert "n: 200 vs 200" in lines and "tied_group: b" in lines, lines
    audit = _audit({"a": 0.25, "b": 0.3, "c": 0.6})
    [case] = ET.fromstring(render_junit(audit)).iter("testcase")
    lines = case.find("system-out").text.split("\n")[1:]
    assert "n: 200 vs 200" in lines and not any("tied_group" in x for x in lines), lines


def test_junit_names_each_tied_group_on_a_line_of_its_own():
    """'tied_groups: Black; Hispanic, b, c and d and 1 more' was prose a script cannot split
    back into groups (a label may hold ', ' or ' and ', and past 4 groups the rest were only
    counted). Each tied group now has its own 'tied_group: LABEL' line, every one of them,
    the worst off (the 'group' line's) first."""
    labels = ["Black; Hispanic", "b, c", "d and e", "f", "g"]
    audit = _audit({**dict.fromkeys(labels, 0.25), "h": 0.6})
    [case] = ET.fromstring(render_junit(audit)).iter("testcase")
    lines = case.find("system-out").text.split("\n")[1:]
    tied = [x.split(": ", 1)[1] for x in lines if x.startswith("tied_group: ")]
    group = next(x.split(": ", 1)[1] for x in lines if x.startswith("group: "))
    assert sorted(tied) == sorted(labels) and tied[0] == group, lines


def test_the_gate_line_words_a_tie_as_the_note_does():
    """The gate line's list of tied groups and the gap's note were worded by two copies of the
    same code (cut, 4 shown, 'and N more'): one changed, the two would name a tie apart. One
    function words both now."""
    from auditor.fairness import disparities
    from auditor.report import gap_count

    assert gap_count.tie_text is disparities.tie_text
    labels = ["a", "b", "c" * 120, "d", "e", "f"]
    audit = _audit({**dict.fromkeys(labels, 0.25), "h": 0.6})
    [r] = audit["gates"]["results"]
    node = audit["fairness"]["features"]["g"]["disparities"]["demographic_parity_difference"]
    note = node["between_groups"]["reason"].split(" tie as the worst off")[0]
    assert note.endswith(" and 2 more") and f"worst-off groups {note} (tied)" in gate_message(
        audit, r
    )


def test_a_gap_the_gates_min_n_took_again_gives_its_own_ties_and_counts():
    """Where the gate's min_n takes the gap again without a small worst-off group (b), the
    re-taken gap's ties and counts were lost: 'worst-off group a' with c tied beside it at
    0.2, no tied_group line, and no n at all ('0.3 [...] breaks'). Both now come from the
    gate's own re-taken gap (gates.gap_groups.judged_gap)."""
    sizes = {"a": 100, "b": 40, "c": 100, "d": 100}
    audit = _audit({"a": 0.2, "b": 0.1, "c": 0.2, "d": 0.5}, sizes=sizes, min_n=50)
    [r] = audit["gates"]["results"]
    assert r["group"] == "a" and "left out: b (n=40)" in r["message"]
    message = gate_message(audit, r)
    assert "worst-off groups a and c (tied)" in message, message
    assert " (95% interval, n=100 vs 100) breaks" in message, message
    [case] = ET.fromstring(render_junit(audit)).iter("testcase")
    out = case.find("system-out").text.splitlines()
    assert "tied_group: a" in out and "tied_group: c" in out and "n: 100 vs 100" in out, out
    row = next(line for line in render_summary(audit).splitlines() if "breaks" in line)
    assert "100 vs 100" in row, row
