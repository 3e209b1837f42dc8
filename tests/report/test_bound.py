"""The words of a bound's side ("at least", "at most") were two tables, report.bound's and
gates.judge's own, free to drift apart: the reports read the gates' one table."""

from __future__ import annotations

import importlib

import pytest

from auditor.report import bound

judge = importlib.import_module("auditor.gates.judge")  # auditor.gates.judge: the function


def test_the_reports_and_the_gate_messages_say_a_bounds_side_from_one_table():
    assert bound.BOUND_WORDS is judge.BOUND_WORDS


@pytest.mark.parametrize(("side", "words"), [("lower", "at least "), ("upper", "at most ")])
def test_a_gate_message_and_a_report_say_the_same_words(side, words):
    said = judge.bound_phrase(side, 0.25, 0.2, 0.3, max=None, min=None)
    assert bound.side_words(side) == words and said == f"{words}0.25 [0.2, 0.3]"
    assert bound.side_words(None) == "" and bound.side_words(3) == ""
