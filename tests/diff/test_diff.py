"""`auditor diff A B`: metrics with intervals (privacy included), gate verdicts by stable
identity, checklist items, provenance."""

from __future__ import annotations

import copy
import json
import re

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from auditor.diff import diff_audits, render_markdown, render_text

runner = CliRunner()

def test_diff_of_two_runs_markdown(two_runs, tmp_path):
    a, b = two_runs
    out = tmp_path / "diff.md"
    result = runner.invoke(app, ["diff", str(a), str(b / "audit.json"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("## auditor diff")
    da, db = (json.loads((p / "audit.json").read_text()) for p in (a, b))
    # a different seed splits the data differently: said at the top, before any number
    lines = text.splitlines()
    assert lines[4].startswith("> ⚠️ **The two audits used different test data")
    assert da["data"]["splits"]["test"]["sha256"][:12] in lines[4]
    assert lines[6].startswith("**Verdict:**")
    acc_a = da["performance"]["finetuned"]["test"]["accuracy"]
    acc_b = db["performance"]["finetuned"]["test"]["accuracy"]
    row = next(line for line in lines if "`performance.finetuned.test.accuracy`" in line)
    assert f"{acc_a:.3f} [" in row and f"{acc_b:.3f} [" in row and f"{acc_b - acc_a:+.3f}" in row
    # one screen: everything before the folded details
    visible = text.split("<details>", 1)[0].splitlines()
    assert len(visible) <= 45, "\n".join(visible)
    assert "within noise (intervals overlap)" in text and "data split test" in text


def test_diff_text_and_changed_only(two_runs):
    a, b = two_runs
    same = runner.invoke(app, ["diff", str(a), str(a), "-f", "text", "--changed-only"])
    assert same.exit_code == 0 and "0 changes" in same.output
    assert "(none)" in same.output
    text = runner.invoke(app, ["diff", str(a), str(b), "-f", "text"])
    assert text.exit_code == 0 and "Provenance" in text.output and "|" not in text.output
    assert text.output.splitlines()[2].startswith("WARNING: The two audits used different")


def test_diff_bad_input_is_exit_2(tmp_path, two_runs):
    bad = tmp_path / "audit.json"
    bad.write_text("{not json")
    result = runner.invoke(app, ["diff", str(two_runs[0]), str(bad)])
    assert result.exit_code == 2 and "Traceback" not in result.output


def _fake(value, verdict, item_status):
    return {
        "run": {"name": "r", "created_at": "t", "seed": 0, "library_versions": {}},
        "tool": {"version": "0"},
        "config": {"x": value},
        "data": {"splits": {"test": {"sha256": "a" * 64, "n_rows": 10}}},
        "model": {"checkpoints": {}},
        "performance": {"status": "not_run", "reason": "x"},
        "fairness": {
            "status": "ok",
            "features": {
                "sex": {
                    "disparities": {"dp": {"value": value, "ci_low": 0.0, "ci_high": 0.5, "n": 40}}
                }
            },
        },  # fmt: skip
        "privacy": {"status": "not_run", "reason": "x"},
        "transparency": {"status": "ok", "items": {"license": {"status": item_status}}},
        "gates": {
            "status": "ok",
            "verdict": verdict,
            "results": [
                {
                    "name": "g",
                    "metric": "fairness.features.sex.disparities.dp",
                    "group": "F",
                    "mode": "point",
                    "bound": {"max": 0.2},
                    "status": verdict,
                    "source": "config",
                    "value": value,
                    "ci_low": 0.0,
                    "ci_high": 0.5,
                    "n": 40,
                },
            ],
        },  # fmt: skip
    }


def test_diff_audits_classifies_every_part():
    a, b = _fake(0.1, "pass", "missing"), _fake(0.3, "fail", "declared")
    d = diff_audits(a, b)
    [m] = [c for c in d.metrics if c.key == "fairness.features.sex.disparities.dp"]
    # the gate reading it crossed from pass to fail, but the intervals overlap: within noise
    # (the gate's row shows both numbers it judged; test_noise_claims.py)
    assert m.change == "within noise" and (m.a["value"], m.b["value"]) == (0.1, 0.3)
    assert [(c.a, c.b, c.change, c.label) for c in d.gates] == [("pass", "fail", "changed", "g")]
    assert [(c.key, c.a, c.b) for c in d.checklist] == [("license", "missing", "declared")]
    config = [c for c in d.provenance if c.key.startswith("config")]
    assert config[0].change == "changed"
    assert d.verdicts == ("pass", "fail")
    md = render_markdown(d)
    assert "+0.200" in md and "0.100 [0.000, 0.500]" in md
    assert "❌ fail" in md.split("### Gates that changed")[1]
    assert "license" in render_text(d)
    same = diff_audits(a, copy.deepcopy(a))
    assert same.n_changed == 0


def _audit_with(privacy: dict, worst: str, eod: float) -> dict:
    from auditor.config import GatesConfig
    from auditor.gates import evaluate_gates
    from tests.gates.builders import make_audit, node

    audit = make_audit(privacy=privacy)
    audit["run"].update(scenario="digits", library_versions={})
    audit.update(config={}, data={"splits": {}}, model={"checkpoints": {}})
    feats = audit["fairness"]["features"]
    feats["sex"]["kind"], feats["age band"]["kind"] = "feature", "feature"
    feats["sex"]["disparities"]["equalized_odds_difference"] = {
        "between_groups": node(eod, eod - 0.05, eod + 0.05, worst_group=worst)
    }
    feats["age band"]["disparities"]["equalized_odds_difference"] = {
        "between_groups": node(0.05, 0.01, 0.09, worst_group="17-24")
    }
    audit["transparency"]["items"] += [{"id": "limitations", "status": "declared"}]
    audit["gates"] = evaluate_gates(audit, GatesConfig())
    return audit


def test_diff_lists_privacy_auc_and_tpr_changes():
    """Issue 10's bug: diff showed no privacy number."""
    from tests.gates.builders import privacy_section

    a = _audit_with(privacy_section(auc=0.55, tpr=0.02), "M", 0.1)
    b = _audit_with(privacy_section(auc=0.61, tpr=0.05), "M", 0.1)
    changes = {c.key: c for c in diff_audits(a, b).metrics}
    auc = changes["privacy.attacks.loss.auc"]
    assert auc.change in ("worse", "within noise") and (auc.a["value"], auc.b["value"]) == (
        0.55,
        0.61,
    )
    assert auc.a["n"] == 532 and auc.b["ci_low"] == pytest.approx(0.56)
    tpr = changes['privacy.attacks.loss.tpr_at_fpr."0.01"']
    assert tpr.change != "same" and (tpr.a["value"], tpr.b["value"]) == (0.02, 0.05)
    assert changes['privacy.attacks.loss.tpr_at_fpr."0.001"'].change == "same"
    md = render_markdown(diff_audits(a, b), changed_only=True)
    assert "privacy.attacks.loss.auc" in md and "+0.060" in md


def _node(value: float, lo: float, hi: float) -> dict:
    return {"value": value, "ci_low": lo, "ci_high": hi, "n": 100}


@pytest.mark.parametrize(
    ("path", "a", "b", "change"),
    [
        ("performance.finetuned.test.accuracy", (0.80, 0.75, 0.85), (0.95, 0.92, 0.97), "better"),
        ("performance.finetuned.test.accuracy", (0.95, 0.92, 0.97), (0.80, 0.75, 0.85), "worse"),
        ("performance.finetuned.test.accuracy", (0.90, 0.85, 0.94), (0.92, 0.88, 0.95),
         "within noise"),
        ("fairness.features.sex.disparities.equalized_odds_difference.between_groups",
         (0.40, 0.30, 0.50), (0.05, 0.00, 0.10), "better"),
        ('privacy.attacks.lira_online.tpr_at_fpr."0.01"', (0.01, 0.00, 0.02), (0.20, 0.15, 0.25),
         "worse"),
        ("fairness.features.sex.groups[F].metrics.selection_rate", (0.1, 0.05, 0.15),
         (0.5, 0.45, 0.55), "changed"),
    ],
)  # fmt: skip
def test_each_metric_is_marked_in_its_direction_beyond_noise(path, a, b, change):
    from auditor.diff.compare import _metric_change

    assert _metric_change(path, _node(*a), _node(*b)) == change


def test_direction_of_metrics():
    from auditor.diff import direction

    assert direction("performance.finetuned.test.roc_auc") == 1
    assert direction("performance.finetuned.test.ece") == -1
    assert direction("performance.finetuned.test.log_loss") == -1
    assert direction('fairness.features."a & b".disparities.demographic_parity_ratio') == 1
    assert direction("privacy.attacks.rmia.auc") == -1
    assert direction("privacy.attacks.rmia.decision.fpr") == 0
    assert direction("privacy.attacks.rmia.decision.tpr") == 0
    # a group's false negative rate mirrors its recall (1 - recall): the opposite side, where a
    # weaker model's diff said recall "worse" beside fnr "changed"; fpr keeps no side
    assert direction('fairness.features.sex.groups.F.recall') == 1
    assert direction('fairness.features.sex.groups.F.fnr') == -1
    assert direction("fairness.overall.fnr") == -1 and direction("fairness.overall.fpr") == 0


def test_diff_shows_each_fairness_gate_once_whatever_the_worst_off_group():
    """Issue 11 item 4: another seed names another worst-off group; the gate is the same."""
    from tests.gates.builders import privacy_section

    a = _audit_with(privacy_section(), "M", 0.10)
    b = _audit_with(privacy_section(), "F", 0.12)
    gates = [c for c in diff_audits(a, b).gates if c.key.startswith("fairness.features.")]
    assert len(gates) == 2 and {c.change for c in gates} == {"same"}
    assert all("@" not in c.key for c in gates)
    b = _audit_with(privacy_section(), "F", 0.5)
    [sex] = [c for c in diff_audits(a, b).gates if c.key.startswith("fairness.features.sex")]
    assert (sex.a, sex.b, sex.change) == ("pass", "warn", "changed")
    keys = [c.key for c in diff_audits(a, a).gates]
    assert len(keys) == len(set(keys))


@pytest.fixture(scope="module")
def three_audits(tmp_path_factory):
    """Real predictions audits of one model's outputs: the file (A), the same rows where one
    in five is relabelled into a new sex group X (B), and the same rows with the other class
    as the positive one (C)."""
    from tests.builders import PREDICTION_ARGS, predictions_frame

    base = tmp_path_factory.mktemp("comparable")
    frame = predictions_frame(3000, seed=4)
    other = frame.copy()
    other.loc[other.index % 5 == 0, "sex"] = "X"
    runs = []
    for name, table, args in (("a", frame, PREDICTION_ARGS), ("b", other, PREDICTION_ARGS),
                              ("c", frame.assign(score=1 - frame["score"]),  # P(denied)
                               [*PREDICTION_ARGS[:-1], "denied"])):  # fmt: skip
        table.to_csv(base / f"{name}.csv", index=False)
        out = base / name
        result = runner.invoke(app, ["audit", "-p", str(base / f"{name}.csv"), *args,
                                     "--out", str(out), "--exit-zero"])  # fmt: skip
        assert result.exit_code == 0, result.output
        runs.append(json.loads((out / "audit.json").read_text()))
    return runs


def test_gaps_over_other_groups_are_not_compared(three_audits):
    """A gap over {F, M} against one over {F, M, X} is no change of the model: the rows say
    "not comparable" and why, never better or worse; other features still compare."""
    a, b, _ = three_audits
    d = diff_audits(a, b)
    sex = [c for c in d.metrics if c.key.startswith("fairness.features.sex.disparities.")]
    assert sex and {c.change for c in sex} <= {"not comparable", "same"}
    assert "not comparable" in {c.change for c in sex}
    region = [c for c in d.metrics if c.key.startswith("fairness.features.region.disparities.")]
    assert region and "not comparable" not in {c.change for c in region}
    sex_reason, pair_reason = d.not_comparable  # the feature and its intersection with region
    assert sex_reason.startswith("sex: ") and "(B only: X)" in sex_reason
    assert pair_reason.startswith("sex & region: ") and "X & north" in pair_reason
    added = {c.key for c in d.beyond_noise if c.change == "added"}
    assert "fairness.features.sex.groups[X].metrics.accuracy" in added  # a fact, still shown
    md, text = render_markdown(d), render_text(d)
    assert "B only: X" in md and "not comparable" in md and "B only: X" in text
    counts = [line for line in (md + text).splitlines() if ".metrics.count" in line]
    assert counts and not any(re.search(r"\b\d+\.\d{3}\b", line) for line in counts)  # 600


def test_audits_of_different_questions_compare_no_number(three_audits):
    """Another positive class (or task, or scenario): every number answers another
    question, so none is better or worse, and the diff says why at the top."""
    a, _, c = three_audits
    d = diff_audits(a, c)
    assert not d.comparable and d.beyond_noise == []
    assert not {x.change for x in d.metrics} & {"better", "worse", "within noise"}
    assert any(x.change == "not comparable" for x in d.metrics)
    [reason] = d.not_comparable
    assert "positive class approved vs denied" in reason
    md = render_markdown(d)
    assert "### Metrics beyond noise" not in md and "positive class approved vs denied" in md
    assert "_0 metrics beyond noise" in md


def test_the_same_audit_twice_has_no_change(three_audits):
    a = three_audits[0]
    d = diff_audits(a, copy.deepcopy(a))
    assert d.comparable and d.not_comparable == () and d.n_changed == 0
    assert {c.change for c in d.metrics} == {"same"}


def _many_changes(n: int, change: str) -> list:
    from auditor.diff.compare import Change

    node = {"value": 0.5, "ci_low": 0.4, "ci_high": 0.6, "n": 100}
    other = {"value": 0.9, "ci_low": 0.85, "ci_high": 0.95, "n": 100}
    return [
        Change(f"fairness.features.zip.groups[z{i:05d} | x].metrics.accuracy", node, other,
               change)
        for i in range(n)
    ]  # fmt: skip


def test_a_diff_of_many_groups_is_quick_and_fits_a_job_summary():
    """Two audits of 990 zip codes differ in about 40,000 metric rows: the Markdown took
    minutes (every row looked itself up in a beyond-noise list built again per row) and
    was 5 MiB, which GitHub refuses as a job summary (1 MiB) where the CI examples append
    it. Now it is linear, under 1 MiB, and says what it left out."""
    import time

    from auditor.diff.compare import AuditDiff
    from auditor.diff.render import MAX_BYTES

    metrics = _many_changes(20_000, "within noise") + _many_changes(200, "better")
    d = AuditDiff("a", "b", metrics=metrics, verdicts=("pass", "pass"))
    start = time.perf_counter()
    md = render_markdown(d)
    text = render_text(d)
    assert time.perf_counter() - start < 30  # quadratic: minutes
    assert len(md.encode("utf-8")) <= MAX_BYTES
    assert "### Metrics beyond noise (200)" in md and md.count("✅ better") == 200
    assert "left out to keep this diff under 1 MiB" in md and "_200 metrics beyond noise" in md
    assert text.count("within noise") >= 20_000  # the text lists every row


def test_visible_rows_are_cut_to_fit_saying_how_many_are_left():
    from auditor.diff.compare import AuditDiff
    from auditor.diff.render import MAX_BYTES

    d = AuditDiff("a", "b", metrics=_many_changes(30_000, "better"), verdicts=("pass", "pass"))
    md = render_markdown(d)
    assert len(md.encode("utf-8")) <= MAX_BYTES
    shown = md.count("✅ better")
    assert 1000 < shown < 30_000
    assert f"| … {30_000 - shown:,} more rows: `auditor diff --format text`" in md
    assert "_30,000 metrics beyond noise" in md  # the count line stays


def test_unchanged_metrics_listed_outside_a_table_keep_their_pipe():
    """The unchanged metrics are a comma-separated list of code spans, not table cells: a
    ``|`` in a label is written as itself there (``\\|`` showed its backslash)."""
    from auditor.diff.compare import AuditDiff, Change

    node = {"value": 0.5, "ci_low": 0.4, "ci_high": 0.6, "n": 100}
    key = "fairness.features.g.groups[a|b].metrics.accuracy"
    d = AuditDiff("a", "b", metrics=[Change(key, node, node, "same")])
    md = render_markdown(d)
    assert f"`{key}`" in md and "\\|" not in md


def test_a_reason_lists_a_few_groups_and_counts_the_rest():
    from auditor.gates.comparable import not_comparable

    def audit(groups):
        items = [{"group": g, "status": "ok"} for g in groups]
        return {"run": {"scenario": "predictions"}, "fairness": {"status": "ok",
                "features": {"zip": {"groups": items}}}}  # fmt: skip

    a = audit([f"z{i:04d}" for i in range(900)])
    b = audit([f"z{i:04d}" for i in range(100, 1000)])
    [(prefix, reason)] = not_comparable(a, b)
    assert prefix == "fairness.features.zip.disparities."
    assert "A only: z0000, z0001" in reason and "and 92 more" in reason
    assert "B only: z0900" in reason and len(reason) < 300


def test_gates_only_b_has_that_pass_are_folded_apart_from_verdict_changes():
    """The first run with --baseline adds a passing gate per baseline comparison: those are
    counted and folded, the real verdict change keeps the visible table to itself."""
    a, b = _fake(0.1, "pass", "missing"), _fake(0.3, "fail", "declared")
    extra = [dict(b["gates"]["results"][0], name=f"vs baseline {i}", source="baseline",
                  metric=f"performance.m{i}", status="pass") for i in range(3)]  # fmt: skip
    b["gates"]["results"] += extra
    d = diff_audits(a, b)
    md = render_markdown(d)
    table = md.split("### Gates that changed")[1].split("<details>")[0]
    assert "(1)" in table and "❌ fail" in table and "vs baseline" not in table
    assert "3 gates added, each passing" in md and "vs baseline 2" in md
    text = render_text(d)
    changed, added = text.split("Gates that changed")[1].split("Gates added, each passing")
    assert "vs baseline" not in changed and added.count("vs baseline") == 3
    same_verdicts = diff_audits(a, dict(a, gates=dict(a["gates"], results=[
        *a["gates"]["results"], *extra])))  # fmt: skip
    assert "no verdict changed (4 gates; 3 added, each passing)" in render_markdown(same_verdicts)


def test_a_diff_prints_intervals_rounded_outward():
    """A printed interval is never narrower than the recorded one (it was rounded to the
    nearest: [0.1236, 0.1764] read [0.124, 0.176])."""
    from auditor.diff.render import fmt_metric

    node = {"value": 0.15, "ci_low": 0.1236, "ci_high": 0.1764}
    assert fmt_metric(node) == "0.150 [0.123, 0.177]"
    assert fmt_metric({"value": 0.15, "ci_low": None, "ci_high": None}) == "0.150"
