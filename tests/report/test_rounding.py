"""Numbers printed beside a gate's bound stay on their side of it, and a printed interval is
never narrower than the recorded one: an accuracy of 0.94996 failing >= 0.95 was printed as
0.9500 (card's gate table) and 0.950 (headline, summary.md), and an interval's ends were
rounded to the nearest, so [0.10751, 0.99991] read [0.108, 1.000]."""

from __future__ import annotations

import math
import random
import re

import numpy as np
import pandas as pd

import auditor
from auditor.config import GateRule, GatesConfig
from auditor.gates import evaluate_gates
from auditor.numbers import fmt_high, fmt_low, fmt_vs
from auditor.report.html import render_html
from auditor.report.markdown import render_markdown
from auditor.report.summary import render_summary

AT_MOST = {"min": None, "max": 0.2}


def test_a_value_is_never_printed_on_or_across_a_bound_it_is_not_on():
    assert fmt_vs(0.20004, AT_MOST, 4) == "0.20004"
    assert fmt_vs(0.19996, AT_MOST, 4) == "0.19996"
    assert fmt_vs(0.2, AT_MOST, 4) == "0.2000"  # on the bound: as it is
    assert fmt_vs(0.61234, AT_MOST) == "0.612"  # far from it: as many places as asked
    assert fmt_low(0.20003, 4, AT_MOST) == "0.20003"  # floored to 0.2000 it would meet it
    assert fmt_high(0.19996, 4, AT_MOST) == "0.19996"


def test_interval_ends_are_rounded_outward():
    assert (fmt_low(0.10751), fmt_high(0.99991)) == ("0.107", "1.000")
    assert (fmt_low(0.0), fmt_high(1.0), fmt_high(1.0 + 2e-16)) == ("0.000", "1.000", "1.000")
    rng = random.Random(0)
    for _ in range(2000):
        low, high = sorted(rng.random() for _ in range(2))
        value = rng.uniform(low, high)
        bound = {"min": None, "max": rng.choice([0.1, 0.2, round(value, 3), value])}
        lo, hi = float(fmt_low(low, 3, bound)), float(fmt_high(high, 3, bound))
        assert lo <= low and hi >= high and lo <= float(fmt_vs(value, bound)) <= hi
        for printed, real in ((lo, low), (hi, high), (float(fmt_vs(value, bound)), value)):
            side = (real > bound["max"]) - (real < bound["max"])
            assert (printed > bound["max"]) - (printed < bound["max"]) == side
    assert fmt_low(None) == fmt_high(math.nan) == "—" and fmt_vs("met", AT_MOST) == "met"


def _just_failing_audit() -> dict:
    """A predictions audit of 100,000 rows, 94,996 right, gated at accuracy >= 0.95."""
    rows = pd.DataFrame({"y_true": np.tile([0, 1], 50_000), "group": np.repeat(["a", "b"], 50_000)})
    rows["y_pred"] = rows.y_true
    rows.loc[: 100_000 - 94_996 - 1, "y_pred"] = 1 - rows.y_true  # the first 5,004 rows wrong
    audit = auditor.audit_predictions(rows, y_true="y_true", y_pred="y_pred",
                                       sensitive="group").data  # fmt: skip
    rules = [GateRule(metric="performance.finetuned.test.accuracy", min=0.95, mode="point")]
    audit["gates"] = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=rules),
                                    config_file=None)  # fmt: skip
    assert audit["gates"]["results"][0]["status"] == "fail"
    assert audit["gates"]["results"][0]["value"] == 0.94996
    return audit


def test_a_failing_value_just_under_its_bound_does_not_read_as_meeting_it():
    audit = _just_failing_audit()
    md, html, summary = render_markdown(audit), render_html(audit), render_summary(audit)
    gate_rows = [line for line in md.splitlines() + summary.splitlines() if "fail |" in line]
    headlines = [line for line in md.splitlines() + summary.splitlines()
                 if line.startswith("- **Accuracy over every row**")]  # fmt: skip
    assert len(gate_rows) == 3 and len(headlines) == 2  # the md's and summary's tables, rows
    for line in gate_rows + headlines:
        assert "0.94996" in line and not re.search(r"\b0\.950+\b", line), line
    # the interval the accuracy gate takes since 30fc014, named as such (was "95% Wilson interval")
    assert all("Wilson interval, Brown-Cai-DasGupta ends" in line for line in headlines)
    cell = html.split("Failed gates", 1)[1].split('<td class="num">', 1)[1].split("</td>", 1)[0]
    assert cell.startswith("0.94996") and "0.9500" not in cell
