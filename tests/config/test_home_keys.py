"""A config key's ``~``: ``~/x`` is the home folder, ``./~/x`` the folder ``~`` beside the
config file, as a str ``./~/x`` is everywhere else (io.as_path). The key's Path, ``~/x``, had
dropped the ``./``, so ``[gates] baseline = "./~/runs/a"`` read $HOME/runs/a (R11 #1); and
``load_config("~/c.toml")`` read ./~/c.toml, "no such file" (R11 #2)."""

from __future__ import annotations

import pytest

from auditor.config import load_config
from auditor.errors import AuditorInputError

TABLE = '[data]\nsource = "table"\ntarget = "y"\nsensitive = ["s"]\n'


@pytest.fixture
def home(home):
    """tests/conftest.py's home, holding runs/a; the working folder tmp_path/work."""
    (home / "runs" / "a").mkdir(parents=True)
    return home


def test_a_key_written_dot_tilde_is_the_folder_beside_the_config(home, tmp_path):
    cfg = tmp_path / "cfg"
    (cfg / "~" / "runs" / "a").mkdir(parents=True)
    (cfg / "~" / "d.csv").write_text("y,s\n1,a\n", encoding="utf-8")
    (cfg / "c.toml").write_text(TABLE + 'path = "./~/d.csv"\n[gates]\nbaseline = "./~/runs/a"\n',
                                encoding="utf-8")  # fmt: skip
    config = load_config(cfg / "c.toml")
    assert config.data.path == cfg / "~" / "d.csv"
    assert config.gates.baseline == cfg / "~" / "runs" / "a"


def test_a_dot_tilde_baseline_not_beside_the_config_is_here(home, tmp_path):
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "c.toml").write_text('[gates]\nbaseline = "./~/runs/a"\n',
                                             encoding="utf-8")  # fmt: skip
    config = load_config(tmp_path / "cfg" / "c.toml")
    assert config.gates.baseline == tmp_path / "work" / "~" / "runs" / "a"


def test_a_key_written_tilde_is_the_home_folder(home, tmp_path):
    (tmp_path / "cfg").mkdir()
    text = TABLE + 'path = "~/d.csv"\n[gates]\nbaseline = "~/runs/a"\n'
    (tmp_path / "cfg" / "c.toml").write_text(text, encoding="utf-8")
    config = load_config(tmp_path / "cfg" / "c.toml")
    assert config.data.path == home / "d.csv" and config.gates.baseline == home / "runs" / "a"


def test_load_config_takes_the_home_folder(home, tmp_path):
    (home / "c.toml").write_text('name = "h"\n', encoding="utf-8")
    assert load_config("~/c.toml").name == "h"
    with pytest.raises(AuditorInputError) as err:
        load_config("~nobody_zz9/c.toml")
    assert err.value.field == "path" and "names no home folder" in err.value.message
    assert list((tmp_path / "work").iterdir()) == []


def test_a_path_of_a_config_built_in_python_takes_the_home_folder(home):
    """`AuditConfig(model={"path": "~/m.skops"})` read ./~/m.skops, where the same TOML key
    and a GateRule's baseline from Python are the home folder's (R11 #2c)."""
    from auditor.config import AuditConfig

    data = {"source": "table", "path": "~/d.csv", "target": "y", "sensitive": ["s"]}
    config = AuditConfig(name="x", model={"kind": "sklearn", "path": "~/m.skops"},
                         data=data, gates={"baseline": "~/runs/a"})  # fmt: skip
    assert config.model.path == home / "m.skops" and config.data.path == home / "d.csv"
    assert config.gates.baseline == home / "runs" / "a"
    here = AuditConfig(name="x", data={**data, "path": "./~/d.csv"})
    assert here.data.path.parts[0] == "~"  # a folder named ~, read here
