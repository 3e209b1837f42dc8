"""The house rules of the package, checked on its source: rooms small enough to read, and
imports that only go down the layers declared in pyproject.toml."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "auditor"
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 400
MAX_COMMAND_LINES = 120


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_function_over_80_lines():
    long = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                    long.append(f"{where} {node.name} {lines}")
    assert not long, "functions over 80 lines:\n" + "\n".join(long)


def test_no_module_over_400_lines():
    big = [
        f"{p.relative_to(PACKAGE.parent)} {len(p.read_text(encoding='utf-8').splitlines())}"
        for p in _modules()
        if len(p.read_text(encoding="utf-8").splitlines()) > MAX_MODULE_LINES
    ]
    assert not big, "modules over 400 lines:\n" + "\n".join(big)


def test_commands_are_thin():
    fat = [
        f"{p.name} {len(p.read_text(encoding='utf-8').splitlines())}"
        for p in sorted((PACKAGE / "commands").glob("*.py"))
        if len(p.read_text(encoding="utf-8").splitlines()) > MAX_COMMAND_LINES
    ]
    assert not fat, "commands over 120 lines:\n" + "\n".join(fat)


def test_import_layers_hold():
    """import-linter's contract (pyproject.toml): no cycle between rooms, no upward import."""
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("lint-imports is not installed: install the dev extra")
    proc = subprocess.run(
        [exe, "--no-cache"], cwd=PACKAGE.parent, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
