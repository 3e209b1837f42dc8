"""The benchmarks README.md tells a user to run: each loads in the dev install (a module it
imports but the install lacks failed only when run, as ``mlxtend`` did in bench_training)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
SCRIPTS = sorted(BENCH.glob("bench_*.py"))


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"_bench_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    sys.path.insert(0, str(BENCH))  # a bench imports its neighbours as scripts do
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
        del sys.modules[spec.name]
    return module


def test_the_readme_names_every_benchmark():
    readme = (BENCH.parent / "README.md").read_text()
    assert SCRIPTS
    assert [p.name for p in SCRIPTS if f"bench/{p.name}" not in readme] == []


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_each_benchmark_loads(path):
    assert callable(load(path).main)


def test_training_bench_reads_the_shipped_sample():
    """The 5,000 images that install with the package, split 3,500 / 500 / 1,000, the same
    rows for the same seed."""
    split = load(BENCH / "bench_training.py").split
    first, again = split(0), split(0)
    assert {k: len(y) for k, (_, y) in first.items()} == {"train": 3500, "val": 500, "test": 1000}
    x, y = first["train"]
    assert x.shape == (3500, 28, 28) and x.dtype == np.uint8 and set(np.unique(y)) == set(range(10))
    assert all(np.array_equal(first[k][0], again[k][0]) for k in first)
