"""A gate verdict edited by hand, with the counts and the verdict edited to match, is refused
when the audit is read back (exit 2, naming the field): it was shown as passing by the card
and the diff while ``auditor gate`` judged the same numbers a failure. The read-back judges
the audit again with the gate code and the file's own gates config
(:mod:`auditor.record.verdicts`)."""

from __future__ import annotations

import json
import tempfile

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from auditor.config import AuditConfig, GatesConfig
from auditor.errors import AuditorInputError
from auditor.gates import tally
from auditor.run_folder import read_audit
from tests.builders import predictions_audit

runner = CliRunner()


@pytest.fixture(scope="module")
def audit_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("verdicts")
    rules = [{"metric": "performance.finetuned.test.accuracy", "min": 0.99, "name": "high"},
             {"metric": "performance.finetuned.test.accuracy", "max": 0.01, "mode": "point",
              "severity": "warning", "name": "low"}]  # fmt: skip
    config = AuditConfig(name="p", gates=GatesConfig.model_validate({"rules": rules}))
    return predictions_audit(folder, config=config).run_dir / "audit.json"


def _edited(path, tmp_path, edit, name="edited", *, unstamped=False) -> str:
    audit = json.loads(path.read_text())
    edit(audit["gates"]["results"])
    counts, verdict = tally(r["status"] for r in audit["gates"]["results"])
    audit["gates"].update(counts=counts, verdict=verdict)  # edited to match, as a forger would
    if unstamped:  # as an older file: judged by other gate code, checked by its own numbers
        del audit["gates"]["judged_by"]
    out = tmp_path / name / "audit.json"
    out.parent.mkdir()
    out.write_text(json.dumps(audit))
    return str(out)


def _result(name):
    return lambda results: next(r for r in results if r["name"] == name)


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        (lambda rs: _result("high")(rs).update(status="pass"), "status", "does not follow"),
        (lambda rs: _result("low")(rs).update(status="pass", outcome="pass"), "outcome",
         "'pass' is not what its own gates config gives this audit ('fail': "),
        (lambda rs: _result("high")(rs).update(value=0.995, ci_low=0.99, ci_high=0.999,
                                               status="pass", outcome="pass"), "value",
         "0.995 is not what its own gates config gives this audit"),
        # a failure made a warning: the rule's severity is "error" (before: only "not pass")
        (lambda rs: _result("high")(rs).update(status="warn"), "status",
         "'warn' is not what its own gates config gives this audit ('fail'"),
    ],
)
def test_an_edited_verdict_is_refused_by_gate_card_and_diff(audit_file, tmp_path, edit, field,
                                                            words):  # fmt: skip
    edited = _edited(audit_file, tmp_path, edit)
    for args in (["gate", edited], ["card", edited], ["diff", edited, str(audit_file)]):
        result = runner.invoke(app, [*args, "--out", str(tmp_path / args[0])]
                               if args[0] != "diff" else args)  # fmt: skip
        assert result.exit_code == 2, result.output
        line = result.output.strip()
        assert "\n" not in line and f"/{field}: " in line and words in line, line


def test_an_untouched_audit_reads_back(audit_file):
    data, _ = read_audit(audit_file)
    statuses = {r["name"]: r["status"] for r in data["gates"]["results"]}
    assert (statuses["high"], statuses["low"]) == ("fail", "warn")


@pytest.fixture(scope="module")
def group_gates(tmp_path_factory):
    folder = tmp_path_factory.mktemp("group-gates")
    rules = [{"metric": "fairness.features.*.groups[*].metrics.accuracy", "min": 0.05,
              "mode": "point", "name": "group accuracy"}]  # fmt: skip
    config = AuditConfig(name="p", gates=GatesConfig.model_validate({"rules": rules}))
    return predictions_audit(folder, config=config).run_dir / "audit.json"


def test_an_edited_value_among_many_group_gates_is_refused(group_gates, tmp_path):
    results = json.loads(group_gates.read_text())["gates"]["results"]
    passed = [i for i, r in enumerate(results) if r["name"].startswith("group accuracy")
              and r["outcome"] == "pass"]  # fmt: skip
    assert len(passed) >= 6
    i = passed[len(passed) // 2]

    def edit(rs):
        rs[i]["value"] -= 0.01  # still above the bound: the outcome and status hold

    edited = _edited(group_gates, tmp_path, edit)
    result = runner.invoke(app, ["gate", edited, "--out", str(tmp_path / "gate")])
    assert result.exit_code == 2, result.output
    assert f"gates/results/{i}/value: " in result.output, result.output
    assert read_audit(group_gates)[0]["gates"]["results"][i]["outcome"] == "pass"


def _refused(path: str, tmp_path, field: str, words: str) -> None:
    """``auditor gate``, ``card`` and ``diff`` each refuse ``path``: exit 2, one line naming
    ``field``, nothing written; ``AuditResult.load`` likewise."""
    from auditor.api import AuditResult
    from auditor.errors import AuditorInputError

    for args in (["gate", path], ["card", path], ["diff", path, path]):
        out = tmp_path / f"out-{args[0]}"
        result = runner.invoke(app, [*args, "--out", str(out)])
        assert result.exit_code == 2, result.output
        line = result.output.strip()
        assert "\n" not in line and f" {field}: " in line and words in line, line
        assert not out.exists()
    with pytest.raises(AuditorInputError) as caught:
        AuditResult.load(path)
    assert caught.value.field == field


def test_insufficient_data_edited_to_a_pass_is_refused(group_gates, tmp_path):
    results = json.loads(group_gates.read_text())["gates"]["results"]
    i = next(i for i, r in enumerate(results) if r["outcome"] == "insufficient_data")
    small = results[i]

    def edit(rs):  # the tiny group's gate made a pass, as a forger would write one
        rs[i].update(outcome="pass", status="pass", message="0.9 meets >= 0.05")

    edited = _edited(group_gates, tmp_path, edit)
    _refused(edited, tmp_path, f"gates/results/{i}/outcome",
             "'pass' is not what its own gates config gives this audit ('insufficient_data': "
             "insufficient data")  # fmt: skip

    def lowered(rs):  # ... with the minimum count lowered to the group's own n as well
        rs[i].update(outcome="pass", status="pass", min_n=small["n"])

    edited = _edited(group_gates, tmp_path, lowered, name="lowered")
    _refused(edited, tmp_path, f"gates/results/{i}/min_n", f"{small['n']} is not what")


def test_a_gate_removed_or_the_gates_replaced_is_refused(audit_file, tmp_path):
    def removed(rs):
        del rs[next(i for i, r in enumerate(rs) if r["name"] == "high")]

    edited = _edited(audit_file, tmp_path, removed)
    _refused(edited, tmp_path, "gates/results", "(a gate it lacks: ")
    audit = json.loads(audit_file.read_text())
    audit["gates"] = {"status": "not_run", "reason": "gates are disabled in config"}
    out = tmp_path / "not-run" / "audit.json"
    out.parent.mkdir()
    out.write_text(json.dumps(audit))
    _refused(str(out), tmp_path, "gates/status", "its gates config enables them")


def test_an_older_2_0_accuracy_interval_reads_by_its_own_numbers_not_under_the_stamp(
    audit_file, tmp_path
):
    """An accuracy gate's interval derived from its counts by plain Wilson (2.0 files before
    30fc014, which predates the stamp) reads back as such a file does, without the stamp;
    the same interval with another outcome does not. Under this code's stamp (which no such
    auditor wrote) the strict re-judge read it too: now refused as any other edit."""
    from auditor.audit_tree.read import wilson_bounds

    def plain(rs):
        r = _result("high")(rs)
        k = round(r["value"] * r["n"])
        lo, hi = wilson_bounds(float(k), float(r["n"]))
        r.update(ci_low=max(0.0, lo), ci_high=min(1.0, hi))

    older = _edited(audit_file, tmp_path, plain, unstamped=True)
    assert read_audit(older)[0]["gates"]["verdict"] == "fail"
    i = next(i for i, r in enumerate(read_audit(audit_file)[0]["gates"]["results"])
             if r["name"] == "high")  # fmt: skip

    def forged(rs):
        plain(rs)
        _result("high")(rs).update(outcome="pass", status="pass")

    edited = _edited(audit_file, tmp_path, forged, name="forged", unstamped=True)
    _refused(edited, tmp_path, f"gates/results/{i}/outcome", "'pass' is not what")


def test_a_plain_wilson_interval_under_this_codes_stamp_is_another_interval():
    """Near an end (999 of 1,000 right) plain Wilson and today's interval part; the strict
    re-judge took the plain one for an older file's, which never held the stamp."""
    from auditor.audit_tree.read import wilson_bounds, wilson_interval
    from auditor.record.verdicts import _disagreement

    lo, hi = wilson_interval(999, 1000)
    right = {"metric": "performance.finetuned.test.accuracy", "interval": "wilson",
             "value": 0.999, "n": 1000, "ci_low": lo, "ci_high": hi, "mode": "point",
             "bound": {"min": 0.99}, "outcome": "pass", "relation": "within"}  # fmt: skip
    plain_lo, plain_hi = wilson_bounds(999.0, 1000.0)
    older = {**right, "ci_low": plain_lo, "ci_high": min(1.0, plain_hi)}
    assert abs(plain_hi - hi) > 1e-5
    assert _disagreement(older, right, 1e-9) == "ci_high"


def test_an_older_2_0_path_with_a_bare_label_reads_by_its_own_numbers_not_under_the_stamp():
    """Before 3398015 (which predates the stamp) a group named "10" was written ``[10]``
    (today: ``["10"]``, as ``[10]`` reads the item at position 10). Checked against its own
    numbers and config (no stamp, as such a file has) the gate reads; under this code's
    stamp, which no such auditor wrote, it is another gate than the one judged again."""
    from auditor.gates import identity
    from auditor.record.own_config import check_own_config
    from auditor.record.verdicts import _disagreement

    bound, mode = {"min": 0.5, "max": None, "allowed": None, "tolerance": None}, "point"
    today = 'fairness.features.f.groups["10"].metrics.accuracy'
    right = {"metric": today, "id": identity(today, bound, mode), "bound": bound, "mode": mode,
             "value": 0.8, "outcome": "pass", "status": "pass"}  # fmt: skip
    bare = "fairness.features.f.groups[10].metrics.accuracy"
    older = {**right, "metric": bare, "id": identity(bare, bound, mode)}
    assert _disagreement(older, right, 1e-9) == "id"
    assert _disagreement(right, right, 1e-9) is None
    rule = {"metric": "fairness.features.f.groups[*].metrics.accuracy", "min": 0.5}
    node = {"label": "10", "n": 50, "metrics": {"accuracy": {"value": 0.8, "n": 50}}}
    r = {**older, "rule": "rules[0]", "source": "config", "min_n": 30}
    data = {"config": {"gates": {"use_defaults": False, "rules": [rule]}},
            "gates": {"fail_on": "failure", "defaults": None, "results": [r]},
            "fairness": {"status": "ok", "features": {"f": {"groups": [node]}}}}  # fmt: skip
    check_own_config(data, [r], source="f", tolerance=1e-9)
    other = {**r, "metric": "fairness.features.f.groups[11].metrics.accuracy"}
    with pytest.raises(AuditorInputError, match="results/0/metric"):
        check_own_config(data, [other], source="f", tolerance=1e-9)


def test_a_config_of_more_rules_than_gates_is_refused_before_any_is_judged(audit_file, tmp_path):
    audit = json.loads(audit_file.read_text())
    rule = audit["config"]["gates"]["rules"][0]
    audit["config"]["gates"]["rules"] = [rule] * 100_000  # each would walk the audit
    out = tmp_path / "many" / "audit.json"
    out.parent.mkdir()
    out.write_text(json.dumps(audit))
    _refused(str(out), tmp_path, "config/gates/rules",
             "100,000 rules, each giving one gate at least, where the file holds 7")  # fmt: skip


def test_a_bug_in_the_gate_code_is_an_internal_error_not_bad_input(audit_file, monkeypatch,
                                                                  capsys):  # fmt: skip
    """Only an AuditorInputError raised judging the file again (a rule of its config) is bad
    input; a KeyError, ValueError or TypeError inside today's gate code on a valid file was
    reported as "its gates config cannot judge this audit again", exit 2, blaming the file."""
    from auditor.cli import exit_code_of
    from auditor.record import verdicts

    def broken(*args, **kwargs):
        raise KeyError("a bug in the gate code")

    monkeypatch.setattr(verdicts, "judge_audit", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(audit_file.parent.parent))  # its crash log
    with pytest.raises(KeyError):
        read_audit(audit_file)
    code = exit_code_of(["card", str(audit_file), "--out", str(audit_file.parent.parent / "c")])
    err = capsys.readouterr().err  # exit 2 either way: the line says whose fault it is
    assert code == 2 and "internal error: KeyError" in err and "cannot judge" not in err, err


def test_rules_padded_with_results_to_match_are_judged_no_further_than_the_results(
    group_gates, tmp_path, monkeypatch
):
    """The cap of the rules at the gates the file holds was bypassed by padding the results
    too: one wildcard rule over every group, copied N times beside N copies of one result,
    had every copy judged (N x the groups: 10,000 copies took 12 s to refuse). No rule is
    judged once the results judged again pass those the file holds."""
    from auditor.gates import evaluate

    audit = json.loads(group_gates.read_text())
    n = 40
    audit["config"]["gates"]["rules"] = audit["config"]["gates"]["rules"][:1] * n
    first = next(r for r in audit["gates"]["results"] if r["source"] == "config")
    audit["gates"]["results"] = [dict(first, status="pass", outcome="pass")] * n
    counts, verdict = tally(r["status"] for r in audit["gates"]["results"])
    audit["gates"].update(counts=counts, verdict=verdict)
    padded = tmp_path / "padded" / "audit.json"
    padded.parent.mkdir()
    padded.write_text(json.dumps(audit))
    judged, evaluate_rule = [], evaluate.evaluate_rule

    def counted(*args, **kwargs):
        out = evaluate_rule(*args, **kwargs)
        judged.append(len(out))
        return out

    monkeypatch.setattr(evaluate, "evaluate_rule", counted)
    with pytest.raises(AuditorInputError) as caught:
        read_audit(padded)
    assert caught.value.field == "gates/results" and "more (" in caught.value.message
    per_rule = max(judged)
    assert per_rule > 1 and sum(judged) <= n + 2 * per_rule, judged  # + the built-in gates


@pytest.mark.parametrize("seconds", [None])
def test_a_gates_time_that_is_no_time_is_refused(audit_file, tmp_path, seconds):
    """A result's seconds null (the schema's form of NaN) passed the read-back and crashed
    junit.xml's sum of the gates' times: an internal error of card and gate."""
    edited = _edited(audit_file, tmp_path, lambda rs: rs[1].update(seconds=seconds))
    _refused(edited, tmp_path, "gates/results/1/seconds", "is not the time the gate took")
