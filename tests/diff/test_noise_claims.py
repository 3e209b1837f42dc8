"""What ``auditor diff`` may claim: a change inside both intervals is within noise even where
a point-mode gate on it changed its verdict (the gate's row says that, with both values);
every number is shown with its count; intervals at other confidence levels are said."""

from __future__ import annotations

import copy

from typer.testing import CliRunner

from auditor.diff import diff_audits, render_markdown, render_text

runner = CliRunner()
GAP = "fairness.features.sex.disparities.demographic_parity_difference.between_groups"


def _audit(value: float, low: float, high: float, verdict: str, *, level: float = 0.95):
    node = {"value": value, "ci_low": low, "ci_high": high, "n": 400}
    gate = {
        "name": "sex: gap <= 0.20", "metric": GAP, "group": "F", "mode": "point",
        "bound": {"max": 0.2}, "status": verdict, "source": "config",
        "value": value, "ci_low": low, "ci_high": high, "n": 400,
    }  # fmt: skip
    return {
        "run": {"name": "r", "created_at": "t", "seed": 0, "library_versions": {}},
        "tool": {"version": "0"},
        "config": {},
        "data": {"splits": {"test": {"sha256": "a" * 64, "n_rows": 400}}},
        "model": {"checkpoints": {}},
        "performance": {"status": "not_run", "reason": "x"},
        "fairness": {
            "status": "ok",
            "ci_level": level,
            "features": {
                "sex": {"disparities": {"demographic_parity_difference": {"between_groups": node}}}
            },
        },  # fmt: skip
        "privacy": {"status": "not_run", "reason": "x"},
        "transparency": {"status": "not_run", "reason": "x"},
        "gates": {"status": "ok", "verdict": verdict, "results": [gate]},
    }


def test_a_gate_crossing_inside_both_intervals_is_not_worse():
    """0.19 [0.12, 0.27] -> 0.21 [0.14, 0.29] under a point gate max 0.20: the gate fails,
    but each estimate is inside the other's interval; diff called the gap '❌ worse',
    beyond noise."""
    d = diff_audits(_audit(0.19, 0.12, 0.27, "pass"), _audit(0.21, 0.14, 0.29, "fail"))
    [m] = [c for c in d.metrics if c.key == GAP]
    assert m.change == "within noise"
    assert d.beyond_noise == []
    md = render_markdown(d)
    assert "❌ worse" not in md and "Metrics beyond noise" not in md
    # the gate's row gives what it judged: both values with their intervals and counts
    gates = md.split("### Gates that changed")[1].split("\n\n")[1]
    assert "0.190 [0.120, 0.270], n=400" in gates and "0.210 [0.140, 0.290], n=400" in gates
    assert "0.190 [0.120, 0.270], n=400" in render_text(d)


def test_apart_intervals_are_still_worse():
    d = diff_audits(_audit(0.05, 0.01, 0.09, "pass"), _audit(0.31, 0.25, 0.37, "fail"))
    [m] = [c for c in d.metrics if c.key == GAP]
    assert m.change == "worse" and d.beyond_noise == [m]
    assert "0.310 [0.250, 0.370], n=400" in render_markdown(d)


def test_other_confidence_levels_are_said():
    """The same estimates at 95% and at 99.9%: every interval widened, and diff listed the
    numbers as 'changed within noise' without saying the levels differ."""
    a = _audit(0.19, 0.12, 0.27, "pass")
    b = _audit(0.19, 0.10, 0.30, "pass", level=0.999)
    d = diff_audits(a, b)
    warning = "fairness intervals are at 95% in A and at 99.9% in B"
    assert any(warning in r for r in d.levels)
    assert warning in render_markdown(d) and warning in render_text(d)
    assert diff_audits(a, copy.deepcopy(a)).levels == ()


def test_a_group_in_one_audit_only_is_not_counted_beyond_noise():
    """A group only B has: its rows are shown, but they are no change beyond noise; the
    title and the count line said '1 metric beyond noise' of a diff where nothing moved."""
    a = _audit(0.19, 0.12, 0.27, "pass")
    b = copy.deepcopy(a)
    b["fairness"]["features"]["sex"]["groups"] = {
        "X": {"metrics": {"accuracy": {"value": 0.9, "ci_low": 0.8, "ci_high": 0.95, "n": 60}}}
    }
    d = diff_audits(a, b)
    assert [c.change for c in d.beyond_noise] == ["added"]
    md, text = render_markdown(d), render_text(d)
    assert "### Metrics beyond noise, added or removed (1)" in md
    assert "Metrics beyond noise, added or removed" in text
    for out in (md, text):
        assert "0 metrics beyond noise · 1 added or removed ·" in out


def test_a_gap_gate_gives_the_rows_of_the_two_groups_it_compares():
    """A gap has no n of its own: its gate's row gives its pair's ('n=84 vs 260'), as the
    terminal, summary.md and junit.xml do; the diff gave the gap with no count."""
    a, b = _audit(0.19, 0.12, 0.27, "pass"), _audit(0.31, 0.25, 0.37, "fail")
    for audit, sizes in ((a, (84, 260)), (b, (90, 250))):
        feature = audit["fairness"]["features"]["sex"]
        feature["groups"] = [
            {"group": "F", "status": "ok", "n": sizes[0]},
            {"group": "M", "status": "ok", "n": sizes[1]},
        ]
        gap = feature["disparities"]["demographic_parity_difference"]["between_groups"]
        gap["pair"] = ["F", "M"]
        gap["n"] = audit["gates"]["results"][0]["n"] = None
    md = render_markdown(diff_audits(a, b))
    assert "0.190 [0.120, 0.270], n=84 vs 260" in md and "n=90 vs 250" in md


def _with_tiny_group(audit: dict, correct: int) -> dict:
    """``audit`` with a group T of 5 rows (below the minimum size: insufficient data)."""
    acc = {"value": correct / 5, "ci_low": 0.0 if correct == 0 else 0.57, "n": 5,
           "ci_high": 0.43 if correct == 0 else 1.0}  # fmt: skip
    audit["fairness"]["features"]["sex"]["groups"] = [
        {"group": "T", "n": 5, "status": "insufficient_data",
         "reason": "n = 5 is below the minimum group size 30", "metrics": {"accuracy": acc}},
    ]  # fmt: skip
    return audit


def test_a_group_with_insufficient_data_gets_no_better_or_worse():
    """A group below the minimum size reads 'insufficient data' everywhere else; its 0/5 ->
    5/5 (Wilson intervals apart) was '✅ better', beyond noise, in the diff."""
    a = _with_tiny_group(_audit(0.19, 0.12, 0.27, "pass"), 0)
    b = _with_tiny_group(_audit(0.19, 0.12, 0.27, "pass"), 5)
    d = diff_audits(a, b)
    [m] = [c for c in d.metrics if c.key == "fairness.features.sex.groups[T].metrics.accuracy"]
    assert m.change == "insufficient data" and d.beyond_noise == []
    md, text = render_markdown(d), render_text(d)
    assert "better" not in md and "better" not in text
    assert "1 insufficient data" in md and "insufficient data" in text


def test_a_gap_row_gives_the_rows_of_its_pair_and_an_empty_pair_none():
    """A gap's metric row had no count (a gap has no n): it gives its pair's rows, a gap to
    the overall rate its group's and all rows; an insufficient gap (pair []) none."""
    a, b = _audit(0.19, 0.12, 0.27, "pass"), _audit(0.31, 0.25, 0.37, "fail")
    for audit, sizes in ((a, (84, 260)), (b, (90, 250))):
        fair = audit["fairness"]
        fair["overall"] = {"count": {"value": float(sum(sizes)), "n": sum(sizes)}}
        feature = fair["features"]["sex"]
        feature["groups"] = [
            {"group": "F", "status": "ok", "n": sizes[0]},
            {"group": "M", "status": "ok", "n": sizes[1]},
        ]
        gaps = feature["disparities"]["demographic_parity_difference"]
        gaps["between_groups"].update(pair=["F", "M"], n=None)
        gaps["to_overall"] = {"value": sizes[0] / 1000, "ci_low": 0.0, "ci_high": 0.2, "n": None,
                              "method": "to_overall", "pair": ["F", "overall"]}  # fmt: skip
        feature["disparities"]["equalized_odds_difference"] = {
            "between_groups": {"value": None, "ci_low": None, "ci_high": None, "n": None,
                               "status": "insufficient_data", "pair": []}}  # fmt: skip
    md = render_markdown(diff_audits(a, b))
    assert "0.190 [0.120, 0.270], n=84 vs 260 | 0.310 [0.250, 0.370], n=90 vs 250" in md
    assert "n=84 vs 344 overall" in md and "n=90 vs 340 overall" in md


def test_a_gate_on_a_gap_to_the_overall_rate_gives_the_count_its_metric_row_gives():
    """The gate row of a gap to the overall rate had no n ('pass · 0.005 [0.000, 0.031]')
    where the metric row of the same number gave 'n=84 vs 344 overall': one helper now."""
    overall = GAP.replace("between_groups", "to_overall")
    a, b = _audit(0.05, 0.01, 0.09, "pass"), _audit(0.31, 0.25, 0.37, "fail")
    for audit, sizes in ((a, (84, 260)), (b, (90, 250))):
        fair = audit["fairness"]
        fair["overall"] = {"count": {"value": float(sum(sizes)), "n": sum(sizes)}}
        feature = fair["features"]["sex"]
        feature["groups"] = [{"group": "F", "status": "ok", "n": sizes[0]},
                             {"group": "M", "status": "ok", "n": sizes[1]}]  # fmt: skip
        gaps = feature["disparities"]["demographic_parity_difference"]
        gaps["to_overall"] = gaps.pop("between_groups")
        gaps["to_overall"].update(n=None, method="to_overall", pair=["F", "overall"])
        audit["gates"]["results"][0].update(metric=overall, n=None)
    d = diff_audits(a, b)
    md, text = render_markdown(d), render_text(d)
    gates = md.split("### Gates that changed")[1].split("\n\n")[1]
    for out in (gates, text):
        assert "0.050 [0.010, 0.090], n=84 vs 344 overall" in out
        assert "0.310 [0.250, 0.370], n=90 vs 340 overall" in out


def _with_mitigation(audit: dict, gap: float) -> dict:
    """``audit`` with a mitigation preview of feature sex over 445 rows (no group's rows)."""
    rate = {"value": 0.5, "ci_low": 0.45, "ci_high": 0.55, "n": 445}
    node = {"value": gap, "ci_low": max(gap - 0.1, 0.0), "ci_high": gap + 0.1, "status": "ok",
            "method": "between_groups", "pair": ["F", "M"]}  # fmt: skip
    summary = {"accuracy": rate, "selection_rate": rate, "demographic_parity_difference": node}
    audit["fairness"]["mitigation"] = {"status": "ok", "features": {"sex": {
        "status": "ok", "before": summary,
        "constraints": {"demographic_parity": {"status": "ok", "after": summary}}}}}  # fmt: skip
    return audit


def test_a_mitigation_gap_row_gives_the_rows_it_was_evaluated_on():
    """The mitigation preview's gaps were the diff's only numbers without a count (it records
    no group's rows): each gives the rows it was evaluated on, every group together."""
    a = _with_mitigation(_audit(0.19, 0.12, 0.27, "pass"), 0.14)
    b = _with_mitigation(_audit(0.19, 0.12, 0.27, "pass"), 0.22)
    text = render_text(diff_audits(a, b))
    rows = [line for line in text.splitlines() if "mitigation" in line]
    assert len(rows) == 2
    for line in rows:
        assert "0.140 [0.040, 0.240], n=445 over all groups" in line
        assert "0.220 [0.120, 0.320], n=445 over all groups" in line


def _many_groups(shift: float, n_apart: int, level: float = 0.95, test: str = "a") -> dict:
    """2,000 groups' accuracies; ``test``: the test split's sha256, by its letter."""
    audit = _audit(0.19, 0.12, 0.27, "pass", level=level)
    audit["data"]["splits"]["test"]["sha256"] = test * 64
    audit["fairness"]["features"]["sex"]["groups"] = [
        {"group": f"g{i}", "n": 100, "status": "ok", "metrics": {"accuracy": {
            "value": 0.5 + (shift if i < n_apart else shift / 100), "n": 100,
            "ci_low": 0.4 + (shift if i < n_apart else 0), "ci_high": 0.6 + shift}}}
        for i in range(2000)
    ]  # fmt: skip
    return audit


def test_the_count_of_changes_beyond_noise_says_how_many_chance_alone_gives():
    """Two 95% intervals fall apart by chance for about 0.56% of numbers that did not
    change: 990 zip groups of two samples of one model gave '54 metrics beyond noise', each
    'worse' or 'better', where about 67 come by chance alone; the diff did not say so."""
    d = diff_audits(_many_groups(0.0, 0), _many_groups(0.3, 10, test="b"))
    n, expected = d.chance
    assert n == 2000 and 11.0 < expected < 11.3  # 2000 x 0.557%
    md, text = render_markdown(d), render_text(d)
    for out in (md, text):
        assert "10 metrics beyond noise" in out
        assert "of 2,000 numbers compared by their intervals, about 11 would fall apart" in out
    # at 99.9% intervals, chance gives about none: nothing is said
    quiet = diff_audits(_many_groups(0.0, 0, 0.999), _many_groups(0.3, 10, 0.999, test="b"))
    assert quiet.chance[1] < 0.5 and "by chance" not in render_markdown(quiet)


def test_chance_alone_is_said_only_of_other_test_data_and_at_both_levels():
    """The 0.56% of two independent samples was said of two audits of the same test split
    too (a pull request against its baseline), where both estimates share their sampling
    noise: 8,910 numbers moved by 1e-9 read 'about 50 would fall apart by chance alone'.
    And the level was B's alone: at 95% in A and 99.9% in B it said 0.0003% a number."""
    same = diff_audits(_many_groups(0.0, 0), _many_groups(0.3, 10))
    assert same.test_data is None and same.chance is None
    for out in (render_markdown(same), render_text(same)):
        assert "10 metrics beyond noise ·" in out and "by chance" not in out
    mixed = diff_audits(_many_groups(0.0, 0), _many_groups(0.3, 10, 0.999, test="b"))
    n, expected = mixed.chance
    assert n == 2000 and 0.40 < expected < 0.42  # 2000 x 0.0205%: z 1.96 and 3.29
    swapped = diff_audits(_many_groups(0.0, 0, 0.999), _many_groups(0.3, 10, test="b"))
    assert abs(swapped.chance[1] - expected) < 1e-9  # B's level alone gave 0.006 here, 11 there


def test_the_count_line_writes_every_number_with_thousands_separators():
    """'(of 2,000 numbers ...) · 1990 within noise': one line, two formats."""
    a, b = _many_groups(0.0, 0), _many_groups(0.3, 10, test="b")
    b["fairness"]["features"]["sex"]["groups"] += [
        {"group": f"new-{i}", "n": 100, "status": "ok", "metrics": {"accuracy": {
            "value": 0.5, "ci_low": 0.4, "ci_high": 0.6, "n": 100}}} for i in range(1500)
    ]  # fmt: skip
    d = diff_audits(a, b)
    line = (
        "10 metrics beyond noise (of 2,000 numbers compared by their intervals, about 11 "
        "would fall apart by chance alone) · 1,500 added or removed · 1,990 within noise"
    )
    for out in (render_markdown(d), render_text(d)):
        assert line in out
    assert "### Metrics beyond noise, added or removed (1,510)" in render_markdown(d)


def test_a_folded_part_too_big_is_left_out_not_the_small_ones_after_it():
    """12,000 group rates within noise make a folded table over 1 MiB: the parts after it
    (the provenance that names the changed config) were dropped with it."""
    a, b = _many_groups(0.0, 0), _many_groups(0.3, 0)
    for audit in (a, b):
        groups = audit["fairness"]["features"]["sex"]["groups"]
        groups += [{**g, "group": f"{g['group']}-{k}"} for k in range(5) for g in groups[:2000]]
    b["config"] = {"changed": True}
    md = render_markdown(diff_audits(a, b))
    assert len(md.encode("utf-8")) <= 1024 * 1024
    assert "<summary>Provenance: 2 changed</summary>" in md  # its hash and the setting
    assert "changed within noise" not in md and "Some folded details were left out" in md


def test_visible_rows_over_1_mib_keep_the_small_folded_parts():
    """Groups only B has, more than 1 MiB of visible rows: the rows were cut to fit, and
    every folded part went with them, the provenance naming B's other seed included."""
    a, b = _audit(0.19, 0.12, 0.27, "pass"), _audit(0.19, 0.12, 0.27, "pass")
    rate = {"value": 0.5, "ci_low": 0.4, "ci_high": 0.6, "n": 100}
    b["fairness"]["features"]["sex"]["groups"] = [
        {"group": f"group-{i:05d}", "n": 100, "status": "ok",
         "metrics": {"accuracy": rate, "selection_rate": rate}} for i in range(8000)
    ]  # fmt: skip
    b["run"]["seed"] = 7
    md = render_markdown(diff_audits(a, b))
    assert 1000 * 1024 < len(md.encode("utf-8")) <= 1024 * 1024
    assert "more rows: `auditor diff --format text` lists every row |" in md
    assert "<summary>Provenance: 1 changed</summary>" in md and "| seed | 0 | 7 |" in md
    assert "Some folded details were left out" not in md  # every folded part is there


def test_a_rate_the_counts_cannot_resolve_gets_no_better_or_worse():
    """A TPR at an FPR its non-members cannot resolve (resolvable = false: fewer than 1/FPR)
    is 'insufficient data' for the gates and summary.md; the diff called it better/worse."""
    path = 'privacy.attacks.loss.tpr_at_fpr."0.001"'
    a, b = _audit(0.19, 0.12, 0.27, "pass"), _audit(0.19, 0.12, 0.27, "pass")
    for audit, tpr in ((a, 0.0), (b, 0.3)):
        node = {"value": tpr, "ci_low": max(tpr - 0.02, 0.0), "ci_high": tpr + 0.02, "n": 266,
                "resolvable": False}  # fmt: skip
        audit["privacy"] = {"status": "ok", "confidence": 0.95,
                            "attacks": {"loss": {"tpr_at_fpr": {"0.001": node}}}}  # fmt: skip
    [m] = [c for c in diff_audits(a, b).metrics if c.key == path]
    assert m.change == "insufficient data"
