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


@pytest.mark.parametrize(("config", "kind"), [({"name": "x"}, "dict"), (None, "NoneType"),
                                              ("", "an empty path"), (5, "int")])  # fmt: skip
@pytest.mark.parametrize("config_file", [None, "good.toml"])
def test_anything_else_is_one_input_error(config, kind, config_file):
    # run and regate said it in two wordings; config is named before config_file
    with pytest.raises(AuditorInputError) as err:
        auditor.run(config, config_file=config_file)
    assert str(err.value) == (
        "config: a TOML config file's path (str or pathlib.Path) or an AuditConfig "
        f"(auditor.load_config(path), with config_file=path), got {kind}"
    )


def test_config_file_beside_a_path_is_refused_as_regate_refuses_it(tmp_path):
    """auditor.run(config=PATH, config_file=OTHER) read PATH and recorded OTHER as the file it
    came from (OTHER never read), where regate refuses the pair: one rule for both now."""
    path = tmp_path / "small.toml"
    path.write_text(CONFIG, encoding="utf-8")
    with pytest.raises(AuditorInputError) as err:
        auditor.run(path, config_file=str(tmp_path / "other.toml"), out_dir=tmp_path / "out")
    assert str(err.value) == (
        "config_file: the file config= was read from, taken only with config= an AuditConfig; "
        "with config= a path it would be ignored (config=path reads and records the file itself)"
    )
    assert not (tmp_path / "out").exists()
