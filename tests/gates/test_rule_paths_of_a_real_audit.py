"""Every number a real audit writes can be gated: a rule on its path passes the check made
before any work (9835cf5 refused the paths below a free-form node: an item's ``details``,
an attack's ``params``), while a misspelt typed key is still refused there."""

from __future__ import annotations

import dataclasses
import math
import sys

import pytest

from auditor.audit_tree import nodes
from auditor.audit_tree.paths import AREAS
from auditor.config.gates import GateRule, GatesConfig
from auditor.gates.rules import rule_problems
from auditor.record import audit_schema


@pytest.fixture(scope="module")
def audit(digits_context, tmp_path_factory) -> dict:
    """A full digits run (small privacy probes) on the session's trained context."""
    from auditor import api
    from auditor.config import PrivacyConfig

    privacy = PrivacyConfig(n_reference=4, n_canaries=20, canary_candidates=40)
    config = digits_context.config.model_copy(update={"privacy": privacy})
    ctx = dataclasses.replace(digits_context, config=config, _cache={})
    with pytest.MonkeyPatch.context() as mp:  # run() looks the context up in its api module
        for name, module in list(sys.modules.items()):
            if name.startswith("auditor.api") and hasattr(module, "trained_context"):
                mp.setattr(module, "trained_context", lambda *a, **k: ctx)
        out = tmp_path_factory.mktemp("real-leaves")
        return api.run(config, out_dir=out, progress=False, command="test").data


def test_a_rule_on_every_number_of_a_real_audit_is_accepted(audit):
    leaves = [(path, float(node.value)) for path, node in nodes(audit)
              if path.split(".", 1)[0] in AREAS and _finite(node.value)]  # fmt: skip
    below_free = {p.split(".")[0] for p, _ in leaves if ".details." in p or ".params." in p}
    assert below_free == {"transparency", "privacy"}, "numbers below free-form nodes"
    refused = {}
    for path, value in leaves:
        rules = [GateRule(metric=path, max=value), GateRule(metric=path, min=value)]
        problems = rule_problems(GatesConfig(use_defaults=False, rules=rules), schema=audit_schema)
        if problems:
            refused[path] = problems[0][1]
    assert refused == {}


def _finite(value) -> bool:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return number and math.isfinite(value)


def test_a_misspelt_key_beside_a_free_node_is_still_refused():
    rules = [GateRule(metric="transparency.items[split_disjointness].detail.n_rows", max=0)]
    problems = rule_problems(GatesConfig(use_defaults=False, rules=rules), schema=audit_schema)
    assert len(problems) == 1 and "has no 'detail'" in problems[0][1]
