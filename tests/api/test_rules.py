"""``AuditResult.gate(rules)`` given a Python shape the TOML file has no word for: one rule as
a bare dict was "gates.metric: unknown key (did you mean a [[rules]] table's metric?)", a
table's ``rules`` given one rule "is a list of tables: write [[rules]] (two brackets)", and a
list inside the list "is one table: write [] (one bracket), not [[]]". Each now says what to
pass from Python; a list of rules, a [gates] dict and a table's keys beside a rule's work
as before."""

from __future__ import annotations

import pytest

from auditor.api import AuditResult
from auditor.config import GateRule
from auditor.errors import AuditorInputError

ACCURACY = "performance.finetuned.test.accuracy"
RULE = {"metric": ACCURACY, "min": 0.5}


@pytest.fixture(scope="module")
def result(runs):
    return AuditResult.load(runs[0])


@pytest.mark.parametrize(
    ("rules", "line"),
    [
        (RULE, "rules: is one rule: give a list of rules, rules=[{'metric': ..., 'min': ...}] "
               "(a dict is a [gates] table: enabled, use_defaults, rules, fail_on, min_count, "
               "baseline, baseline_tolerance)"),
        ({"metric": ACCURACY, "max": 0.9, "severity": "warning"}, "rules: is one rule: give"),
        ({"rules": RULE}, "gates.rules: a list of rules, not one: "
                          "{'rules': [{'metric': ..., 'min': ...}]}"),
        ([[RULE]], "rules[0]: a rule is a dict ({'metric': ..., 'min': ...}) or a GateRule, "
                   "not a list"),
        ([RULE, (RULE,)], "rules[1]: a rule is a dict"),
        # a GateRule given bare, as the bare dict: it iterated as (field, value) pairs
        (GateRule(metric=ACCURACY, min=0.5), "rules: is one rule: give a list of rules, "
                                             "rules=[GateRule(...)]"),
        (["x"], "rules[0]: a rule is a dict ({'metric': ..., 'min': ...}) or a GateRule, not "
                "'x'"),
        # inside a table's rules, the same words as at the top level (not "[[rules[0]]]")
        ({"rules": [[RULE]]}, "gates.rules[0]: a rule is a dict ({'metric': ..., 'min': ...}) "
                              "or a GateRule, not a list"),
        ({"rules": ["x"]}, "gates.rules[0]: a rule is a dict"),
        ({"rules": [RULE, "x"]}, "gates.rules[1]: a rule is a dict"),
        ({"rules": GateRule(metric=ACCURACY, min=0.5)}, "gates.rules: a list of rules, not one"),
        # a rule's key beside a table's: was "did you mean a [[rules]] table's metric?"
        ({**RULE, "enabled": True}, "gates.metric: is a rule's key, not a [gates] table's "
                                    "(enabled, use_defaults, rules, fail_on, min_count, "
                                    "baseline, baseline_tolerance): give the rule in the "
                                    "table's list of rules, {'rules': [{'metric': ...}]}"),
    ],
)  # fmt: skip
def test_a_python_shape_is_refused_in_python_words(result, rules, line):
    with pytest.raises(AuditorInputError) as err:
        result.gate(rules)
    assert str(err.value).startswith(line), str(err.value)
    assert "bracket" not in str(err.value) and "[[" not in str(err.value)
    assert "must be a table" not in str(err.value)


def test_the_shapes_that_were_right_still_are(result):
    listed = result.gate([RULE])
    assert listed.data["config"]["gates"]["rules"][-1]["metric"] == ACCURACY
    table = result.gate({"rules": [RULE], "fail_on": "warning"})
    assert result.gate({"rules": [GateRule(metric=ACCURACY, min=0.5)]}).verdict == "pass"
    assert result.gate((GateRule(metric=ACCURACY, min=0.5),)).verdict == "pass"
    assert table.data["config"]["gates"]["fail_on"] == "warning"
    with pytest.raises(AuditorInputError) as err:  # a table's key beside a rule's: the table's
        result.gate({"fail_on": "warning", "metric": ACCURACY})
    assert err.value.field == "gates.metric", str(err.value)


@pytest.mark.parametrize(
    ("rules", "line"),
    [({"rules": None}, "gates.rules: a list of rules, {'rules': [{'metric': ..., 'min': ...}]}, "
                       "not None"),
     ({"rules": "x"}, "gates.rules: a list of rules, {'rules': [{'metric': ..., 'min': ...}]}, "
                      "not 'x'"),
     ({"rules": [{"metric": "performance.nope", "min": 80}]},
      "gates.rules[0].metric: unknown metric path 'performance.nope'")],
)  # fmt: skip
def test_a_table_s_rules_are_said_in_python_words_naming_rules_once(result, rules, line):
    """{"rules": None} was pydantic's "Input should be a valid list", {"rules": "x"} the TOML
    file's 'write ["x"]', and a table's bad rule "rules: gates.rules[0].metric" (R11 #7)."""
    with pytest.raises(AuditorInputError) as err:
        result.gate(rules)
    assert str(err.value).startswith(line), str(err.value)
