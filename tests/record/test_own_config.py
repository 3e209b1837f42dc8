"""A file other gate code judged (its stamp deleted, or older) had each verdict checked against
its own numbers, but not a result's minimum count, bound, mode, status or rule against the
gates config the file records: a lowered ``min_n`` made an insufficient-data gate a pass, a
bound moved, a failure made a warning and a gate removed were read
(:mod:`auditor.record.own_config`)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from auditor.config import AuditConfig, FairnessConfig, GatesConfig
from auditor.errors import AuditorInputError
from auditor.gates import tally
from auditor.run_folder import read_audit
from tests.builders import predictions_audit

runner = CliRunner()
ACC = "performance.finetuned.test.accuracy"
RULES = [
    {"metric": ACC, "min": 0.5},
    {"metric": "fairness.features.*.groups[*].metrics.accuracy", "min": 0.05},
    {"metric": ACC, "max": 0.1, "name": "fails"},
    {"metric": "fairness.features.region.groups[*].metrics.accuracy", "min": 0.05, "min_n": 500},
]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    config = AuditConfig(name="p", fairness=FairnessConfig(),
                         gates=GatesConfig.model_validate({"rules": RULES}))  # fmt: skip
    return predictions_audit(tmp_path_factory.mktemp("own_config"), config=config).run_dir


def _forged(run_dir, tmp_path, edit, *, stamp: bool = False) -> str:
    """A copy of the run's audit.json, ``edit`` applied to it, the tally made to match and
    (unless ``stamp``) the stamp deleted: checked against its own numbers and config."""
    audit = json.loads((run_dir / "audit.json").read_text())
    edit(audit)
    gates = audit["gates"]
    counts, verdict = tally(r["status"] for r in gates["results"])
    gates.update(counts=counts, verdict=verdict)
    if not stamp:
        gates.pop("judged_by", None)
    out = tmp_path / "forged" / "audit.json"
    out.parent.mkdir(parents=True)
    out.write_text(json.dumps(audit))
    return str(out)


def _of(audit, rule, k=0):
    """The ``k``-th result of ``rule`` (``rules[0]``, ``defaults[1]``)."""
    return [r for r in audit["gates"]["results"] if r["rule"] == rule][k]


def _lowered_to_pass(audit):
    r = next(r for r in audit["gates"]["results"]
             if r["rule"] == "rules[3]" and r["outcome"] == "insufficient_data")  # fmt: skip
    assert 30 <= r["n"] < 500
    r.update(min_n=30, outcome="pass", status="pass")


def _raised(audit):
    _of(audit, "rules[0]")["min_n"] = 2000


def _bound_moved(audit):
    r = _of(audit, "rules[2]")
    assert r["outcome"] == "fail"
    r.update(bound={**r["bound"], "max": 0.99}, outcome="pass", status="pass", relation=None)


def _mode(audit):
    _of(audit, "rules[0]")["mode"] = "confident-fail"


def _warned(audit):
    _of(audit, "rules[2]")["status"] = "warn"


def _no_rule(audit):
    _of(audit, "rules[2]")["rule"] = "rules[9]"


def _rule_gone(audit):
    audit["gates"]["results"].remove(_of(audit, "rules[0]"))


def _group_gone(audit):
    audit["gates"]["results"].remove(_of(audit, "rules[1]", 1))


def _default_gone(audit):
    audit["gates"]["results"].remove(_of(audit, "defaults[1]"))


def _fail_on(audit):
    audit["gates"]["fail_on"] = "warning"


def _defaults(audit):
    audit["gates"]["defaults"] = None


def _disabled(audit):
    audit["config"]["gates"]["enabled"] = False


EDITS = [
    (_lowered_to_pass, "min_n", "500"),
    (_raised, "min_n", "2000"),
    (_bound_moved, "bound", "rules[2] of config/gates"),
    (_mode, "mode", "'confident-fail'"),
    (_warned, "status", "for the outcome 'fail'"),
    (_no_rule, "rule", "it holds 4 rules"),
    (_rule_gone, "gates/results", "one gate at least"),
    (_group_gone, "gates/results", "reads 14 nodes here; the file holds 13 gates"),
    (_default_gone, "gates/results", "defaults[1]"),
    (_fail_on, "gates/fail_on", "'failure'"),
    (_defaults, "gates/defaults", "'predictions'"),
    (_disabled, "gates/status", "disables the gates"),
]  # fmt: skip


@pytest.mark.parametrize(("edit", "field", "words"), EDITS,
                         ids=[e[0].__name__.strip("_") for e in EDITS])  # fmt: skip
def test_a_result_its_recorded_config_does_not_give_is_refused(run_dir, tmp_path, edit, field,
                                                              words):  # fmt: skip
    forged = _forged(run_dir, tmp_path, edit)
    with pytest.raises(AuditorInputError) as caught:
        read_audit(forged)
    assert caught.value.field.endswith(field) and words in caught.value.message, caught.value


def test_the_untouched_file_and_one_without_its_gates_config_read(run_dir, tmp_path):
    """The check needs the config the file records; an older file without it reads as
    before (its results checked against their own numbers only)."""
    read_audit(_forged(run_dir, tmp_path / "a", lambda audit: None))

    def without_config(audit):
        _lowered_to_pass(audit)
        del audit["config"]["gates"]

    data, _ = read_audit(_forged(run_dir, tmp_path / "b", without_config))
    assert _of(data, "rules[3]", 0)["min_n"] == 30 and "gates" not in data["config"]


def test_a_lowered_minimum_count_is_refused_by_gate_card_and_diff(run_dir, tmp_path):
    forged = _forged(run_dir, tmp_path, _lowered_to_pass)
    for args in (["gate", forged, "--out", str(tmp_path / "g")],
                 ["card", forged, "--out", str(tmp_path / "c")],
                 ["diff", forged, str(run_dir)]):  # fmt: skip
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "/min_n: 30 is not what its gates config gives (500: rules[3]" in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "g").exists() and not (tmp_path / "c").exists()


@pytest.fixture(scope="module")
def compared(run_dir, tmp_path_factory):
    """The run gated again against itself: a baseline comparison beside each verdict."""
    out = tmp_path_factory.mktemp("compared") / "gate"
    result = runner.invoke(app, ["gate", str(run_dir), "--baseline", str(run_dir),
                                 "--out", str(out), "--exit-zero"])  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def test_a_baseline_tolerance_its_config_does_not_give_is_refused(compared, tmp_path):
    def widened(audit):
        r = next(r for r in audit["gates"]["results"] if r["source"] == "baseline")
        r["bound"]["tolerance"] = r["baseline"]["tolerance"] = 0.5

    read_audit(_forged(compared, tmp_path / "a", lambda audit: None))
    with pytest.raises(AuditorInputError, match="'tolerance': 0.5} is not what its gates config"):
        read_audit(_forged(compared, tmp_path / "b", widened))

    def summary(audit):
        audit["gates"]["baseline"]["tolerance"] = 0.5

    with pytest.raises(AuditorInputError) as caught:
        read_audit(_forged(compared, tmp_path / "c", summary))
    assert caught.value.field == "gates/baseline/tolerance"


def _as_comparison(key):
    def edit(audit):
        r = _of(audit, "rules[2]")
        assert r["outcome"] == "fail"
        r.update(outcome="pass", status="pass", relation=None)
        if key == "bound":
            r["bound"]["tolerance"] = 0.01
        else:
            r["mode"] = "no-worse"
        del audit["config"]["gates"]  # an older file: its own numbers only

    return edit


@pytest.mark.parametrize("key", ["bound", "mode"])
def test_a_failure_made_a_pass_dressed_as_a_comparison_is_refused(run_dir, tmp_path, key):
    """A gate on the audit's own numbers with a tolerance or the mode 'no-worse' was taken for
    a baseline comparison, whose outcome its own numbers do not judge: a failure made a pass
    so read, config or no config."""
    forged = _forged(run_dir, tmp_path, _as_comparison(key))
    with pytest.raises(AuditorInputError) as caught:
        read_audit(forged)
    assert caught.value.field.endswith(f"/{key}") and "baseline" in caught.value.message


def test_a_recorded_gates_config_out_of_bounds_is_said_as_a_config_file_says_it(
    run_dir, tmp_path
):
    """config.gates.min_count = 0 in audit.json was "(Input should be greater than or equal to
    1)": pydantic's words, without the key."""

    def zero(audit):
        audit["config"]["gates"]["min_count"] = 0

    result = runner.invoke(app, ["gate", _forged(run_dir, tmp_path, zero), "--out",
                                 str(tmp_path / "g")])  # fmt: skip
    assert result.exit_code == 2, result.output
    assert ("its gates config cannot judge this audit again (gates.min_count: must be at "
            "least 1, not 0)") in result.output, result.output  # fmt: skip
    assert not (tmp_path / "g").exists()
