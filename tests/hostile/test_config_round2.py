"""Hostile audit configs, round 2 (a new user editing `auditor init`'s example for their own
table): values of the wrong kind that pydantic's lax mode read as something else, and keys
whose error did not say what to write. Each is refused with exit 2 before any work, in one
line naming the config file and the key."""

from __future__ import annotations

import pytest

from tests.hostile.conftest import assert_nothing_written, assert_refused, write_files

TABLE = '[data]\nsource = "table"\npath = "t.csv"\ntarget = "y"\nsensitive = ["sex"]\n'
CSV = "x,sex,y\n" + "".join(f"{i % 7},{'FM'[i % 2]},{(i // 2) % 2}\n" for i in range(400))

# fmt: off
CASES = [
    # (id, config text, substrings of the one error line)
    # Booleans: "no" was read as false, 1 and "off" as true / false, silently.
    ("bool-as-text", '[gates]\nuse_defaults = "no"\n',
     ["a.toml", "gates.use_defaults", 'must be true or false, not "no"']),
    ("bool-as-number", TABLE + "missing_group = 1\n",
     ["a.toml", "data.missing_group", "must be true or false, not 1"]),
    ("bool-or-auto-as-text", '[fairness]\nmitigation_preview = "off"\n',
     ["a.toml", "fairness.mitigation_preview", 'must be true, false or "auto", not "off"']),
    ("bool-text-true", '[privacy]\nenabled = "true"\n', ["a.toml", "privacy.enabled"]),
    # A number or "auto": "4" was read as 4 and true as 1.
    ("number-or-auto-as-text", '[privacy]\nn_jobs = "4"\n',
     ["a.toml", "privacy.n_jobs", 'must be a number or "auto", not "4"']),
    ("number-or-auto-as-bool", "[privacy]\nn_jobs = true\n", ["a.toml", "privacy.n_jobs"]),
    # A list of numbers: each item is a number ("32" was read as 32, true as 1).
    ("list-item-as-text", '[model]\nhidden = [64, "32"]\n',
     ["a.toml", "model.hidden[1]", 'must be a number, not "32"']),
    ("list-item-as-bool", "[model]\nhidden = [true]\n", ["a.toml", "model.hidden[0]"]),
    ("fpr-level-as-text", '[privacy]\nfpr_levels = ["0.01"]\n',
     ["a.toml", "privacy.fpr_levels[0]"]),
    # One value where a list belongs: say how to write it.
    ("sensitive-not-a-list", TABLE.replace('["sex"]', '"sex"'),
     ["a.toml", "data.sensitive", 'write ["sex"]']),
    ("probes-not-a-list", '[privacy]\nprobes = "loss"\n', ["a.toml", "privacy.probes",
                                                          'write ["loss"]']),
    # An empty fairness.sensitive audited nothing after all the training, then failed the
    # checklist saying that the data declares no sensitive feature (it did).
    ("fairness-names-none", TABLE + "[fairness]\nsensitive = []\n",
     ["a.toml", "fairness.sensitive", "fairness.enabled = false"]),
    # A blank name made reports/'   '; a long one failed at the lock, naming --out.
    ("name-blank", 'name = "   "\n', ["a.toml", "name", "blank"]),
    ("name-empty", 'name = ""\n', ["a.toml", "name", "blank"]),
    ("name-too-long", f'name = "{"n" * 201}"\n', ["a.toml", "name", "200 bytes"]),
    ("name-too-long-utf8", f'name = "{"é" * 101}"\n', ["a.toml", "name", "not 202"]),
    # A key that the model's kind does not read: `path = "model.pt"` without kind =
    # "checkpoint" trained a new MLP and audited it, not the user's model, without a word.
    ("model-path-trained-here", TABLE + '[model]\npath = "model.pt"\n',
     ["a.toml", "model.path", "kind = 'auto' trains a new model here", "'checkpoint'"]),
    ("train-trained-here", TABLE + '[model]\ntrain = "m:fit"\n', ["a.toml", "model.train"]),
    ("factory-kind-auto", TABLE + '[model]\nfactory = "m:build"\n',
     ["a.toml", "model.factory", "kind = 'factory' trains it here"]),
    ("factory-kind-mlp", TABLE + '[model]\nkind = "mlp"\nfactory = "m:build"\n',
     ["a.toml", "model.factory", "kind = 'mlp'"]),
    ("factory-sklearn", TABLE + '[model]\nkind = "sklearn"\npath = "m.skops"\nfactory = "m:b"\n',
     ["a.toml", "model.factory", "builds no module"]),
    ("members-trained-here", TABLE + 'members = "t.csv"\n',
     ["a.toml", "data.members", "model.kind = 'auto' trains one here"]),
    ("non-members-trained-here", TABLE + 'non_members = "t.csv"\n',
     ["a.toml", "data.non_members"]),
    # An MLP without a hidden layer was an internal error (StopIteration) in fine-tuning.
    ("hidden-empty", TABLE + "[model]\nhidden = []\n", ["a.toml", "model.hidden"]),
    # A blank rule name was the gate's name in every report ("FAIL     : 0.77 ...").
    ("rule-name-blank", '[[gates.rules]]\nmetric = "performance.finetuned.test.accuracy"\n'
     'min = 0.9\nname = "   "\n', ["a.toml", "gates.rules[0].name", "blank"]),
    ("fpr-level-twice", "[privacy]\nfpr_levels = [0.01, 0.01]\n",
     ["a.toml", "privacy.fpr_levels", "twice"]),
]
# fmt: on


@pytest.mark.parametrize(("config", "names"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_wrong_kind_is_refused_before_any_work(cli, tmp_path, config, names):
    write_files(tmp_path, {"a.toml": config, "t.csv": CSV})
    assert_refused(cli(["run", "a.toml", "--out", "out"]), *names)
    assert_nothing_written(tmp_path)


# fmt: off
TOML_CASES = [
    # (id, config text, substrings of the one error line): the key, the line and what to do.
    ("key-twice", '[data]\nsource = "digits"\nsource = "table"\n',
     ["a.toml: data.source: ", "line 3", "written twice", "keep one", 'source = "table"']),
    ("table-twice", "[pretrain]\nepochs = 3\n[pretrain]\nlr = 0.1\n",
     ["a.toml: pretrain: ", "line 3", "table written twice"]),
    ("second-rule",
     '[[gates.rules]]\nmetric = "a"\nmax = 1\n[[gates.rules]]\nmetric = "b" max = 1\n',
     ["a.toml: gates.rules[1].metric: ", "line 5", 'metric = "b" max = 1']),
    ("no-line", "x = [1,\n", ["a.toml", "not valid TOML", "end of document"]),
    # a line of an array value that reads like a table header (["sex", "race"]) is no table
    ("after-array",
     '[fairness]\nintersections = [\n  ["sex", "race"]\n]\n'
     'min_group_size = 5\nmin_group_size = 6\n',
     ["a.toml: fairness.min_group_size: ", "line 6"]),
]
# fmt: on


@pytest.mark.parametrize(("config", "names"), [c[1:] for c in TOML_CASES],
                         ids=[c[0] for c in TOML_CASES])  # fmt: skip
def test_toml_error_names_the_key_and_the_line(cli, tmp_path, config, names):
    """tomllib says "Cannot overwrite a value (at line 3, column 11)": which key, and what to
    do, was left to the user."""
    write_files(tmp_path, {"a.toml": config})
    assert_refused(cli(["run", "a.toml", "--out", "out"]), *names)
    assert_nothing_written(tmp_path)


def test_init_example_with_its_table_block_uncommented_names_the_key(cli, tmp_path):
    """The first edit a user makes to `auditor init`'s file: uncomment the own-table lines
    and leave the digits lines above them."""
    assert cli(["init"]).code == 0
    path = tmp_path / "auditor.toml"
    path.write_text(path.read_text().replace('# source = "table"', 'source = "table"', 1))
    assert_refused(cli(["run", "auditor.toml", "--out", "out"]),
                   "auditor.toml: data.source: ", "written twice", "keep one")  # fmt: skip
    assert_nothing_written(tmp_path)


def test_init_example_edited_as_its_comments_say_is_a_valid_table_audit(tmp_path):
    """The example's own-table block, uncommented in place of the digits lines as its comment
    says, is a config that passes every check before the work on a file with its columns."""
    from auditor.commands.init import EXAMPLE
    from auditor.config import TableData, load_config
    from auditor.preflight import check_run

    head, _, rest = EXAMPLE.partition("[data]\n")
    digits, _, block = rest.partition("# For your own table")
    assert digits.count("\n") == 2, digits  # "the two lines above": source and target
    block, _, tail = block.partition("# With a model trained elsewhere")
    lines = [line.removeprefix("# ") for line in block.splitlines()[1:]]
    (tmp_path / "auditor.toml").write_text(
        head + "[data]\n" + "\n".join(lines) + "\n# With a model trained elsewhere" + tail)
    rows = [f"A{i},{20 + i % 50},{i % 9},{'ABC'[i % 3]},{'FM'[i % 2]},{'xyz'[i % 3]},"
            f"{'no' if (i // 2) % 2 else 'yes'}" for i in range(600)]  # fmt: skip
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "applicants.csv").write_text(
        "applicant_id,income,debt,zip3,sex,race,approved\n" + "\n".join(rows) + "\n")
    config = load_config(tmp_path / "auditor.toml")
    assert isinstance(config.data, TableData) and config.data.features == ["income", "debt", "zip3"]
    check_run(config, config_file=str(tmp_path / "auditor.toml"), out=tmp_path / "out")


@pytest.mark.parametrize(("spec", "hint"), [
    ("mymod_r2.py:build", "'mymod_r2:build': a module's import name, not a file path"),
    ("./mymod_r2:build", "'mymod_r2:build': a module's import name, not a file path"),
    ("sub/mymod_r2.py:build", "'mymod_r2:build': a module's import name, not a file path"),
    ("mymod_r2:build ", "(no spaces: 'mymod_r2:build')"),
    ("mymod_r2.build", "(the function after a colon: 'mymod_r2:build')"),
], ids=["file-name", "relative-path", "sub-folder-file", "trailing-space",
        "dot-for-colon"])  # fmt: skip
def test_a_factory_written_as_a_file_says_the_import_name(cli, tmp_path, spec, hint):
    """A factory named as the file a user sees (``mymod.py:build``) was 'cannot import ...
    No module named mymod.py; mymod is not a package', or a relative-import TypeError."""
    files = {"a.toml": f'[model]\nkind = "factory"\nfactory = "{spec}"\n',
             "mymod_r2.py": "def build(input_shape, n_classes):\n    return None\n"}  # fmt: skip
    write_files(tmp_path, files)
    assert_refused(cli(["run", "a.toml", "--out", "out"]), "a.toml: model.factory: ", hint)
    assert_nothing_written(tmp_path)


def test_init_says_what_the_file_audits_and_what_to_edit(cli, tmp_path):
    """As written the example audits the digits demo: the one line said only "Wrote
    auditor.toml. Run it with: ...", and a user ran it expecting their own data."""
    outcome = cli(["init"])
    assert outcome.code == 0 and (tmp_path / "auditor.toml").is_file()
    assert "the digits demo" in outcome.out and "edit [data]" in outcome.out
    assert outcome.out.rstrip().endswith("Run it with: auditor run auditor.toml")
