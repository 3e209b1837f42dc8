"""Hostile audit configs: each is refused with exit 2 before any work (no torch, no training),
in one line naming the config file and the key."""

from __future__ import annotations

import pytest

from tests.hostile.conftest import assert_nothing_written, assert_refused, write_files

TABLE = '[data]\nsource = "table"\npath = "t.csv"\ntarget = "y"\nsensitive = ["sex"]\n'
ROWS = "".join(f"{i % 7},{'FM'[i % 2]},{(i // 2) % 2}\n" for i in range(400))
GOOD_CSV = "x,sex,y\n" + ROWS
FACTORY_CFG = '[model]\nkind = "factory"\nfactory = "{spec}"\n'

# fmt: off
CASES = [
    # (id, config text or bytes, extra files, substrings of the one error line)
    ("toml-syntax", "seed = = 1\n", {}, ["a.toml", "not valid TOML"]),
    ("not-utf8", b"name = '\xff\xfe'\n", {}, ["a.toml", "UTF-8"]),
    ("utf-16", "seed = 1\n".encode("utf-16"), {}, ["a.toml", "UTF-16", "save it as UTF-8"]),
    ("50-MB", b"seed = 1\n" + b"# padding\n" * 5_000_000, {}, ["a.toml", "bytes, more than"]),
    ("crlf-and-bare-cr", b"seed = 1\r\nname = 'x'\rcolour = 2\r\n", {},
     ["a.toml", "colour", "unknown key"]),
    ("unknown-key", "colour = 1\n", {}, ["a.toml", "colour", "unknown key"]),
    ("unknown-nested-key", "[pretrain]\nepochz = 3\n", {}, ["a.toml", "pretrain.epochz"]),
    ("seed-negative", "seed = -1\n", {}, ["a.toml", "seed"]),
    ("seed-2**70", f"seed = {2**70}\n", {}, ["a.toml", "seed"]),
    ("seed-400-digits", "seed = " + "9" * 400 + "\n", {}, ["a.toml"]),
    ("seed-string", 'seed = "a"\n', {}, ["a.toml", "seed"]),
    ("seed-float", "seed = 1.5\n", {}, ["a.toml", "seed"]),
    ("name-parent", 'name = "../../x"\n', {}, ["a.toml", "name"]),
    ("name-slash", 'name = "a/b"\n', {}, ["a.toml", "name"]),
    ("name-backslash", 'name = "a\\\\b"\n', {}, ["a.toml", "name"]),
    ("name-control", 'name = "x\\u0001"\n', {}, ["a.toml", "name"]),
    ("name-escape", 'name = "x\\u001b]0;owned\\u0007"\n', {}, ["a.toml", "name"]),
    ("device", 'device = "tpu"\n', {}, ["a.toml", "device"]),
    ("data-source", '[data]\nsource = "csv"\n', {}, ["a.toml", "data"]),
    ("data-wrong-type", 'data = "table.csv"\n', {}, ["a.toml", "data"]),
    ("table-no-path", '[data]\nsource = "table"\ntarget = "y"\nsensitive = ["s"]\n', {},
     ["a.toml", "data.path"]),
    ("table-list-target", TABLE.replace('target = "y"', 'target = ["y"]'), {"t.csv": GOOD_CSV},
     ["a.toml", "data.target"]),
    ("table-no-sensitive", TABLE.replace('["sex"]', "[]"), {"t.csv": GOOD_CSV},
     ["a.toml", "data.sensitive"]),
    ("splits-over-one", "[data.splits]\npretrain = 0.9\ntest = 0.5\n", {},
     ["a.toml", "data.splits"]),
    ("split-zero-test", "[data.splits]\ntest = 0\n", {}, ["a.toml", "data.splits.test"]),
    ("mnist-too-few-rows", '[data]\nsource = "mnist"\nmax_rows = 20\n', {},
     ["a.toml", "data.splits", "20-row", "'pretrain' would hold"]),
    ("digits-tiny-test", "[data.splits]\ntest = 0.002\n", {}, ["a.toml", "data.splits.test"]),
    ("epochs-zero", "[pretrain]\nepochs = 0\n", {}, ["a.toml", "pretrain.epochs"]),
    ("lr-negative", "[finetune]\nlr = -1.0\n", {}, ["a.toml", "finetune.lr"]),
    ("min-group-zero", "[fairness]\nmin_group_size = 0\n", {},
     ["a.toml", "fairness.min_group_size"]),
    ("ci-level-one", "[fairness]\nci_level = 1.0\n", {}, ["a.toml", "fairness.ci_level"]),
    ("ci-level-1-ulp-below-one", "[fairness]\nci_level = 0.9999999999999999\n", {},
     ["a.toml", "fairness.ci_level"]),
    ("intersection-of-one", '[fairness]\nintersections = [["digit"]]\n', {},
     ["a.toml", "fairness.intersections"]),
    ("fairness-unknown-feature", '[fairness]\nsensitive = ["sex"]\n', {},
     ["a.toml", "fairness.sensitive", "sex"]),
    ("rule-bad-path", '[[gates.rules]]\nmetric = "fairness..x"\nmax = 1\n', {},
     ["a.toml", "gates.rules[0].metric"]),
    ("rule-unknown-area", '[[gates.rules]]\nmetric = "speed.x"\nmax = 1\n', {},
     ["a.toml", "gates.rules[0].metric"]),
    ("rule-unknown-feature",
     TABLE + '[[gates.rules]]\nmetric = "fairness.features.ink_density.disparities.'
     'fnr_difference.between_groups"\nmax = 0.1\n',
     {"t.csv": GOOD_CSV}, ["a.toml", "gates.rules[0].metric", "ink_density"]),
    ("rule-unknown-feature-bracket",
     '[[gates.rules]]\nmetric = "fairness.features[sex].disparities.x.between_groups"\n'
     "max = 0.1\n", {}, ["a.toml", "gates.rules[0].metric", "sex"]),
    ("rule-no-bound", '[[gates.rules]]\nmetric = "performance.finetuned.test.accuracy"\n', {},
     ["a.toml", "gates.rules[0]"]),
    ("fail-on", '[gates]\nfail_on = "sometimes"\n', {}, ["a.toml", "gates.fail_on"]),
    ("baseline-missing", '[gates]\nbaseline = "nope/audit.json"\n', {}, ["audit.json"]),
    ("factory-unnamed", '[model]\nkind = "factory"\n', {}, ["a.toml", "model"]),
    ("factory-no-colon", FACTORY_CFG.format(spec="fact"), {}, ["a.toml", "model.factory"]),
    ("factory-missing-module", FACTORY_CFG.format(spec="nosuchmod_h9:build"), {},
     ["a.toml", "model.factory", "nosuchmod_h9"]),
    ("factory-import-raises", FACTORY_CFG.format(spec="boom_h9:build"),
     {"boom_h9.py": "raise RuntimeError('import-time failure')\n"},
     ["a.toml", "model.factory", "import-time failure"]),
    ("factory-signature", FACTORY_CFG.format(spec="sig_h9:build"),
     {"sig_h9.py": "def build(shape, classes):\n    return None\n"},
     ["a.toml", "model.factory", "input_shape"]),
    ("factory-not-callable", FACTORY_CFG.format(spec="val_h9:build"),
     {"val_h9.py": "build = 3\n"}, ["a.toml", "model.factory"]),
]
# fmt: on


@pytest.mark.parametrize(("config", "files", "names"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_bad_config_is_refused_before_any_work(cli, tmp_path, config, files, names):
    write_files(tmp_path, {"a.toml": config, **files})
    outcome = cli(["run", "a.toml", "--out", "out"])
    assert_refused(outcome, *names)
    assert_nothing_written(tmp_path)


PYPROJECT_CASES = [
    ("no-tool-table", "[project]\nname = 'x'\n", ["pyproject.toml", "[tool.auditor]"]),
    ("bad-key", "[tool.auditor]\nsede = 1\n", ["pyproject.toml", "sede"]),
]


@pytest.mark.parametrize(("text", "names"), [c[1:] for c in PYPROJECT_CASES],
                         ids=[c[0] for c in PYPROJECT_CASES])  # fmt: skip
def test_bad_pyproject_is_refused(cli, tmp_path, text, names):
    (tmp_path / "pyproject.toml").write_text(text)
    assert_refused(cli(["run", "pyproject.toml", "--out", "out"]), *names)
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize(("target", "why"), [("missing.toml", "no such file"),
                                             (".", "is a folder"),
                                             ("/dev/null", "not a regular file")],
                         ids=["missing", "a-folder", "a-device"])  # fmt: skip
def test_config_that_is_not_a_file(cli, tmp_path, target, why):
    assert_refused(cli(["run", target, "--out", "out"]), target, why)
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--seed", "-1"],
        ["run", "--seed", str(2**70)],
        ["run", "--device", "tpu"],
        ["run", "--scenario", "imagenet"],
        ["run", "--fail-on", "sometimes"],
        ["run", "a.toml", "--scenario", "adult"],
        ["run", "--bogus-option"],
    ],
    ids=["seed-negative", "seed-2**70", "device", "scenario", "fail-on", "config-and-scenario",
         "unknown-option"],
)  # fmt: skip
def test_bad_command_line_is_exit_2(cli, tmp_path, args):
    (tmp_path / "a.toml").write_text("seed = 1\n")
    outcome = cli(args)
    assert outcome.code == 2 and "Traceback" not in outcome.err
    assert_nothing_written(tmp_path)


def test_no_command_prints_the_help(cli):
    """``auditor`` alone: its help (every command), as click shows it, not one line of usage
    ending in the help text's first line."""
    outcome = cli([])
    assert outcome.code == 2 and "Traceback" not in outcome.err
    assert "auditor: error" not in outcome.err
    for command in ("run", "init", "audit", "card", "gate", "diff"):
        assert f"\n  {command} " in outcome.err, outcome.err
