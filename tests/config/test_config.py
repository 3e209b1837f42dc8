from pathlib import Path

import pytest

from auditor.commands.init import EXAMPLE
from auditor.config import AuditConfig, default_config, load_config, validate_config
from auditor.errors import AuditorInputError


@pytest.mark.parametrize("scenario", ["digits", "adult", "mnist"])
def test_builtin_scenarios_are_valid(scenario):
    cfg = default_config(scenario)
    assert cfg.data.source == scenario
    assert cfg.run_name == scenario


@pytest.mark.parametrize("scenario", ["digits", "adult", "mnist"])
def test_builtin_scenarios_declare_their_use_but_not_an_owner(scenario):
    from auditor.checks.transparency import is_placeholder

    declared = default_config(scenario).transparency.declared
    for field in ("intended_use", "out_of_scope_uses", "users", "limitations",
                  "ethical_considerations", "mitigations"):  # fmt: skip
        assert not is_placeholder(getattr(declared, field)), field
    # the weights belong to whoever runs the scenario: only they can declare these
    assert declared.owners is None and declared.contact is None and declared.license is None


def test_unknown_scenario_names_the_option():
    with pytest.raises(AuditorInputError, match="--scenario"):
        default_config("cifar")


def write(tmp_path: Path, text: str, name: str = "audit.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_unknown_key_is_named(tmp_path):
    path = write(tmp_path, 'name = "x"\n[finetune]\nepochz = 3\n')
    with pytest.raises(AuditorInputError) as err:
        load_config(path)
    message = str(err.value)
    assert str(path) in message and "finetune.epochz" in message and "unknown key" in message
    assert "\n" not in message


def test_wrong_type_is_named(tmp_path):
    path = write(tmp_path, '[pretrain]\nepochs = "many"\n')
    with pytest.raises(AuditorInputError, match=r"pretrain\.epochs"):
        load_config(path)


def test_nested_data_key_names_field_without_union_tag(tmp_path):
    path = write(tmp_path, '[data]\nsource = "digits"\ntarget = "prime"\n')
    with pytest.raises(AuditorInputError) as err:
        load_config(path)
    assert "data.target" in str(err.value) and "digits" not in str(err.value).split(":")[1]


def test_split_fractions_over_one(tmp_path):
    path = write(tmp_path, "[data.splits]\npretrain = 0.9\n")
    with pytest.raises(AuditorInputError, match=r"data\.splits.*more than 1"):
        load_config(path)


def test_invalid_toml(tmp_path):
    path = write(tmp_path, "name = \n")
    with pytest.raises(AuditorInputError, match="not valid TOML"):
        load_config(path)


def test_missing_file(tmp_path):
    with pytest.raises(AuditorInputError, match="no such file"):
        load_config(tmp_path / "nope.toml")


def test_pyproject_tool_table(tmp_path):
    path = write(
        tmp_path,
        '[project]\nname = "m"\n[tool.auditor]\nname = "from-pyproject"\nseed = 7\n',
        "pyproject.toml",
    )
    cfg = load_config(path)
    assert cfg.name == "from-pyproject" and cfg.seed == 7


def test_pyproject_without_table(tmp_path):
    path = write(tmp_path, '[project]\nname = "m"\n', "pyproject.toml")
    with pytest.raises(AuditorInputError, match=r"\[tool\.auditor\]"):
        load_config(path)


def test_relative_table_path_resolves_against_config_file(tmp_path):
    path = write(
        tmp_path, '[data]\nsource = "table"\npath = "t.csv"\ntarget = "y"\nsensitive = ["g"]\n'
    )
    cfg = load_config(path)
    assert cfg.data.path == tmp_path / "t.csv"


def test_init_example_is_a_valid_config(tmp_path):
    cfg = load_config(write(tmp_path, EXAMPLE))
    assert isinstance(cfg, AuditConfig)
    assert cfg.name == "my-audit"


def test_factory_kind_needs_a_factory(tmp_path):
    path = write(tmp_path, '[model]\nkind = "factory"\n')
    with pytest.raises(AuditorInputError, match="model"):
        load_config(path)


def test_overrides():
    cfg = default_config("digits").with_overrides(seed=5, device=None)
    assert cfg.seed == 5 and cfg.device == "cpu"


@pytest.mark.parametrize("seed", [-1, 2**63, 2**70])
def test_seed_outside_63_bits_is_named(tmp_path, seed):
    path = tmp_path / "a.toml"
    path.write_text(f"seed = {seed}\n")
    with pytest.raises(AuditorInputError, match=r"a\.toml: seed: "):
        load_config(path)
    with pytest.raises(AuditorInputError, match="command line: seed: "):
        AuditConfig().with_overrides(seed=seed)


def test_largest_seed_is_valid():
    assert AuditConfig(seed=2**63 - 1).seed == 2**63 - 1


@pytest.mark.parametrize("name", ["../../x", "a/b", "a\\\\b", "..", "."])
def test_name_is_one_folder_name(tmp_path, name):
    from auditor.config import NAME_HAS_PATH

    path = tmp_path / "a.toml"
    path.write_text(f'name = "{name}"\n')
    with pytest.raises(AuditorInputError) as err:
        load_config(path)
    assert str(err.value).endswith(NAME_HAS_PATH) and ": name: " in str(err.value)


def test_n_boot_is_gone(tmp_path):
    # the fairness intervals are analytic now (issue 11): a config still naming n_boot is told
    path = tmp_path / "a.toml"
    path.write_text("[fairness]\nn_boot = 1000\n")
    with pytest.raises(AuditorInputError, match="fairness.n_boot: unknown key"):
        load_config(path)


@pytest.mark.parametrize("name", ["x\u0001", "run\x1b]0;owned\x07", "a\nb", "tab\there"])
def test_name_has_no_control_characters(name):
    from auditor.config import NAME_HAS_CONTROL

    with pytest.raises(AuditorInputError) as err:
        validate_config({"name": name}, source="a.toml")
    assert f": name: {NAME_HAS_CONTROL}" in str(err.value)  # and the escape, for \\n or \\t


def test_config_with_a_byte_order_mark_loads(tmp_path):
    # Windows editors (Notepad) save UTF-8 with a BOM; tomllib alone calls it invalid TOML
    path = tmp_path / "audit.toml"
    path.write_bytes(b"\xef\xbb\xbfseed = 7\n[finetune]\nepochs = 2\n")
    cfg = load_config(path)
    assert cfg.seed == 7 and cfg.finetune.epochs == 2


def test_config_path_that_is_a_folder_says_so(tmp_path):
    folder = tmp_path / "audit.toml"
    folder.mkdir()
    with pytest.raises(AuditorInputError, match="is a folder") as err:
        load_config(folder)
    assert str(folder) in str(err.value)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("[finetune]\nlr = inf\n", "finetune.lr"),
        ("[pretrain]\nlr = nan\n", "pretrain.lr"),
        ("[privacy]\nrmia_gamma = inf\n", "privacy.rmia_gamma"),
        ("[model]\ndropout = nan\n", "model.dropout"),
    ],
)
def test_infinite_or_nan_numbers_are_refused(tmp_path, text, field):
    with pytest.raises(AuditorInputError) as err:
        load_config(write(tmp_path, text))
    assert err.value.field == field, str(err.value)


@pytest.mark.parametrize(
    ("text", "field", "shown"),
    [
        ("[fairness]\nmin_group_size = true\n", "fairness.min_group_size", "true"),
        ("[finetune]\nlr = \"0.01\"\n", "finetune.lr", '"0.01"'),
        ('[gates]\nrules = [{metric = "performance.finetuned.test.accuracy", min = "0.7"}]\n',
         "gates.rules[0].min", '"0.7"'),
        ('[gates]\nrules = [{metric = "performance.finetuned.test.accuracy", min = false}]\n',
         "gates.rules[0].min", "false"),
    ],
)  # fmt: skip
def test_a_number_written_as_a_boolean_or_text_is_refused(tmp_path, text, field, shown):
    """pydantic read ``true`` as 1 and ``"0.7"`` as 0.7: a gate ``min = true`` passed any
    accuracy of at least 1 (none), silently."""
    with pytest.raises(AuditorInputError) as err:
        load_config(write(tmp_path, text))
    assert err.value.field == field, str(err.value)
    assert err.value.message == f"must be a number, not {shown}"
    ok = load_config(write(tmp_path, "[fairness]\nmin_group_size = 12\nci_level = 0.9\n"))
    assert (ok.fairness.min_group_size, ok.fairness.ci_level) == (12, 0.9)


@pytest.mark.parametrize("hidden", ["[100000000000]", "[64, 0]", "[-1]", str([8] * 33)])
def test_mlp_widths_are_bounded(tmp_path, hidden):
    # a width of 1e11 asked the allocator for terabytes: an internal error, not exit 2
    with pytest.raises(AuditorInputError) as err:
        load_config(write(tmp_path, f"[model]\nhidden = {hidden}\n"))
    assert err.value.field.startswith("model.hidden"), str(err.value)
    assert load_config(write(tmp_path, "[model]\nhidden = [16384, 8]\n")).model.hidden == [16384, 8]


def test_table_keys_without_a_source_ask_for_source_table(tmp_path):
    # without `source = "table"` the table was read as digits: "data.target: Input should be
    # 'odd' or 'ge5'"
    text = '[data]\npath = "t.csv"\ntarget = "y"\nsensitive = ["g"]\n'
    with pytest.raises(AuditorInputError, match='source = "table"') as err:
        load_config(write(tmp_path, text))
    assert err.value.field == "data.source"
    assert load_config(write(tmp_path, '[data]\ntarget = "ge5"\n')).data.source == "digits"


@pytest.mark.parametrize("key", ["sensitive", "features", "drop"])
def test_a_column_named_twice_is_refused(tmp_path, key):
    text = '[data]\nsource = "table"\npath = "t.csv"\ntarget = "y"\n'
    text += f'{key} = ["g", "a", "g"]\n'
    if key != "sensitive":
        text += 'sensitive = ["s"]\n'
    with pytest.raises(AuditorInputError) as err:
        load_config(write(tmp_path, text))
    assert err.value.field == f"data.{key}"
    assert str(err.value).endswith(f"data.{key}: column 'g' is named 2 times")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('[fairness]\nintersections = "bogus"\n', "fairness.intersections"),
        ('[data]\nsource = "table"\npath = "t.csv"\ntarget = "y"\nsensitive = ["g"]\n'
         "positive_label = [1]\n", "data.positive_label"),
    ],
)  # fmt: skip
def test_a_union_field_is_named_without_pydantics_member_names(tmp_path, text, field):
    # it was "fairness.intersections.literal['pairs','none']", "data.positive_label.str"
    with pytest.raises(AuditorInputError) as err:
        load_config(write(tmp_path, text))
    assert err.value.field == field, str(err.value)


def test_a_tilde_in_a_data_or_model_path_is_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    text = ('[data]\nsource = "table"\npath = "~/rows.csv"\ntarget = "y"\nsensitive = ["g"]\n'
            'members = "m.csv"\n[model]\nkind = "sklearn"\npath = "~/model.skops"\n')  # fmt: skip
    cfg = load_config(write(tmp_path, text))
    assert cfg.data.path == tmp_path / "home" / "rows.csv"
    assert cfg.model.path == tmp_path / "home" / "model.skops"
    assert cfg.data.members == tmp_path / "m.csv"  # relative: beside the config file


TABLE = '[data]\nsource = "table"\ntarget = "y"\nsensitive = ["g"]\n'


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [(TABLE + 'path = ""\n', "data.path", "empty: name a file"),  # it was the folder '.'
     (TABLE + 'path = "t.csv"\nmembers = " "\n', "data.members", "empty: name a file"),
     ('[model]\nkind = "sklearn"\npath = ""\n', "model.path", "empty: name a file"),
     (TABLE + 'path = "t.csv"\npositive_label = nan\n', "data.positive_label",
      "a class of the target is text, a number or true / false, not nan")],
)  # fmt: skip
def test_an_empty_path_or_a_nan_label_is_named(tmp_path, text, field, words):
    # positive_label = nan was "Input should be a valid string (and 3 more)"
    with pytest.raises(AuditorInputError) as err:
        load_config(write(tmp_path, text))
    assert err.value.field == field and str(err.value).endswith(f"{field}: {words}")


@pytest.mark.parametrize(
    ("text", "field", "hint"),
    [
        ("sede = 1\n", "sede", "did you mean 'seed'?"),
        ("[pretrain]\nepochz = 3\n", "pretrain.epochz", "did you mean 'epochs'?"),
        ("[pretrian]\nepochs = 3\n", "pretrian", "did you mean 'pretrain'?"),
        ("[data.splits]\ntests = 0.1\n", "data.splits.tests", "did you mean 'test'?"),
        ('[data]\nsource = "table"\npath = "t.csv"\ntarget = "y"\nsensitive = ["s"]\n'
         'sensitiv = ["x"]\n', "data.sensitiv", "did you mean 'sensitive'?"),
        ('[[gates.rules]]\nmetric = "performance.finetuned.test.accuracy"\nmin = 0.5\n'
         "mx = 1\n", "gates.rules[0].mx", "did you mean 'max'?"),
        # a key of another table: where it belongs
        ("epochs = 3\n", "epochs", "did you mean pretrain.epochs or finetune.epochs?"),
        ("[pretrain]\nseed = 3\n", "pretrain.seed", "did you mean seed at the top level"),
        ("[fairness]\nn_reference = 4\n", "fairness.n_reference",
         "did you mean privacy.n_reference?"),
    ],
)  # fmt: skip
def test_unknown_key_says_what_was_meant(tmp_path, text, field, hint):
    with pytest.raises(AuditorInputError) as err:
        load_config(write(tmp_path, text))
    message = str(err.value)
    assert f"{field}: unknown key ({hint}" in message, message
    assert "\n" not in message


@pytest.mark.parametrize("text", ["colour = 1\n", "[pretrain]\nzzz = 1\n"])
def test_unknown_key_with_nothing_near_is_bare(tmp_path, text):
    with pytest.raises(AuditorInputError, match=r"unknown key$"):
        load_config(write(tmp_path, text))


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("[privacy]\nn_jobs = 100000000\n", "privacy.n_jobs"),
        ("[privacy]\nn_jobs = 0\n", "privacy.n_jobs"),
        ("[privacy]\nn_jobs = -1\n", "privacy.n_jobs"),
        ("[privacy]\nthreads_per_job = 100000000\n", "privacy.threads_per_job"),
        ("[privacy]\ncanary_candidates = 1000000000000\n", "privacy.canary_candidates"),
    ],
)  # fmt: skip
def test_counts_too_large_for_any_machine_are_refused(tmp_path, text, field):
    """Each was accepted and failed after training (joblib's ValueError, a 466 TiB
    MemoryError) or asked torch for 10**8 threads."""
    with pytest.raises(AuditorInputError, match=rf"{field}: "):
        load_config(write(tmp_path, text))


def test_the_largest_counts_are_taken(tmp_path):
    from auditor.config.privacy import MAX_CANDIDATES, MAX_PROCESSES

    cfg = load_config(write(tmp_path, f"[privacy]\nn_jobs = {MAX_PROCESSES}\nthreads_per_job = "
                                      f"{MAX_PROCESSES}\ncanary_candidates = {MAX_CANDIDATES}\n"))
    assert cfg.privacy.n_jobs == MAX_PROCESSES
    assert load_config(write(tmp_path, '[privacy]\nn_jobs = "auto"\n')).privacy.n_jobs == "auto"


def test_values_of_the_right_kind_still_load(tmp_path):
    """The kind check refuses only what pydantic would have coerced: booleans, numbers,
    "auto" and lists of numbers written as such load as before."""
    cfg = load_config(write(tmp_path, (
        '[gates]\nuse_defaults = false\n[fairness]\nmitigation_preview = true\n'
        '[privacy]\nn_jobs = 2\nfpr_levels = [0.01, 1e-3]\n[model]\nhidden = [64, 32.0]\n'
        '[finetune]\nlr = 1\n')))  # fmt: skip
    assert cfg.gates.use_defaults is False and cfg.fairness.mitigation_preview is True
    assert cfg.privacy.n_jobs == 2 and cfg.privacy.fpr_levels == [0.01, 0.001]
    assert cfg.model.hidden == [64, 32] and cfg.finetune.lr == 1.0
    cfg = load_config(write(tmp_path, '[fairness]\nmitigation_preview = "auto"\n'))
    assert cfg.fairness.mitigation_preview == "auto"


def test_a_file_name_makes_a_name_the_config_takes():
    """A predictions file's stem names its run: cut to the name's byte limit (on a character
    boundary), and "predictions" for a stem of dots or spaces."""
    from auditor.config import MAX_NAME_BYTES, name_from_file

    long = name_from_file("/x/" + "é" * 200 + ".csv")
    assert len(long.encode()) == MAX_NAME_BYTES and AuditConfig(name=long).name == long
    assert name_from_file("/x/   .csv") == name_from_file("/x/...csv") == "predictions"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[transparency]\nmax_attribution_rows = 18446744073709551616\n",
         "transparency.max_attribution_rows"),
        ("[finetune]\nhidden = [64, 18446744073709551616]\n", "finetune.hidden"),
        ("[privacy]\nn_canaries = -9223372036854775809\n", "privacy.n_canaries"),
        ("[transparency]\nmax_attribution_rows = 1" + "0" * 400 + "\n",  # past a float
         "transparency.max_attribution_rows"),
    ],
)
def test_an_integer_past_64_bits_is_refused_naming_its_key(tmp_path, text, key):
    """audit.json records the config, and gate, card and diff refuse an integer beyond 64 bits
    in it: a run with one wrote evidence none of them could read."""
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(AuditorInputError) as err:
        load_config(path)
    assert err.value.field == key or key in str(err.value), str(err.value)


def test_the_largest_integers_audit_json_holds_still_load(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[transparency]\nmax_attribution_rows = 18446744073709551615\n")
    assert load_config(path).transparency.max_attribution_rows == 2**64 - 1


def test_overrides_check_only_the_values_they_change(tmp_path, monkeypatch):
    # with_overrides validated the whole config again (dumped, with the overrides) to check
    # one to three scalars: a config is validated once, when it is read, and a value the
    # command line did not give was refused as the command line's.
    path = tmp_path / "a.toml"
    path.write_text("[privacy.dp]\ntarget_epsilon = 3.0\ntarget_delt = 1e-9\n", encoding="utf-8")
    with pytest.raises(AuditorInputError, match=r"a\.toml: privacy\.dp\.target_delt"):
        load_config(path)  # a bad key in the file: refused where the file is read
    unchecked = AuditConfig().model_copy(update={"name": "../x"})  # not checked again here
    assert unchecked.with_overrides(seed=1, threads=2).name == "../x"
    with pytest.raises(AuditorInputError, match="command line: threads: "):
        unchecked.with_overrides(threads=0)


@pytest.mark.parametrize(("key", "value"), [
    ("data", {"source": "digits"}), ("model", {"kind": "sklearn", "path": "m.pkl"}),
    ("privacy", {"n_canaries": 0}), ("sed", 1),
])  # fmt: skip
def test_overrides_take_the_four_top_level_scalars_only(key, value):
    # with_overrides checked its changes beside the defaults (digits) and took any key: data =
    # digits under a model.kind = "sklearn" table config was taken (a rule across fields
    # skipped), and model = sklearn refused as if that config's data were digits. It replaces
    # seed, device, threads and name, which no other field's rule involves.
    config = AuditConfig()
    with pytest.raises(TypeError) as err:
        config.with_overrides(**{key: value}, seed=1)
    assert str(err.value) == f"with_overrides takes seed, device, threads or name, not {key!r}"
    assert config.with_overrides(seed=1, device="cpu", threads=2, name="x").name == "x"
