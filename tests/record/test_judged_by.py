"""An audit records which gate code judged it (``gates.judged_by``), and only that code judges
its gates again in full on read-back: any later change to the gate code (a default bound
changed) made every older audit.json unreadable by card, diff, gate, ``--baseline`` and
``AuditResult.load`` (the stored verdicts were not today's). A file other code judged is
checked against its own numbers instead; a hand edit of a file with this code's stamp is
still refused (:mod:`auditor.record.verdicts`, :mod:`auditor.record.own_numbers`)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from auditor.api import AuditResult
from auditor.cli import app
from auditor.config import AuditConfig, FairnessConfig, GatesConfig
from auditor.gates import evaluate, tally
from auditor.gates.stamp import judged_by
from auditor.record import verdicts
from auditor.run_folder import read_audit
from tests.builders import predictions_audit

runner = CliRunner()
ECE = "performance.finetuned.test.ece"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("judged_by")
    rules = [{"metric": "performance.finetuned.test.accuracy", "min": 0.5},
             {"metric": "fairness.features.*.groups[*].metrics.accuracy", "min": 0.05}]
    config = AuditConfig(name="p", fairness=FairnessConfig(),
                         gates=GatesConfig.model_validate({"rules": rules}))  # fmt: skip
    return predictions_audit(folder, config=config).run_dir


@pytest.fixture
def later_code(monkeypatch):
    """The gate code of a later auditor: the default ECE bound 0.10 made 0.12 (as reader R4
    did in a copy of the code), and so another stamp."""
    defaults = evaluate.default_rules

    def changed(*args, **kwargs):
        rules = defaults(*args, **kwargs)
        return [r.model_copy(update={"max": 0.12}) if r.metric == ECE else r for r in rules]

    monkeypatch.setattr(evaluate, "default_rules", changed)
    for module in (evaluate, verdicts):
        monkeypatch.setattr(module, "judged_by", lambda: "later-gate-code0")


def test_a_new_audit_records_the_gate_code_that_judged_it(run_dir):
    gates = json.loads((run_dir / "audit.json").read_text())["gates"]
    assert gates["judged_by"] == judged_by() and len(judged_by()) == 16


def test_an_older_audit_reads_through_every_reader_after_the_gate_code_changed(
    run_dir, tmp_path, later_code
):
    old = str(run_dir / "audit.json")
    assert AuditResult.load(run_dir).data["gates"]["judged_by"] != verdicts.judged_by()
    for args in (["card", old, "--out", str(tmp_path / "card")], ["diff", old, old],
                 ["gate", old, "--out", str(tmp_path / "gate")],
                 ["gate", old, "--baseline", old, "--out", str(tmp_path / "base")]):  # fmt: skip
        result = runner.invoke(app, args)
        assert result.exit_code in (0, 1), (args, result.output)  # read: not exit 2
    gated = json.loads((tmp_path / "gate" / "audit.json").read_text())["gates"]
    ece = next(r for r in gated["results"] if r["metric"] == ECE)
    assert ece["bound"]["max"] == 0.12 and gated["judged_by"] == "later-gate-code0"


def _forged(run_dir, tmp_path, edit) -> str:
    audit = json.loads((run_dir / "audit.json").read_text())
    edit(audit["gates"])
    counts, verdict = tally(r["status"] for r in audit["gates"]["results"])
    audit["gates"].update(counts=counts, verdict=verdict)
    out = tmp_path / "forged" / "audit.json"
    out.parent.mkdir()
    out.write_text(json.dumps(audit))
    return str(out)


def _small_group_passed(gates):
    r = next(r for r in gates["results"] if r["outcome"] == "insufficient_data"
             and r["value"] is not None)  # fmt: skip
    r.update(outcome="pass", status="pass")


def test_a_hand_edit_of_a_file_with_this_codes_stamp_is_still_refused(run_dir, tmp_path):
    forged = _forged(run_dir, tmp_path, _small_group_passed)
    result = runner.invoke(app, ["card", forged, "--out", str(tmp_path / "card")])
    assert result.exit_code == 2 and "its own gates config gives" in result.output, result.output


def test_a_file_other_code_judged_is_still_checked_against_its_own_numbers(run_dir, tmp_path):
    def unstamped(gates):  # the stamp removed too: checked against its own numbers
        _small_group_passed(gates)
        del gates["judged_by"]

    forged = _forged(run_dir, tmp_path, unstamped)
    result = runner.invoke(app, ["diff", forged, str(run_dir)])
    assert result.exit_code == 2 and "below its minimum count" in result.output, result.output
    _, _ = read_audit(run_dir)  # the untouched file reads


def test_a_gap_the_gate_took_over_its_larger_groups_reads_from_an_older_file(tmp_path):
    """A gap gate whose minimum count is above the audit's minimum group size takes the gap
    again over the groups that reach it: its value is not the one its path reads. Checked
    against its own numbers, an older file holding one was refused ("is not what ... holds
    in this audit"): 28 of reader R4's real audits."""
    rules = [{"metric": "fairness.features.region.disparities.equalized_odds_difference"
              ".between_groups", "max": 0.9, "min_n": 500}]  # fmt: skip
    config = AuditConfig(name="p", fairness=FairnessConfig(),
                         gates=GatesConfig.model_validate({"rules": rules}))  # fmt: skip
    run = predictions_audit(tmp_path / "gap", config=config).run_dir
    audit = json.loads((run / "audit.json").read_text())
    gate = next(r for r in audit["gates"]["results"] if r["source"] == "config")
    node = audit["fairness"]["features"]["region"]["disparities"]
    assert gate["value"] != node["equalized_odds_difference"]["between_groups"]["value"]
    del audit["gates"]["judged_by"]  # written before the stamp: checked by its own numbers
    older = tmp_path / "older" / "audit.json"
    older.parent.mkdir()
    older.write_text(json.dumps(audit))
    assert read_audit(older)[0]["gates"]["verdict"] == audit["gates"]["verdict"]


def _own(results, node):
    """A file other code judged: ``results`` over the one node ``performance.m`` (``node``)."""
    return {"gates": {"baseline": None, "results": results}, "performance": {"m": node}}


def test_a_boolean_is_not_taken_for_the_number_it_equals():
    """own_numbers kept its own copy of the rule that compares numbers, and took True for the
    1.0 its path reads; baseline_verdicts.differs (the one rule) does not."""
    from auditor.errors import AuditorInputError
    from auditor.record.own_numbers import check_own_numbers

    r = {"metric": "performance.m", "outcome": "pass", "status": "pass", "value": True, "n": 50,
         "min_n": 30, "bound": {"min": 0.5}, "mode": "point", "source": "config"}  # fmt: skip
    with pytest.raises(AuditorInputError, match="results/0/value"):
        check_own_numbers(_own([r], {"value": 1.0, "n": 50}), [r], source="f", tolerance=1e-9)


def test_a_gap_the_gate_read_as_written_is_checked_against_its_node(run_dir, tmp_path):
    """Every gap's value was taken as written, not only those a gate takes again over its
    larger groups (minimum count above fairness.min_group_size): a gap edited lower read."""
    def lowered(gates):
        gap = next(r for r in gates["results"] if ".disparities." in r["metric"])
        assert gap["min_n"] <= 30  # the audit's min_group_size: the gap its path reads
        gap.update(value=gap["value"] / 2)
        del gates["judged_by"]

    forged = _forged(run_dir, tmp_path, lowered)
    result = runner.invoke(app, ["card", forged, "--out", str(tmp_path / "card")])
    assert result.exit_code == 2 and "holds in this audit" in result.output, result.output


NARROWED = [("n", lambda r: r["n"] + 40), ("ci_low", lambda r: (r["ci_low"] + r["value"]) / 2),
            ("ci_high", lambda r: (r["ci_high"] + r["value"]) / 2)]  # fmt: skip


@pytest.mark.parametrize(("field", "edit"), NARROWED)
def test_a_results_count_and_interval_are_the_ones_its_node_holds(run_dir, tmp_path, field, edit):
    """Only a result's value was compared with the node its path reads; its count and
    interval ends, which the verdict is judged from, were taken as written (a tiny group's
    n raised past min_n, a confident-pass interval narrowed): each is now compared too."""
    def narrowed(gates):
        r = next(r for r in gates["results"] if r["metric"].endswith("test.accuracy"))
        r[field] = edit(r)
        del gates["judged_by"]

    forged = _forged(run_dir, tmp_path, narrowed)
    result = runner.invoke(app, ["diff", forged, str(run_dir)])
    assert result.exit_code == 2 and f"/{field}: " in result.output, result.output


def test_a_judged_number_made_insufficient_data_is_refused(run_dir, tmp_path):
    """Outcomes other than pass or fail were never checked: a failing gate over n=2000
    (min_n 30) edited to insufficient data, warn, read. A number with its count at least
    the minimum and a node that resolves is judged, pass or fail."""
    def hidden(gates):
        r = next(r for r in gates["results"] if r["metric"] == ECE)
        assert r["n"] >= r["min_n"] and r["value"] is not None
        r.update(outcome="insufficient_data", status="warn")
        del gates["judged_by"]

    forged = _forged(run_dir, tmp_path, hidden)
    result = runner.invoke(app, ["card", forged, "--out", str(tmp_path / "card")])
    assert result.exit_code == 2 and "results/1/outcome" in result.output, result.output
    assert "gives a verdict" in result.output and not (tmp_path / "card").exists()


def test_a_pass_over_a_node_that_cannot_resolve_its_rate_is_refused():
    """A pass or fail over a node that gives no verdict (its counts cannot resolve the rate)
    was read: it is insufficient data whatever the rule."""
    from auditor.errors import AuditorInputError
    from auditor.record.own_numbers import check_own_numbers

    node = {"value": 0.9, "ci_low": 0.5, "ci_high": 1.0, "n": 50, "resolvable": False}
    r = {"metric": "performance.m", "outcome": "pass", "status": "pass", "value": 0.9, "n": 50,
         "min_n": 30, "ci_low": 0.5, "ci_high": 1.0, "bound": {"min": 0.1}, "mode": "point",
         "source": "config"}  # fmt: skip
    with pytest.raises(AuditorInputError, match="resolvable = false"):
        check_own_numbers(_own([r], node), [r], source="f", tolerance=1e-9)


def test_a_gap_over_features_that_are_not_a_mapping_is_not_a_crash():
    """The schema refuses such a file first; the check on its own raised AttributeError."""
    from auditor.record.own_numbers import check_own_numbers

    r = {"metric": "fairness.features.sex.disparities.fnr_difference.between_groups",
         "outcome": "pass", "status": "pass", "value": 0.01, "n": None, "min_n": 50,
         "bound": {"max": 0.1}, "mode": "point", "source": "config"}  # fmt: skip
    data = {"gates": {"results": [r]}, "fairness": {"min_group_size": 30, "features": ["sex"]}}
    check_own_numbers(data, [r], source="f", tolerance=1e-9)


def test_a_gap_over_fewer_than_two_large_groups_made_a_pass_is_refused(tmp_path):
    """A gap gate whose minimum count one group alone reaches is insufficient data (a gap
    needs two groups); taken out of the check against its node, its pass was read."""
    rules = [{"metric": "fairness.features.region.disparities.equalized_odds_difference"
              ".between_groups", "max": 0.9, "min_n": 800}]  # fmt: skip
    config = AuditConfig(name="p", fairness=FairnessConfig(),
                         gates=GatesConfig.model_validate({"rules": rules}))  # fmt: skip
    run = predictions_audit(tmp_path / "few", config=config).run_dir

    def passed(gates):
        gate = next(r for r in gates["results"] if r["source"] == "config")
        assert gate["outcome"] == "insufficient_data" and gate["value"] is not None
        gate.update(outcome="pass", status="pass")
        del gates["judged_by"]

    forged = _forged(run, tmp_path, passed)
    result = runner.invoke(app, ["diff", forged, str(run)])
    assert result.exit_code == 2 and "needs two" in result.output, result.output


def test_a_pass_in_a_group_that_lacks_data_says_so(run_dir, tmp_path):
    """A tiny group's gate made pass with its count raised was refused as "0.8 is not what
    ... holds in this audit (None)", where the node holds 0.8 and its group lacks data."""
    def raised(gates):
        _small_group_passed(gates)
        r = next(r for r in gates["results"] if r["outcome"] == "pass"
                 and r["n"] is not None and r["n"] < r["min_n"])  # fmt: skip
        r.update(n=r["min_n"] + 10)
        del gates["judged_by"]

    forged = _forged(run_dir, tmp_path, raised)
    result = runner.invoke(app, ["diff", forged, str(run_dir)])
    assert result.exit_code == 2 and "its group lacks data" in result.output, result.output
