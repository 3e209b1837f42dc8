"""docs/python-api.md's signatures are the functions' own: every argument it writes exists,
keyword-only where the page puts it after ``*``, with the default the page gives.
(tests/api/test_python_api.py runs the page's example.)"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

import auditor

DOC = Path(__file__).resolve().parents[2] / "docs" / "python-api.md"


def _documented(name: str) -> ast.arguments:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(rf"`({name}\([^`]*\))`", text)
    assert found, name
    call = " ".join(found.group(1).split())
    return ast.parse(f"def {call}: pass").body[0].args


@pytest.mark.parametrize("name", ["audit_model", "audit_predictions"])
def test_documented_signature_is_the_functions(name):
    real = inspect.signature(getattr(auditor, name)).parameters
    doc = _documented(name)
    positional = [a.arg for a in doc.posonlyargs + doc.args]
    assert (
        positional
        == [p for p in real if real[p].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD][
            : len(positional)
        ]
    )
    for arg, default in zip(doc.kwonlyargs, doc.kw_defaults, strict=True):
        assert arg.arg in real, arg.arg
        assert real[arg.arg].kind is inspect.Parameter.KEYWORD_ONLY, arg.arg
        if default is not None:
            assert ast.literal_eval(default) == real[arg.arg].default, arg.arg
