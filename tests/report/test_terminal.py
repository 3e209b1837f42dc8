"""The gate lines the CLI prints: verdict as the exit code has it, failures first, as text."""

from __future__ import annotations

from auditor.config import GateRule, GatesConfig
from auditor.gates import evaluate_gates, exit_code
from auditor.report.terminal import MAX_OTHER_LINES, failure_text, gate_lines
from tests.gates.builders import make_audit

RULES = [
    GateRule(metric="performance.finetuned.test.accuracy", min=0.95, name="accuracy"),
    GateRule(metric="fairness.features.sex.groups[*].metrics.tpr", min=0.1),
]


def test_failures_first_then_warnings_one_line_each():
    audit = make_audit()
    audit["fairness"]["features"]["sex"]["groups"][1]["group"] = "M\x1b[2J\nX"
    gates = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=RULES))
    lines = gate_lines(gates)
    assert lines[0] == "Gates: FAIL (1 pass, 1 warn, 1 fail)"
    assert lines[1].startswith("  FAIL  accuracy: 0.9 [")
    assert lines[2].startswith("  WARN  sex = M\\x1b[2J\\x0aX: TPR >= 0.10: insufficient data")
    assert all("\x1b" not in line and "\n" not in line for line in lines)


def test_printed_verdict_agrees_with_the_exit_code():
    cfg = GatesConfig(use_defaults=False, rules=RULES[1:])
    gates = evaluate_gates(make_audit(), cfg)
    assert gates["verdict"] == "warn"
    assert gate_lines(gates)[0].startswith("Gates: WARN ") and exit_code(gates) == 0
    strict = gate_lines(gates, fail_on="warning")[0]
    assert strict.startswith("Gates: FAIL") and exit_code(gates, fail_on="warning") == 1
    gates = evaluate_gates(make_audit(), cfg.model_copy(update={"fail_on": "warning"}))
    assert gate_lines(gates)[0].startswith("Gates: FAIL") and exit_code(gates) == 1


def test_not_run_and_failure_text():
    assert gate_lines({"status": "not_run", "reason": "off"}) == ["Gates: not run (off)"]
    gates = evaluate_gates(make_audit(), GatesConfig(use_defaults=False, rules=RULES[:1]))
    text = failure_text(gates["results"][0])
    assert text.startswith("accuracy: 0.9 [0.8666, 0.9258] (n=400) breaks >= 0.95")


def test_a_long_group_the_message_names_cut_is_not_named_again():
    """The judge names a long worst-off group cut (gates.names.shorten); the whole label is
    not in the message, and the group was appended a second time."""
    from auditor.gates.names import shorten

    group = "G001-" + "x" * 300 + "-end1"
    result = {"name": "sex: gap", "message": f"0.3 > 0.2; worst-off group {shorten(group)}",
              "metric": "fairness.features.sex.disparities.dp", "group": group}  # fmt: skip
    assert failure_text(result).count(shorten(group)) == 1
    other = dict(result, message="0.3 > 0.2")  # a message that does not name it: added once
    assert failure_text(other).endswith(f"; group {shorten(group)}")


def _flagged(status: str, outcome: str, i: int) -> dict:
    return {"status": status, "outcome": outcome, "name": f"{outcome} {status} gate {i}",
            "message": f"{outcome} {i}", "metric": "m", "group": "all"}  # fmt: skip


def _many(n_fail: int, n_warn: int) -> dict:
    results = (
        [_flagged("warn", "fail", i) for i in range(n_warn // 2)]  # warning-level rules
        + [_flagged("warn", "insufficient_data", i) for i in range(n_warn - n_warn // 2)]
        + [_flagged("fail", "fail", i) for i in range(n_fail)]
        + [_flagged("pass", "pass", 0)]
    )
    counts = {"pass": 1, "warn": n_warn, "fail": n_fail}
    verdict = "fail" if n_fail else "warn"
    return {"status": "ok", "verdict": verdict, "fail_on": "failure", "counts": counts,
            "results": results}  # fmt: skip


def test_every_failure_then_at_most_20_warnings_then_how_many_more():
    """990 group gates printed 990 lines: every failure stays, warnings are capped and counted,
    insufficient data before warning-level rules."""
    lines = gate_lines(_many(n_fail=30, n_warn=960))
    assert len(lines) == 1 + 30 + MAX_OTHER_LINES + 1
    assert all(line.startswith("  FAIL ") for line in lines[1:31])
    assert all("insufficient_data warn" in line for line in lines[31:51])
    assert "940 more warnings" in lines[-1] and "summary.md" in lines[-1]
    few = gate_lines(_many(n_fail=1, n_warn=MAX_OTHER_LINES))
    assert len(few) == 1 + 1 + MAX_OTHER_LINES and "more" not in few[-1]


def test_where_warnings_fail_every_one_is_listed():
    gates = {**_many(n_fail=0, n_warn=50), "fail_on": "warning"}
    lines = gate_lines(gates)
    assert lines[0].startswith("Gates: FAIL") and len(lines) == 51
    assert len(gate_lines(_many(n_fail=0, n_warn=50), fail_on="warning")) == 51
    assert len(gate_lines(_many(n_fail=0, n_warn=50))) == 1 + MAX_OTHER_LINES + 1


def test_a_baseline_is_summed_up_and_one_of_another_question_says_so():
    """Against a baseline of another scenario every baseline gate passed as "new" and the
    terminal said nothing of the baseline: it looked compared and no worse."""
    import copy

    old = make_audit()
    new = copy.deepcopy(old)
    cfg = GatesConfig(use_defaults=False, rules=RULES[:1])
    same = gate_lines(evaluate_gates(new, cfg, baseline=old, baseline_file="base.json"))
    assert same[-1] == "Baseline base.json: 0 new, 1 unchanged, 0 worse, 0 fixed"
    new["run"]["scenario"] = "adult"
    other = gate_lines(evaluate_gates(new, cfg, baseline=old, baseline_file="base.json"))
    assert other[-2] == "Baseline base.json: 1 new, 0 unchanged, 0 worse, 0 fixed"
    assert "audit different things (scenario" in other[-1] and other[-1].startswith("  new: ")
    assert not any(line.startswith("Baseline") for line in gate_lines(evaluate_gates(new, cfg)))


def test_a_multi_class_feature_line_shows_the_largest_class_gap_and_names_its_class():
    """It showed the first class's DP difference (cat's, the smallest here) as the
    feature's, with no class named."""
    import numpy as np
    import pandas as pd

    import auditor
    from auditor.report.terminal import predictions_lines

    rng = np.random.default_rng(0)
    g = rng.choice(["x", "y"], 900)
    yt = rng.choice(["cat", "dog", "fox"], 900)
    yp = np.where((g == "y") & (yt == "dog") & (rng.random(900) < 0.6), "fox", yt)
    frame = pd.DataFrame({"t": yt, "p": yp, "g": g})
    audit = auditor.audit_predictions(frame, y_true="t", y_pred="p", sensitive="g").data
    gaps = {k: d["between_groups"]["value"] for k, d in audit["fairness"]["features"]["g"][
        "disparities"].items() if k.startswith("demographic_parity_difference@")}  # fmt: skip
    cls = max(gaps, key=gaps.get).partition("@")[2]
    assert cls != "cat" and gaps[f"demographic_parity_difference@{cls}"] > gaps[
        "demographic_parity_difference@cat"]  # fmt: skip
    [line] = [x for x in predictions_lines(audit) if x.startswith("  g:")]
    assert line.startswith(f"  g: DP difference of class {cls} ")


def test_a_feature_line_names_its_intervals_level_beside_the_counts():
    """The gap's interval was printed with the pair's counts but no level ('[0.077, 0.092]
    n=10,771 vs 21,790'); every other interval the terminal prints names its level."""
    import numpy as np
    import pandas as pd

    import auditor
    from auditor.report.terminal import predictions_lines

    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"t": rng.integers(0, 2, 300), "p": rng.integers(0, 2, 300),
                          "g": np.repeat(["a", "b", "c"], 100)})  # fmt: skip
    audit = auditor.audit_predictions(frame, y_true="t", y_pred="p", sensitive="g").data
    [line] = [x for x in predictions_lines(audit) if x.startswith("  g:")]
    assert "] (95% interval, n=100 vs 100), worst-off " in line
    audit["fairness"]["ci_level"] = 0.999
    [line] = [x for x in predictions_lines(audit) if x.startswith("  g:")]
    assert "] (99.9% interval, n=100 vs 100)" in line
