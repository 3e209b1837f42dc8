"""``AuditResult.gate(rules)`` with a wrong rule: one AuditorInputError naming the rule and
what is wrong with it (it said "rules must be a GatesConfig, a [gates] table (dict) or a list
of rules (1 validation error for GateRule)" of a list of rules, naming neither)."""

from __future__ import annotations

import pytest
from sklearn.linear_model import LogisticRegression

import auditor
from auditor.errors import AuditorInputError
from tests.builders import two_feature_frame

ACCURACY = "performance.finetuned.test.accuracy"


@pytest.fixture(scope="module")
def result():
    rows = two_feature_frame(0, n=300)
    model = LogisticRegression().fit(rows[["x1", "x2"]], rows.label)
    return auditor.audit_model(model, data=rows, target="label", sensitive=["group"],
                               progress=False)  # fmt: skip


@pytest.mark.parametrize(
    ("rules", "field", "words"),
    [
        ([{"metric": ACCURACY}], "rules[0]", "a gate needs max, min or allowed"),
        ([{"metric": ACCURACY, "min": 0.5}, {"metric": ACCURACY, "min": "high"}],
         "rules[1].min", 'must be a number, not "high"'),
        ([{"metrc": ACCURACY, "min": 0.5}], "rules[0].metrc",
         "unknown key (did you mean 'metric'?) (and 1 more)"),
        ([5], "rules[0]", "a rule is a dict ({'metric': ..., 'min': ...}) or a GateRule, not 5"),
        ({"rules": [{"metric": ACCURACY}]}, "gates.rules[0]", "a gate needs max, min or allowed"),
        ({"rulez": []}, "gates.rulez", "did you mean 'rules'?"),
        ("accuracy > 0.5", "rules", "a [gates] table (dict) or a list of rules, not str"),
        (5, "rules", "a [gates] table (dict) or a list of rules, not int"),
        # a bound the metric cannot reach: accepted before, and never passed
        ([{"metric": ACCURACY, "min": 0.5}, {"metric": ACCURACY, "min": 80}], "rules[1].min",
         "min 80 is outside what accuracy can be ([0, 1]): the rule could never pass"),
        ({"rules": [{"metric": ACCURACY, "max": -1}]}, "gates.rules[0].max",
         "max -1 is outside what accuracy can be ([0, 1])"),
        ([{"metric": "nonsense.x", "min": 0.5}], "rules[0].metric", "unknown metric path"),
    ],
)  # fmt: skip
def test_a_wrong_rule_is_named_with_what_is_wrong(result, rules, field, words):
    with pytest.raises(AuditorInputError) as err:
        result.gate(rules)
    assert err.value.field == field
    assert words in str(err.value)
    assert "validation error" not in str(err.value)


def test_right_rules_still_gate(result):
    assert result.gate([{"metric": ACCURACY, "min": 0.99}]).verdict == "fail"
    assert result.gate({"rules": [{"metric": ACCURACY, "min": 0.99}]}).verdict == "fail"


def test_a_regated_result_is_its_own(result):
    """gate() returned a shallow copy: editing the new result's data edited the old one's."""
    base = result.gate()  # edited below: the module's result stays as it is
    strict = base.gate([{"metric": ACCURACY, "min": 0.99}])
    before = base.data["performance"]["finetuned"]["test"]["accuracy"]
    strict.data["performance"]["finetuned"]["test"]["accuracy"] = -1.0
    strict.data["run"]["name"] = "edited"
    assert base.data["performance"]["finetuned"]["test"]["accuracy"] == before
    assert base.data["run"]["name"] != "edited"
    again = base.gate()
    base.data["fairness"]["edited"] = True
    assert "edited" not in again.data["fairness"]


def test_a_written_result_is_its_own(result, tmp_path):
    """write() returned a result holding the same data: editing one edited the other."""
    own = result.gate()  # the module's result stays as it is
    written = own.write(tmp_path / "run")
    assert written.run_dir == tmp_path / "run" and written.data == own.data
    written.data["run"]["name"] = "edited"
    own.data["fairness"]["edited"] = True
    assert own.data["run"]["name"] != "edited"
    assert "edited" not in written.data["fairness"]


@pytest.mark.parametrize("fail_on", ["warn", 3, None.__class__])
def test_a_wrong_fail_on_is_one_line_naming_it(result, fail_on):
    """``gate(fail_on="warn")`` was taken unchecked and failed later in a pydantic traceback."""
    with pytest.raises(AuditorInputError) as caught:
        result.gate(fail_on=fail_on)
    assert caught.value.field == "fail_on"
    assert caught.value.message.startswith('must be "failure" or "warning", not ')  # not
    # pydantic's "Input should be 'failure' or 'warning'", as a config file's fail_on says it
    assert result.gate(fail_on="warning").data["config"]["gates"]["fail_on"] == "warning"
    assert result.data["config"]["gates"]["fail_on"] == "failure"  # its own: unchanged


@pytest.mark.parametrize("fail_on", ["WARNING", "Warning"])
def test_fail_on_reads_in_any_case_as_the_cli_does(result, fail_on):
    """``auditor gate --fail-on WARNING`` was accepted, ``gate(fail_on="WARNING")`` refused."""
    assert result.gate(fail_on=fail_on).data["config"]["gates"]["fail_on"] == "warning"


def test_regate_checks_fail_on_as_gate_does(result, tmp_path):
    """``api.regate(run, fail_on=...)`` took it unchecked: "WARNING" and "warn" alike ended in
    a pydantic traceback (1 validation error for GatesSection)."""
    run_dir = result.write(tmp_path / "run").run_dir
    again = auditor.api.regate(run_dir, fail_on="WARNING", out_dir=tmp_path / "again")
    assert again.data["config"]["gates"]["fail_on"] == "warning"
    with pytest.raises(AuditorInputError) as caught:
        auditor.api.regate(run_dir, fail_on="warn", out_dir=tmp_path / "never")
    assert caught.value.field == "fail_on"
    assert caught.value.message == 'must be "failure" or "warning", not "warn"', caught.value
    assert not (tmp_path / "never").exists()
