"""auditor.run("credit-model.toml") said AttributeError: 'str' object has no attribute
'gates' (docs/python-api.md wrote auditor.run(config)). A path is now read as `auditor run
PATH` reads it, and is the config file; anything else is one AuditorInputError."""

from __future__ import annotations

import json

import pytest

import auditor
from auditor.errors import AuditorInputError

CONFIG = """name = "from-a-path"
[data]
source = "digits"
[pretrain]
epochs = 2
[finetune]
epochs = 2
"""


def test_a_path_is_read_as_the_command_reads_it(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(CONFIG, encoding="utf-8")
    result = auditor.run(str(path), out_dir=tmp_path / "out", progress=False)
    audit = json.loads((tmp_path / "out" / "audit.json").read_text(encoding="utf-8"))
    assert audit["run"]["name"] == "from-a-path" and result.run_dir == tmp_path / "out"
    assert audit["run"]["config_file"] == str(path)


def test_a_bad_path_names_the_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(CONFIG + '[[gates.rules]]\nmetric = "performance.x"\nmax = 1\n', "utf-8")
    with pytest.raises(AuditorInputError) as err:
        auditor.run(path, out_dir=tmp_path / "out")
    assert str(err.value).startswith(f"{path}: gates.rules[0].metric: ")
    with pytest.raises(AuditorInputError, match="missing.toml"):
        auditor.run(tmp_path / "missing.toml", out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("config", [{"name": "x"}, None, "", 5])
def test_anything_else_is_one_input_error(config):
    with pytest.raises(AuditorInputError, match="^config: an AuditConfig or a TOML config"):
        auditor.run(config)
