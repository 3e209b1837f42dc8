"""``AuditResult.gate(rules)``'s ``rules`` as a :class:`~auditor.config.GatesConfig`: one as
is, a dict as a ``[gates]`` table, a list of rules (``GateRule`` or dicts). A wrong rule is one
line naming it in the caller's words: a Python list, not the TOML file's brackets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from auditor.api._config_arg import shown
from auditor.config import GateRule, GatesConfig
from auditor.config.keys import first_problem
from auditor.errors import AuditorInputError

BAD_RULES = "rules must be a GatesConfig, a [gates] table (dict) or a list of rules, not {found}"
# a rule's keys that no [gates] table has: a dict holding them (and none of a table's) is one
# rule given bare, read as a table ("gates.metric: unknown key (did you mean a [[rules]]
# table's metric?)", the config file's brackets)
RULE_ONLY = frozenset(GateRule.model_fields) - frozenset(GatesConfig.model_fields)
ONE_RULE = (
    "is one rule: give a list of rules, rules=[{{'metric': ..., 'min': ...}}] (a dict is a "
    "[gates] table: {keys})"
)
# a GateRule given bare: the same mistake (a model iterates as its (field, value) pairs, so
# it was "rules[0]: a rule is a dict ... not a tuple")
ONE_GATE_RULE = "is one rule: give a list of rules, rules=[GateRule(...)]"
# a table holding a rule's key beside its own ("did you mean a [[rules]] table's metric?")
RULE_KEY = (
    "is a rule's key, not a [gates] table's ({keys}): give the rule in the table's list of "
    "rules, {{'rules': [{{'{key}': ...}}]}}"
)
# a table's rules= given one rule, not a list ("is a list of tables: write [[rules]]")
TABLE_ONE_RULE = "a list of rules, not one: {{'rules': [{{'metric': ..., 'min': ...}}]}}"
# a table's rules= no list (None: pydantic's "Input should be a valid list"; "x": TOML's
# "must be a list, not one value: write ["x"]")
TABLE_NO_LIST = "a list of rules, {{'rules': [{{'metric': ..., 'min': ...}}]}}, not {found}"
# a list's item that is no rule: a list ("is one table: write [] (one bracket), not [[]]",
# "write [rules[0]] (one bracket), not [[rules[0]]]" in a table's rules), a str ("must be a
# table"): the same words at the top level and in a table's rules
NESTED_LIST = "a rule is a dict ({{'metric': ..., 'min': ...}}) or a GateRule, not {found}"

Rules = GatesConfig | Mapping[str, Any] | Iterable[GateRule | Mapping[str, Any]]


def gates_config(rules: Rules, *, base: GatesConfig | None = None) -> GatesConfig:
    """``rules`` as a :class:`GatesConfig`: one as is; a dict is a ``[gates]`` table; a list
    of rules (``GateRule`` or dicts) replaces ``base``'s rules (``base``: the audit's own).
    A wrong rule is one line naming it (``rules[1].min``, ``gates.rules[0]``)."""
    if isinstance(rules, GatesConfig):
        return rules
    if isinstance(rules, GateRule):
        raise AuditorInputError(ONE_GATE_RULE, field="rules")
    if isinstance(rules, Mapping):
        return _validated(GatesConfig, _table(rules), prefix="gates")
    if isinstance(rules, str | bytes) or not isinstance(rules, Iterable):
        raise AuditorInputError(BAD_RULES.format(found=type(rules).__name__), field="rules")
    parsed = [r if isinstance(r, GateRule) else _validated(GateRule, _rule(r, i),
                                                           prefix=f"rules[{i}]")
              for i, r in enumerate(rules)]  # fmt: skip
    return (base or GatesConfig()).model_copy(update={"rules": parsed})


def _table(rules: Mapping[Any, Any]) -> dict[Any, Any]:
    """``rules`` as a ``[gates]`` table's dict; one rule given bare, or a table whose
    ``rules`` is one rule, refused in a Python caller's words."""
    keys = {key for key in rules if isinstance(key, str)}
    table = ", ".join(GatesConfig.model_fields)
    if keys & RULE_ONLY and not keys & set(GatesConfig.model_fields):
        raise AuditorInputError(ONE_RULE.format(keys=table), field="rules")
    if keys & RULE_ONLY:  # beside a table's keys: which one is named, as the table's
        key = next(k for k in rules if k in RULE_ONLY)
        raise AuditorInputError(RULE_KEY.format(keys=table, key=key), field=f"gates.{key}")
    listed = rules.get("rules")
    if isinstance(listed, Mapping | GateRule):
        raise AuditorInputError(TABLE_ONE_RULE.format(), field="gates.rules")
    if isinstance(listed, list | tuple):
        for i, rule in enumerate(listed):
            _rule(rule, i, prefix="gates.rules")
    elif "rules" in rules:
        raise AuditorInputError(TABLE_NO_LIST.format(found=shown(listed)), field="gates.rules")
    return dict(rules)


def _rule(rule: Any, i: int, *, prefix: str = "rules") -> Any:
    """The ``i``-th rule of a list as given (a dict or a GateRule); anything else there (a
    list, a tuple, a str) is one line naming it, ``prefix[i]``."""
    if not isinstance(rule, Mapping | GateRule):
        found = f"a {type(rule).__name__}" if isinstance(rule, list | tuple) else shown(rule)
        raise AuditorInputError(NESTED_LIST.format(found=found), field=f"{prefix}[{i}]")
    return rule


def _validated(model: type[GateRule] | type[GatesConfig], raw: Any, *, prefix: str) -> Any:
    """``model`` from ``raw``, or its first problem as one line at ``prefix`` and its key (a
    misspelt key first: it explains the required one that is missing)."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        loc, msg = first_problem(exc, model)
        at = prefix if loc == "(top level)" else f"{prefix}.{loc}".replace(".[", "[")
        raise AuditorInputError(msg, field=at) from None


def as_listed(exc: AuditorInputError) -> AuditorInputError:
    """A rule's problem named as ``gate(rules)``'s list names it: ``rules[1].min``, not the
    ``[gates]`` table's ``gates.rules[1].min``."""
    field = exc.field.replace("gates.rules", "rules", 1) if exc.field else exc.field
    return AuditorInputError(exc.message.replace("gates.rules[", "rules["), field=field)
