"""A gate whose minimum count is above ``fairness.min_group_size`` judges a gap over the groups
that reach its count only: the gap, its interval and its pair are the ones the fairness
engine takes with that minimum group size (the slow path: the engine on the counts), the
interval covers the gap between those groups (seeded simulations where it is hard: no
effect, small groups beside, rates of 0 and near 0), and a record the gap cannot be taken
again from is insufficient data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from auditor.config import GateRule
from auditor.fairness.counts import CountsTable
from auditor.fairness.engine import audit_counts
from auditor.fairness.metrics import DISPARITIES, METHODS
from auditor.gates import evaluate_rule
from auditor.io import to_json_text
from auditor.seeding import Rngs

SMALL = 30  # the audit's fairness.min_group_size
GATE = 200  # the gate's min_count


def _table(cells: list[list[int]], classes: int = 2) -> CountsTable:
    """One feature ``s``, one group per row of cells ((true, predicted) counts, flat)."""
    counts = np.array(cells, dtype=np.int64).reshape(-1, classes, classes)
    labels = tuple(f"g{i}" for i in range(len(counts)))
    names = tuple(str(c) for c in range(classes))
    return CountsTable(("s",), (labels,), tuple(range(classes)), names, counts)


def _audit(table: CountsTable, min_group_size: int = SMALL) -> dict:
    """The audit.json a run writes (as read back: NaN as null) around the fairness section."""
    positive = 1 if len(table.classes) == 2 else None
    result = audit_counts(table, specs=[("s",)], positive=positive, min_group_size=min_group_size)
    fairness = {"status": "ok", **result.to_dict()}
    audit = {"run": {"scenario": "table"}, "fairness": fairness}
    return json.loads(to_json_text(audit))


# Two large groups that differ little, a third, and two small groups far from them.
CELLS = [[300, 20, 40, 140], [200, 30, 20, 50], [150, 30, 30, 40], [2, 18, 1, 19], [30, 0, 10, 0]]


@pytest.mark.parametrize("key", list(DISPARITIES))
@pytest.mark.parametrize("method", METHODS)
def test_the_gap_is_the_one_taken_over_the_groups_that_reach_the_count(key, method):
    """Before: the gate judged the recorded gap over all five groups, set by the 40-row
    group (a confident fail of a gap whose groups the gate gives no verdict)."""
    table = _table(CELLS)
    audit = _audit(table)
    want = _audit(table, GATE)["fairness"]["features"]["s"]["disparities"][key][method]
    rule = GateRule(metric=f"fairness.features.s.disparities.{key}.{method}", max=0.9)
    [r] = evaluate_rule(audit, rule, min_count=GATE)
    assert (r.value, r.ci_low, r.ci_high) == pytest.approx(
        (want["value"], want["ci_low"], want["ci_high"]), rel=1e-12, abs=1e-15
    )
    assert r.group == want["worst_group"]
    assert "taken over the 3 of the 5 groups of s that reach the minimum count 200" in r.message
    assert "left out: g3 (n=40), g4 (n=40)" in r.message, r.message
    if method == "between_groups":
        pair = " and ".join(f"{g} (n={sum(CELLS[int(g[1:])])})" for g in want["pair"])
        assert f"set by {pair}" in r.message, r.message
    [plain] = evaluate_rule(audit, rule, min_count=SMALL)  # the gaps' own groups: as recorded
    recorded = audit["fairness"]["features"]["s"]["disparities"][key][method]
    assert (plain.value, plain.ci_low) == (recorded["value"], recorded["ci_low"])
    assert "taken over" not in plain.message


def test_the_gate_no_longer_fails_on_a_group_it_gives_no_verdict():
    table = _table(CELLS)
    rule = GateRule(metric="fairness.features.s.disparities.demographic_parity_difference."
                    "between_groups", max=0.3, mode="confident-fail")  # fmt: skip
    [before] = evaluate_rule(_audit(table), rule, min_count=SMALL)
    assert before.status == "fail"  # set by the 40-row groups: 0.95 against 0.2
    [r] = evaluate_rule(_audit(table), rule, min_count=GATE)
    assert r.status == "pass" and r.value < 0.2, r.message


def test_a_field_of_the_gap_is_read_from_the_gap_taken_again():
    table = _table(CELLS)
    want = _audit(table, GATE)["fairness"]["features"]["s"]["disparities"]
    rule = GateRule(metric="fairness.features.s.disparities.equalized_odds_difference."
                    "between_groups.value", max=0.9)  # fmt: skip
    [r] = evaluate_rule(_audit(table), rule, min_count=GATE)
    assert r.value == pytest.approx(want["equalized_odds_difference"]["between_groups"]["value"])


def test_a_class_view_gap_of_three_classes():
    cells = [[60, 5, 5, 5, 60, 5, 5, 5, 60], [50, 10, 10, 10, 50, 10, 10, 10, 50],
             [5, 1, 1, 1, 5, 1, 1, 1, 30]]  # fmt: skip
    table = _table(cells, classes=3)
    key = "equalized_odds_difference@2"
    want = _audit(table, 150)["fairness"]["features"]["s"]["disparities"][key]["to_overall"]
    rule = GateRule(metric=f"fairness.features.s.disparities.{key}.to_overall", max=0.9)
    [r] = evaluate_rule(_audit(table), rule, min_count=150)
    assert (r.value, r.ci_low, r.ci_high) == pytest.approx(
        (want["value"], want["ci_low"], want["ci_high"]), rel=1e-12
    )


@pytest.mark.parametrize(
    "edit, why",
    [
        (lambda f: f["features"]["s"]["groups"][0]["metrics"]["selection_rate"].update(
            value=0.123456), "is not a count over n=500"),
        (lambda f: f.pop("overall"), "the overall records no selection_rate"),
        (lambda f: f.pop("ci_level"), "no ci_level"),
        (lambda f: f.update(ci_method="another"), "is not one this version takes"),
        (lambda f: f["features"]["s"]["groups"][1]["metrics"]["selection_rate"].update(
            n=10**30), "has no count n"),
    ],
)  # fmt: skip
def test_records_the_gap_cannot_be_taken_again_from_are_insufficient_data(edit, why):
    """A hand-edited rate (or weighted counts), an older audit without a field: never the
    recorded gap over the small groups, never a pass. An interval this version does not
    write is not taken by the config's name of it (today's Wilson is not an older Wilson)."""
    audit = _audit(_table(CELLS))
    audit["config"] = {"fairness": {"interval": "wilson"}}
    edit(audit["fairness"])
    rule = GateRule(metric="fairness.features.s.disparities.demographic_parity_difference."
                    "between_groups", max=0.9)  # fmt: skip
    [r] = evaluate_rule(audit, rule, min_count=GATE)
    assert r.outcome == "insufficient_data" and r.status == "warn", r.message
    assert why in r.message and "cannot be taken again" in r.message, r.message


def _draw(rng: np.random.Generator, sizes: list[int], base: float, sel: list[float]) -> list:
    """Per group: true labels at ``base``, predictions 1 at rate ``sel`` (independent)."""
    cells = []
    for n, s in zip(sizes, sel, strict=True):
        pos = rng.binomial(n, base)
        tp, fp = rng.binomial(pos, s), rng.binomial(n - pos, s)
        cells.append([n - pos - fp, fp, pos - tp, tp])
    return cells


@pytest.mark.parametrize(
    "sizes, gate, sel, truth",
    [
        ((250, 300, 400, 40, 60), GATE, [0.3, 0.3, 0.3, 0.9, 0.0], 0.0),  # no effect
        ((250, 300, 400, 40, 60), GATE, [0.002, 0.0, 0.004, 0.5, 1.0], 0.004),  # at, near 0
        ((250, 300, 400, 40, 60), GATE, [1.0, 1.0, 0.99, 0.0, 0.5], 0.01),  # at, near 1
        ((250, 300, 400, 40, 60), GATE, [0.2, 0.35, 0.3, 0.9, 0.0], 0.15),  # an effect
        ((20, 24, 30, 8, 10), 20, [0.05, 0.0, 0.1, 1.0, 0.9], 0.1),  # small groups kept
    ],
)
def test_the_interval_covers_the_gap_between_the_groups_that_reach_the_count(
    sizes, gate, sel, truth
):
    """Selection rates drawn on three groups that reach the gate's count beside two that
    do not (the audit's minimum group size 5): the gate's interval covers the true gap
    between the three."""
    rng = Rngs(15).numpy(f"gap-groups/{sizes}/{sel}")
    rule = GateRule(metric="fairness.features.s.disparities.demographic_parity_difference."
                    "between_groups", max=0.9)  # fmt: skip
    covered, reps = 0, 200
    for _ in range(reps):
        audit = _audit(_table(_draw(rng, list(sizes), 0.3, sel)), min_group_size=5)
        [r] = evaluate_rule(audit, rule, min_count=gate)
        assert "taken over the 3 of the 5 groups" in r.message, r.message
        covered += r.ci_low <= truth <= r.ci_high
    assert covered / reps >= 0.93, covered / reps
