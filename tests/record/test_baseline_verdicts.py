"""The baseline comparisons of an audit read back are judged again from their own baseline
numbers (:mod:`auditor.record.baseline_verdicts`): a comparison "worse" edited to
"unchanged" (status pass, the verdict, counts and findings edited to match) was read as
written by ``gate``, ``card`` and ``diff``."""

from __future__ import annotations

import json

import pytest

from auditor.config import AuditConfig, GatesConfig
from auditor.gates import tally
from auditor.run_folder import read_audit
from tests.builders import predictions_audit
from tests.record.test_verdicts import _refused

RULES = [
    {"metric": "performance.finetuned.test.accuracy", "min": 0.5},
    {"metric": "fairness.features.*.groups[*].metrics.accuracy", "min": 0.72,
     "mode": "confident-fail"},
]  # fmt: skip


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    old = predictions_audit(tmp_path_factory.mktemp("baseline"), seed=0).run_dir
    gates = GatesConfig.model_validate(
        {"rules": RULES, "baseline": str(old), "baseline_tolerance": 0.0}
    )
    config = AuditConfig(name="b", gates=gates)
    return predictions_audit(tmp_path_factory.mktemp("current"), seed=1, config=config).run_dir


def _edited(run, tmp_path, edit, name="edited") -> str:
    audit = json.loads((run / "audit.json").read_text())
    results = audit["gates"]["results"]
    edit(audit)
    counts, verdict = tally(r["status"] for r in results)
    findings = {"new": 0, "unchanged": 0, "worse": 0, "fixed": 0}
    for r in results:
        if r["source"] == "baseline":
            findings[r["baseline"]["finding"]] += 1
    audit["gates"].update(counts=counts, verdict=verdict)  # edited to match, as a forger would
    audit["gates"]["baseline"]["findings"] = findings
    out = tmp_path / name / "audit.json"
    out.parent.mkdir()
    out.write_text(json.dumps(audit))
    return str(out)


def _worse(audit) -> int:
    return next(i for i, r in enumerate(audit["gates"]["results"])
                if r["source"] == "baseline" and r["baseline"]["finding"] == "worse")  # fmt: skip


def test_the_comparisons_read_back(compared):
    findings = read_audit(compared)[0]["gates"]["baseline"]["findings"]
    assert findings["worse"] >= 1 and findings["unchanged"] >= 1


def test_a_worse_comparison_edited_to_unchanged_is_refused(compared, tmp_path):
    i = _worse(json.loads((compared / "audit.json").read_text()))

    def edit(audit):
        r = audit["gates"]["results"][i]
        r.update(status="pass", outcome="pass")
        r["baseline"]["finding"] = "unchanged"

    _refused(_edited(compared, tmp_path, edit), tmp_path, f"gates/results/{i}/baseline/finding",
             "'pass, unchanged' is not what the gate code gives from this comparison's own "
             "numbers (fail, worse)")  # fmt: skip


def test_a_worse_comparison_edited_in_a_file_other_code_judged_is_refused(compared, tmp_path):
    """Checked against its own numbers (the stamp of other gate code, or none: every file
    after the next change to the gate code), only the findings' tally was checked, so the
    same edit read; its comparisons are judged from their own numbers there too."""
    i = _worse(json.loads((compared / "audit.json").read_text()))

    def edit(audit):
        r = audit["gates"]["results"][i]
        r.update(status="pass", outcome="pass")
        r["baseline"]["finding"] = "unchanged"
        del audit["gates"]["judged_by"]

    _refused(_edited(compared, tmp_path, edit), tmp_path, f"gates/results/{i}/baseline/finding",
             "'pass, unchanged' is not what the gate code gives from this comparison's own "
             "numbers (fail, worse)")  # fmt: skip


def test_a_comparison_removed_or_a_tally_edited_is_refused(compared, tmp_path):
    def removed(audit):
        del audit["gates"]["results"][_worse(audit)]

    _refused(_edited(compared, tmp_path, removed), tmp_path, "gates/results",
             "baseline comparisons where its gates with a verdict give")  # fmt: skip
    audit = json.loads((compared / "audit.json").read_text())
    audit["gates"]["baseline"]["findings"]["worse"] = 0
    out = tmp_path / "tally" / "audit.json"
    out.parent.mkdir()
    out.write_text(json.dumps(audit))
    _refused(str(out), tmp_path, "gates/baseline/findings", "is not what its baseline")


def test_a_worse_comparison_edited_to_new_is_refused(compared, tmp_path):
    """A "new" comparison was taken as written even with the baseline's numbers complete
    (its value, interval, count and a passing status): one "worse" made "new", status pass,
    delta null, the tally re-made, read by ``diff`` with exit 0 (reader R4's newedit)."""
    i = _worse(json.loads((compared / "audit.json").read_text()))

    def edit(audit):
        r = audit["gates"]["results"][i]
        r.update(status="pass", outcome="pass")
        r["baseline"].update(finding="new", delta=None)

    _refused(_edited(compared, tmp_path, edit), tmp_path, f"gates/results/{i}/baseline/finding",
             "'pass, new' is not what the gate code gives")  # fmt: skip


def test_every_comparison_new_reads_as_a_baseline_not_comparable(compared, tmp_path):
    """Against a baseline of another task every comparison is "new" with the baseline's own
    numbers beside it: only the baseline file can say whether it was comparable."""
    def edit(audit):
        for r in audit["gates"]["results"]:
            if r["source"] == "baseline":
                r.update(status="pass", outcome="pass")
                r["baseline"]["finding"] = "new"

    edited = _edited(compared, tmp_path, edit)
    assert read_audit(edited)[0]["gates"]["baseline"]["findings"]["worse"] == 0


def test_a_features_gaps_not_comparable_with_the_baseline_read_back(compared, tmp_path):
    """A feature whose gaps are taken over other groups than the baseline's has its gaps'
    comparisons "new" beside the others compared: read as written."""
    from auditor.gates import judge_audit
    from auditor.results._base import dump

    audit = json.loads((compared / "audit.json").read_text())
    old = read_audit(audit["config"]["gates"]["baseline"])[0]
    old["fairness"]["features"]["sex"]["groups"][0]["status"] = "insufficient_data"
    config = GatesConfig.model_validate({**audit["config"]["gates"], "baseline": None})
    audit["gates"] = dump(judge_audit(audit, config, baseline=old, baseline_file="old"))
    out = tmp_path / "apart" / "audit.json"
    out.parent.mkdir()
    out.write_text(json.dumps(audit))
    results = read_audit(out)[0]["gates"]["results"]
    new = {r["metric"] for r in results if r["source"] == "baseline"
           and r["baseline"]["finding"] == "new"}  # fmt: skip
    assert any(m.startswith("fairness.features.sex.disparities.") for m in new), new


@pytest.mark.parametrize(("key", "value", "field", "said"), [
    ("mode", "no-worse", "/mode", "no mode 'no-worse'"),
    ("bound", {}, "", "a gate needs max, min or allowed"),
    ("seconds", None, "/seconds", "is not the time the gate took"),
])  # fmt: skip
def test_a_compared_result_edited_past_what_a_gate_holds_is_one_line(compared, tmp_path, key,
                                                                     value, field, said):
    """Judging a comparison against its stored current result built a gate rule and result
    from it; a value the schema allows but a gate does not (mode 'no-worse', an empty bound,
    seconds null) was an internal error (pydantic's ValidationError, a traceback), with the
    stamp deleted or (seconds) kept. Now one line (R8): naming the comparison, or the
    current result itself where its own check refuses it first (a gate on the audit's
    numbers has no mode 'no-worse'; its time is a number)."""
    i = _worse(json.loads((compared / "audit.json").read_text()))
    results = json.loads((compared / "audit.json").read_text())["gates"]["results"]
    compared_id = results[i]["id"].removesuffix(" vs baseline")
    j = next(j for j, r in enumerate(results) if r["id"] == compared_id)

    def edit(audit):
        audit["gates"]["results"][j][key] = value
        if key != "seconds":  # an older file, its config unrecorded: only this check reads it
            del audit["gates"]["judged_by"], audit["config"]["gates"]

    where = f"gates/results/{j}{field}" if field else f"gates/results/{i}"
    _refused(_edited(compared, tmp_path, edit), tmp_path, where, said)
