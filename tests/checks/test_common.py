"""The common test of every check (as scikit-learn's common metric tests): each registered
check runs on one small real context (digits, short training), returns a frozen typed
section that validates against the GENERATED schema, and every number in it is read by
:mod:`auditor.audit_tree` (an interval spelt any other way than an estimate node fails)."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

import pytest

from auditor.audit_tree import nodes, unreadable
from auditor.audit_tree.read import ESTIMATE_KEYS, is_estimate
from auditor.checks import ORDER, SectionResult, registered_checks, run_checks
from auditor.record.model import AuditRecord
from tests.checks.sections import as_json, validate_section


@pytest.fixture(scope="module")
def sections(digits_context) -> dict[str, SectionResult]:
    return run_checks(digits_context)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _expected_reads(tree: Any) -> int:
    """How many (path, node) pairs a complete reader yields for ``tree``: one per estimate
    node, one per other number (the numbers of an estimate node's own keys are in it)."""
    if isinstance(tree, dict):
        own = ESTIMATE_KEYS if is_estimate(tree) else ()
        inner = sum(
            1 if _is_number(v) else _expected_reads(v) for k, v in tree.items() if k not in own
        )
        return inner + (1 if own else 0)
    if isinstance(tree, list):
        return sum(1 if _is_number(v) else _expected_reads(v) for v in tree)
    return 0


def _numbers_unread(name: str, data: Any) -> list[str]:
    problems = list(unreadable(data, name))
    seen, expected = len(list(nodes(data, name))), _expected_reads(data)
    if seen != expected:
        problems.append(f"{name}: audit_tree.nodes reads {seen} numbers of {expected}")
    return problems


def test_no_check_is_forgotten():
    """Every check in ORDER is registered, in that order, and has its field in the record."""
    assert tuple(registered_checks()) == ORDER
    assert set(ORDER) <= set(AuditRecord.model_fields)


@pytest.mark.parametrize("name", ORDER)
def test_section_is_frozen_typed_and_valid(sections, name):
    section = sections[name]
    assert isinstance(section, SectionResult) and not isinstance(section, dict)
    assert section.status == "ok", getattr(section, "reason", "")
    if dataclasses.is_dataclass(section):
        assert type(section).__dataclass_params__.frozen
    else:
        assert type(section).model_config.get("frozen")
    validate_section(name, section)


@pytest.mark.parametrize("name", ORDER)
def test_every_number_is_read_through_audit_tree(sections, name):
    data = as_json(sections[name])
    assert _numbers_unread(name, data) == []
    assert _expected_reads(data) > 0


@pytest.mark.parametrize(
    "bad",
    [
        {"auc": 0.7, "auc_ci_low": 0.6, "auc_ci_high": 0.8},  # flat interval keys
        {"tpr": {"tpr": 0.1, "ci_low": 0.05, "ci_high": 0.2}},  # interval without value
    ],
)
def test_a_number_no_reader_sees_fails(bad):
    """The test above catches the shapes that hid privacy numbers from diff and summary."""
    assert _numbers_unread("privacy", bad)


def test_sections_do_not_depend_on_the_order_checks_run(digits_context, sections):
    """Named streams: a check's section is the same whether or not the others ran first
    (timings aside)."""
    alone = {
        name: check(digits_context, {k: sections[k] for k in ORDER[: ORDER.index(name)]})
        for name, check in registered_checks().items()
        if name in ("performance", "explanations")
    }
    for name, section in alone.items():
        a, b = as_json(section), as_json(sections[name])
        a.pop("seconds", None), b.pop("seconds", None)
        assert a == b, name


def test_check_signature_is_typed():
    """A check is ``(AuditContext, Sections) -> its section type``, not dicts."""
    for name, check in registered_checks().items():
        hints = typing.get_type_hints(check, globalns={**check.__globals__, **_type_names()})
        assert {"ctx", "sections", "return"} <= set(hints), name
        assert hints["return"] is not dict, name


def _type_names() -> dict[str, Any]:
    from auditor.context import AuditContext

    return {"AuditContext": AuditContext}
