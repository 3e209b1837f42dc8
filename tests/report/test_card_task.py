"""A task with no description (a table's target) reads "Fine-tuning task: approved (classes
...)", not "approved:  (classes ...)" with empty text between the colons."""

from __future__ import annotations

import copy
import re

import pytest

from auditor.report.html import render_html
from auditor.report.markdown import render_markdown


@pytest.mark.parametrize("description", ["", "  "])
def test_an_empty_task_description_leaves_no_empty_text(digits_run, description):
    audit = copy.deepcopy(digits_run.data)
    task = audit["data"]["finetune_task"]
    task["description"] = description
    for card in (render_html(audit), render_markdown(audit)):
        assert not re.search(r":\s*\(classes", card)
        assert re.search(rf"{re.escape(task['name'])} \(classes", card)


def test_a_description_is_still_shown(digits_run):
    audit = copy.deepcopy(digits_run.data)
    audit["data"]["finetune_task"]["description"] = "odd or even digit"
    for card in (render_html(audit), render_markdown(audit)):
        assert "odd or even digit (classes" in card
