"""auditor.config.keys: a config's problem as the key the user wrote and what is wrong."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from auditor.api import AuditResult
from auditor.cli import app
from auditor.errors import AuditorInputError

runner = CliRunner()
MISSPELT = '[[gates.rules]]\nmetrc = "performance.finetuned.test.accuracy"\nmin = 0.5\n'
HINT = "rules[0].metrc: unknown key (did you mean 'metric'?)"


def test_a_misspelt_rule_key_is_named_before_the_key_it_leaves_missing(tmp_path):
    """From a config file a rule {metrc = ..., min = 0.5} said 'gates.rules[0].metric: Field
    required (and 1 more)', where the API named the misspelt key (its errors were sorted,
    the config's were not)."""
    cfg = tmp_path / "bad.toml"
    cfg.write_text(MISSPELT)
    result = runner.invoke(app, ["run", str(cfg), "--out", str(tmp_path / "o"), "--quiet"])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(f"gates.{HINT} (and 1 more)"), lines
    assert "Traceback" not in result.output and not (tmp_path / "o").exists()


def test_the_api_and_a_config_file_name_the_same_problem():
    audit = {"config": {}}  # the rules are read before any section
    try:
        AuditResult(data=audit, run_dir=None).gate([{"metrc": "x", "min": 0.5}])
    except AuditorInputError as exc:
        assert str(exc).endswith(f"{HINT} (and 1 more)"), str(exc)
    else:
        raise AssertionError("a misspelt rule key passed")


def _problem(tmp_path, text: str, name: str = "c.toml") -> str:
    from auditor.config import load_config

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    try:
        load_config(path)
    except AuditorInputError as exc:
        return str(exc).removeprefix(f"{path}: ")
    raise AssertionError("accepted")


def test_one_rule_table_in_single_brackets_says_to_write_two(tmp_path):
    """[gates.rules] (one table) said 'gates.rules: Input should be a valid list'."""
    text = '[gates.rules]\nmetric = "performance.finetuned.test.accuracy"\nmin = 0.5\n'
    assert _problem(tmp_path, text) == (
        "gates.rules: is a list of tables: write [[gates.rules]] (two brackets), once "
        "before each one"
    )


def test_a_rules_key_under_gates_points_to_a_rule_table(tmp_path):
    """[gates] metric = ... suggested 'gates.rules.metric', a key no file can write."""
    text = '[gates]\nmetric = "performance.finetuned.test.accuracy"\n'
    assert _problem(tmp_path, text) == (
        "gates.metric: unknown key (did you mean a [[gates.rules]] table's metric?)"
    )


def test_pyproject_names_each_key_where_the_file_has_it(tmp_path):
    """In pyproject.toml an unknown key `sede` was named 'sede', a list of rules 'gates.rules',
    a path 'data.path': the file has them under [tool.auditor]."""
    head = '[project]\nname = "p"\n[tool.auditor]\nname = "x"\n'
    assert _problem(tmp_path, head + "sede = 3\n", "pyproject.toml") == (
        "tool.auditor.sede: unknown key (did you mean 'seed'?)"
    )
    assert _problem(tmp_path, head + "epochs = 3\n", "pyproject.toml") == (
        "tool.auditor.epochs: unknown key (did you mean tool.auditor.pretrain.epochs or "
        "tool.auditor.finetune.epochs?)"
    )
    rules = '[tool.auditor.gates.rules]\nmetric = "run.seed"\nmax = 1\n'
    assert _problem(tmp_path, head + rules, "pyproject.toml").startswith(
        "tool.auditor.gates.rules: is a list of tables: write [[tool.auditor.gates.rules]]"
    )
    data = '[tool.auditor.data]\nsource = "table"\npath = "~nouser/x.csv"\ntarget = "y"\n'
    data += 'sensitive = ["s"]\n'
    assert _problem(tmp_path, head + data, "pyproject.toml").startswith("tool.auditor.data.path: ")
    # a config file of another name is as before: the keys from its top
    assert _problem(tmp_path, "sede = 3\n") == "sede: unknown key (did you mean 'seed'?)"
    assert _problem(tmp_path, "epochs = 3\n").endswith(
        "(did you mean pretrain.epochs or finetune.epochs?)"
    )


def test_pyproject_names_a_later_checks_key_where_the_file_has_it(tmp_path):
    """A check after the config was read (a gate's metric path, a sensitive feature) named
    the key from the config's top in pyproject.toml too: 'gates.rules[0].metric'."""
    folder = tmp_path / "p"
    folder.mkdir()
    path = folder / "pyproject.toml"
    cases = [
        ('[[tool.auditor.gates.rules]]\nmetric = "performance.finetuned.test.acuracy"\n'
         "min = 0.5\n", "tool.auditor.gates.rules[0].metric: unknown metric path"),
        ('[tool.auditor.fairness]\nsensitive = ["nope"]\n',
         "tool.auditor.fairness.sensitive: unknown sensitive feature 'nope'"),
        ('[project]\nname = "a"\nname = "b"\n', "project.name: not valid TOML"),  # as it was
    ]
    for body, said in cases:
        path.write_text('[tool.auditor]\nname = "x"\n' + body, encoding="utf-8")
        result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "o")])
        assert result.exit_code == 2, result.output
        assert result.output.strip().startswith(f"auditor: error: {path}: {said}"), result.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("text", "said"),
    [
        # a table where a value belongs, or the other way round (pydantic's words before)
        ('data = "digits"\n', 'data: must be a table ([data] on a line of its own, its keys '
         'below it), not "digits"'),
        ('[data]\nsplits = 0.5\n', "data.splits: must be a table ([data.splits] on a line of "
         "its own, its keys below it), not 0.5"),
        ('model = "mlp"\n', 'model: must be a table ([model] on a line of its own, its keys '
         'below it), not "mlp"'),
        ("seed = {a = 1}\n", "seed: must be a number, not a table"),
        ("seed = [0]\n", "seed: must be a number, not a list"),
        ('[data]\nsource = "table"\npath = "t.csv"\ntarget = "y"\nsensitive = {a = "sex"}\n',
         "data.sensitive: must be a list, not a table"),
        ('[data]\nsource = "table"\npath = "t.csv"\ntarget = "y"\nsensitive = ["s"]\n'
         "positive_label = {a = 1}\n",
         "data.positive_label: must be text, a number, true or false, not a table"),
        ('[fairness]\nintersections = {a = "b"}\n',
         'fairness.intersections: must be "pairs", "none" or a list, not a table'),
        ('device = "gpu"\n', 'device: must be "cpu", "cuda" or "auto", not "gpu"'),
        ("[gates]\nbaseline = 3\n", "gates.baseline: must be a file name in quotes, not 3"),
        ('[data]\nsource = "table"\npath = {a = 1}\ntarget = "y"\nsensitive = ["s"]\n',
         "data.path: must be a file name in quotes, not a table"),
        # a table of no name auditor knows: the tables it knows there
        ('[logging]\nlevel = "debug"\n', "logging: unknown table (the tables here: [data], "
         "[model], [training], [pretrain], [finetune], [fairness], [privacy], [transparency], "
         "[gates], [run])"),
        ("[data.extra]\nx = 1\n", "data.extra: unknown table (the tables here: "
         "[data.splits])"),
        # a number out of its bounds, alone or beside a union's other kinds
        ("[pretrain]\nepochs = 0\n", "pretrain.epochs: must be at least 1, not 0"),
        ("[data.splits]\nval = 0.0\n", "data.splits.val: must be more than 0, not 0.0"),
        ("[privacy]\nn_jobs = 0\n", 'privacy.n_jobs: must be at least 1 or "auto", not 0'),
        ('[data]\nsource = "table"\npath = "t.csv"\ntarget = "y"\nsensitive = []\n',
         "data.sensitive: must hold at least 1 item, not 0"),
        ("[fairness]\nci_level = 95\n", "fairness.ci_level: must be at most 0.999999999, not 95 "
         "(a fraction: 95% is 0.95)"),
        ("[data.splits]\nval = 10\n", "data.splits.val: must be less than 1, not 10 (a "
         "fraction: 10% is 0.1)"),
        # 0.015 is no confidence either (more than 0.5): no percent said
        ("[privacy]\nconfidence = 1.5\n", "privacy.confidence: must be less than 1, not 1.5"),
        ("[privacy]\nconfidence = 40\n", "privacy.confidence: must be less than 1, not 40"),
        ("[privacy]\nconfidence = 90\n", "privacy.confidence: must be less than 1, not 90 (a "
         "fraction: 90% is 0.9)"),
        ("seed = 1.5\n", "seed: must be a whole number, not 1.5"),
        ("name = 3\n", "name: must be text, not 3"),
        ("[fairness]\nsensitive = [1]\n", "fairness.sensitive[0]: must be text, not 1"),
        # an array of tables where one table belongs
        ("[[data]]\nsource = \"digits\"\n", "data: is one table: write [data] (one bracket), "
         "not [[data]]"),
        ("[[gates]]\nuse_defaults = true\n", "gates: is one table: write [gates] (one "
         "bracket), not [[gates]]"),
        ("[[privacy.dp]]\ntarget_epsilon = 8.0\n", "privacy.dp: is one table: write "
         "[privacy.dp] (one bracket), not [[privacy.dp]]"),
        # the data source's tag, and a required key
        ('[data]\nsource = "tabel"\n', 'data.source: must be "digits", "adult", "mnist" or '
         '"table", not "tabel" (did you mean "table"?)'),
        ("[data]\nsource = 3\n", 'data.source: must be "digits", "adult", "mnist" or "table", '
         "not 3"),
        ('[data]\nsource = "table"\n', 'data.path: missing: [data] with source = "table" '
         "needs path, target and sensitive"),
        ('[data]\nsource = "table"\npath = "t.csv"\ntarget = "y"\n', "data.sensitive: missing: "
         '[data] with source = "table" needs it'),
        ("[[gates.rules]]\nmax = 1\nname = '" + "n" * 300 + "'\n", "gates.rules[0].metric: "
         "missing: each [[gates.rules]] needs it (and 1 more)"),
        ("[[gates.rules]]\nmetric = 'run.seed'\nmax = 1\nname = '" + "n" * 300 + "'\n",
         "gates.rules[0].name: is 300 characters long, more than 200 characters"),
        ("[[gates.rules]]\nmax = 1\n", "gates.rules[0].metric: missing: each [[gates.rules]] "
         "needs it"),
    ],
)  # fmt: skip
def test_a_value_of_the_wrong_shape_says_what_the_key_takes(tmp_path, text, said):
    """pydantic's words ('Input should be a valid dictionary or object to extract fields
    from', 'Input tag 'tabel' found using 'source' does not match...', 'Field required')
    named the key but neither what it takes in TOML nor what was written."""
    assert _problem(tmp_path, text) == said
