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


@pytest.mark.parametrize("name", ["audit_model", "audit_predictions", "regate", "run", "rerender"])
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


def test_every_run_call_the_page_writes_passes_a_config_read_from_its_file():
    """The page wrote ``auditor.run(config)`` and a user's ``auditor.run("credit-model.toml")``
    failed on ``'str' object has no attribute 'gates'``; each call it writes passes a config
    file's path (``run`` reads it since) or reads the file with ``load_config``."""
    from auditor.config import load_config

    calls = re.findall(r"`(auditor(?:\.api)?\.run\([^`]*\))`", DOC.read_text(encoding="utf-8"))
    assert calls
    accepted = inspect.signature(auditor.run).parameters
    assert inspect.signature(load_config).return_annotation in ("AuditConfig", "'AuditConfig'")
    for text in calls:
        call = ast.parse(" ".join(text.split())).body[0].value
        [first] = call.args
        if isinstance(first, ast.Constant):
            assert str(first.value).endswith(".toml"), text
            continue
        assert isinstance(first, ast.Call) and ast.unparse(first.func) == "load_config", text
        assert all(kw.arg in accepted for kw in call.keywords), text
