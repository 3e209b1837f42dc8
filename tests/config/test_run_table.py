"""[run]: the run's own settings in a table (issue 15 names `[run] threads`)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.config import load_config
from auditor.errors import AuditorInputError


def _load(tmp_path, text: str, name: str = "a.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_run_table_keys_are_the_top_level_settings(tmp_path):
    lifted = _load(tmp_path, '[run]\nthreads = 1\nseed = 7\ndevice = "cpu"\nname = "x"\n')
    top = _load(tmp_path, 'threads = 1\nseed = 7\ndevice = "cpu"\nname = "x"\n', "b.toml")
    assert lifted.model_dump() == top.model_dump()
    assert lifted.threads == 1 and lifted.seed == 7


def test_run_table_in_pyproject(tmp_path):
    config = _load(tmp_path, "[tool.auditor.run]\nthreads = 2\n", "pyproject.toml")
    assert config.threads == 2


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("[run]\nthreads = 0\n", "run.threads", "at least 1"),
        ("[run]\nthread = 1\n", "run.thread", "[run] takes name, seed, device, threads"),
        ("threads = 2\n[run]\nthreads = 1\n", "run.threads", "written twice"),
        ("run = 3\n", "run", "must be a table"),
    ],
)
def test_run_table_mistakes_name_the_key_where_written(tmp_path, text, field, words):
    with pytest.raises(AuditorInputError) as err:
        _load(tmp_path, text)
    assert err.value.field == field and words in err.value.message


def test_an_unknown_table_lists_run_among_the_tables(tmp_path):
    with pytest.raises(AuditorInputError) as err:
        _load(tmp_path, "[logging]\nlevel = 1\n")
    assert "[run]" in err.value.message


def test_cli_reads_run_threads(tmp_path):
    # the command line refuses a mistake in [run] in one line, exit 2, no folder
    path = tmp_path / "a.toml"
    path.write_text("[run]\nthreads = 0\n", encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "auditor", "run", str(path), "--out", str(out)],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 2 and not out.exists()
    assert done.stderr.strip().count("\n") == 0 and "run.threads" in done.stderr


@pytest.mark.parametrize(
    ("text", "name", "ending"),
    [
        ("[run]\nseed = 1\nthreads = null\n", "a.toml",
         "; TOML has no null: leave threads out for its default"),
        ("[run]\nthreads = 1\nseed = None\n", "a.toml",
         "; TOML has no null: leave seed out for its default"),
        # left out, [run] would be empty: the file would hold no setting
        ("[run]\nseed = None\n", "a.toml", "(Invalid value): seed = None"),
        ("[run]\ndevice = CPU\n", "a.toml", '; text is written in quotes: device = "cpu"'),
        ("[run]\nname = my-run\n", "a.toml", '; text is written in quotes: name = "my-run"'),
        ("[tool.auditor.run]\ndevice = CPU\n", "pyproject.toml",
         '; text is written in quotes: device = "cpu"'),
    ],
)
def test_a_slip_in_run_is_told_how_to_write_it_as_at_the_top(tmp_path, text, name, ending):
    """[run]'s keys got no hint (no config key is named run.threads): the bare line."""
    with pytest.raises(AuditorInputError) as err:
        _load(tmp_path, text, name)
    assert err.value.message.endswith(ending), err.value.message


@pytest.mark.parametrize(
    ("name", "text"),
    [("a.toml", '[run]\ndevice = "cuda"\n'),
     ("pyproject.toml", '[project]\nname = "p"\n[tool.auditor.run]\ndevice = "cuda"\n')],
)
def test_cuda_asked_for_in_run_names_no_key_the_file_lacks(tmp_path, name, text):
    """`[run] device = "cuda"` without CUDA named `device` (`tool.auditor.device` in
    pyproject), keys the file does not have; the message says where it may come from."""
    import torch  # here only: tests/config imports no torch at collection

    if torch.cuda.is_available():
        pytest.skip("CUDA is here: the run goes on")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "auditor", "run", str(path), "--out", str(out)],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 2 and not out.exists()
    line = done.stderr.strip()
    assert line.count("\n") == 0 and f"{path}: CUDA was asked for (--device, or device" in line


@pytest.mark.parametrize(
    ("name", "text", "field"),
    [("a.toml", "[run]\n", None), ("a.toml", "[run]\n# threads = 2\n", None),
     ("pyproject.toml", '[project]\nname = "p"\n[tool.auditor.run]\n', "tool.auditor")],
)
def test_a_run_table_alone_and_empty_holds_no_setting(tmp_path, name, text, field):
    """An empty [run] loaded as the full defaults: the digits demo, as for an empty file."""
    with pytest.raises(AuditorInputError) as err:
        _load(tmp_path, text, name)
    assert err.value.message.startswith("holds no setting") and err.value.field == field


def test_config_tests_import_no_torch_at_module_level():
    """auditor.config is torch-free; its tests paid a torch import at collection for one
    skipif (``import torch`` at the top of this file)."""
    for module in Path(__file__).parent.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        names = [alias.name for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)
                 for alias in node.names]  # fmt: skip
        heads = [*names, *(node.module or "" for node in tree.body
                           if isinstance(node, ast.ImportFrom))]  # fmt: skip
        assert not [h for h in heads if h.split(".")[0] == "torch"], module.name
