"""auditor.config.toml_file and load_config: a config file as users edit it (init's example
with a key moved, written twice, or the file left empty), refused in one line naming the
file, the key and where it was first written."""

from __future__ import annotations

import pytest

from auditor.commands.init import EXAMPLE
from auditor.config import load_config
from auditor.errors import AuditorInputError


def _problem(tmp_path, text: str, name: str = "c.toml") -> AuditorInputError:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AuditorInputError) as err:
        load_config(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)
    return err.value


@pytest.mark.parametrize("text", ["", "\n\n  \n", "# data.source = 'table'\n", "\ufeff"])
def test_a_config_without_any_setting_is_refused(tmp_path, text):
    """An empty file (or one of comments) ran the built-in digits demo, its 30 seconds of
    training and a digits card, as if it were the user's audit (a file cut short, the wrong
    file)."""
    err = _problem(tmp_path, text)
    # not "without a config file the defaults apply": gate without --config uses the run's
    assert err.message == ("holds no setting (empty, or comments only): is this the config? "
                           "`auditor init` writes a commented one to edit")  # fmt: skip


def test_a_dotted_key_at_the_top_and_its_table_say_where_the_table_was_first_written(tmp_path):
    """`data.source = "table"` put above init's example was refused as "a table written twice:
    merge the two" at [data], without saying that the first line had written it."""
    err = _problem(tmp_path, 'data.source = "table"\n' + EXAMPLE)
    assert err.field == "data"
    assert err.message.endswith("(line 1 writes it first: data.source = \"table\")"), err.message
    err = _problem(tmp_path, 'seed = 1\nname = "x"\nseed = 2\n')
    assert err.field == "seed" and err.message.endswith("(line 1 writes it first: seed = 1)")


def test_a_value_and_a_table_of_one_name_say_so(tmp_path):
    """`rules = []` under [gates] and a [[gates.rules]] below it: tomllib's 'Cannot mutate
    immutable namespace ('gates', 'rules')'."""
    err = _problem(tmp_path, '[gates]\nrules = []\n[[gates.rules]]\nmetric = "run.seed"\n')
    assert err.message == ("not valid TOML at line 3 (gates.rules is written as a value and "
                           "as a table: keep one): [[gates.rules]] (line 2 writes it first: "
                           "rules = [])")  # fmt: skip


def test_an_empty_key_is_named_as_one(tmp_path):
    err = _problem(tmp_path, '"" = 0\n')
    assert err.field == '""' and err.message == "unknown key"


def test_an_empty_or_doubled_tool_auditor_table_in_pyproject_is_refused(tmp_path):
    """An empty [tool.auditor] ran the digits demo (as an empty config file did);
    [[tool.auditor]] said 'no [tool.auditor] table', where there is one, in two brackets."""
    head = '[project]\nname = "p"\n'
    err = _problem(tmp_path, head + "[tool.auditor]\n", "pyproject.toml")
    assert err.field == "tool.auditor" and err.message.startswith("holds no setting")
    err = _problem(tmp_path, head + "[[tool.auditor]]\nseed = 1\n", "pyproject.toml")
    assert err.field == "tool.auditor"
    assert err.message == "is one table: write [tool.auditor] (one bracket), not [[tool.auditor]]"


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ('[data]\nsource = "table"\npath = "C:\\data\\x.csv"\n',
         "; a \\ in double quotes starts an escape: write the path with / (\"C:/data/x.csv\") "
         "or in single quotes ('C:\\data\\x.csv')"),
        ('[data]\npath = "C:\\Users\\me\\t.csv"\nsensitive = ["s"]\n',  # a table's, no source
         "; a \\ in double quotes starts an escape: write the path with / "
         "(\"C:/Users/me/t.csv\") or in single quotes ('C:\\Users\\me\\t.csv')"),
        ("[data]\nsource = table\n", '; text is written in quotes: source = "table"'),
        ("device = cpu  # here\n", '; text is written in quotes: device = "cpu"'),
        ("[data]\nsensitive = [sex, race]\n",
         '; text is written in quotes: sensitive = ["sex", "race"]'),
        ("[gates]\nuse_defaults = True\n", "; TOML writes true and false in lower case: "
         "use_defaults = true"),
        ("[data.splits]\nval = .1\n", "; a number starts with a digit: val = 0.1"),
    ],
)  # fmt: skip
def test_a_common_toml_slip_says_how_to_write_it(tmp_path, text, hint):
    """A Windows path in double quotes ('Unescaped '\\' in a string', 'Invalid hex value'),
    text without quotes, True and .1 ('Invalid value') named the line but not the way to
    write it."""
    err = _problem(tmp_path, text)
    assert err.message.startswith("not valid TOML at line "), err.message
    assert err.message.endswith(hint), err.message


def test_a_line_inside_a_multi_line_string_is_not_taken_for_a_key(tmp_path):
    """`limitations = x` inside intended_use's \"\"\" text was named as the line that wrote
    limitations first (the line-by-line reading took it for a key)."""
    text = ('[transparency.declared]\nintended_use = """\nlimitations = x\n"""\n'
            'limitations = "a"\nlimitations = "b"\n')  # fmt: skip
    err = _problem(tmp_path, text)
    assert err.field == "transparency.declared.limitations"
    assert err.message.endswith('(line 5 writes it first: limitations = "a")'), err.message
    err = _problem(tmp_path, "[data]\nsensitive = '''\n[gates]\n'''\n[gates]\n[gates]\n")
    assert err.message.endswith("(line 5 writes it first: [gates])"), err.message


def test_a_sub_table_above_its_table_is_not_said_to_write_it(tmp_path):
    """[data.splits], then [data] twice: "(line 1 writes it first: [data.splits])", a legal
    line, where line 3 is the first [data]; a key of [data.splits] is not [data]'s either."""
    err = _problem(tmp_path, '[data.splits]\nval = 0.1\n[data]\nsource = "digits"\n[data]\n')
    assert err.message.endswith("(line 3 writes it first: [data])"), err.message
    err = _problem(tmp_path, '[a]\nb.c = 1\n[a.b]\n')
    assert err.message.endswith("(line 2 writes it first: b.c = 1)"), err.message
    err = _problem(tmp_path, '[a.b]\nx = 1\n[a]\nb = 2\n')
    assert err.message.endswith("(line 1 writes it first: [a.b])"), err.message


# fmt: off
SLIPS = [
    # (the file, how the message ends: its line alone where no way to write it is known)
    ("[gates]\nuse_defaults = yes\n",
     "; TOML says yes and no as true and false: use_defaults = true"),
    ("[pretrain]\nepochs = ten\n", "(Invalid value): epochs = ten"),
    ("[pretrain]\nepochs = True\n", "(Invalid value): epochs = True"),
    ("[pretrain]\nepochs = .5\n", "(Invalid value): epochs = .5"),
    ("[gates]\nbaseline = None\n", "; TOML has no null: leave baseline out for its default"),
    ("seed = 1\nthreads = null\n", "; TOML has no null: leave threads out for its default"),
    # left out, the file (or [tool.auditor]) would hold no setting: no hint to leave it out
    ("threads = null\n", "(Invalid value): threads = null"),
    ("device = CPU\n", '; text is written in quotes: device = "cpu"'),
    ("device = gpu\n", "(Invalid value): device = gpu"),
    ("[data]\nsensitive = sex\n", '; text is written in quotes: sensitive = ["sex"]'),
    ('[[gates.rules]]\nname = "a\\d"\n', '(Unescaped \'\\\' in a string): name = "a\\d"'),
    ('[data]\nsource = "table"\npath = "C:\\Bob\'s\\x.csv"\n',
     '; a \\ in double quotes starts an escape: write the path with / ("C:/Bob\'s/x.csv")'),
    # "none" is a value of these keys (random init, no intersections), not their default
    ("[pretrain]\nobjective = none\n", '; text is written in quotes: objective = "none"'),
    ("[fairness]\nintersections = None\n", '; text is written in quotes: intersections = "none"'),
    # a label takes text and booleans: yes is no TOML boolean, and a CSV's yes is text
    ('[data]\nsource = "table"\npath = "x.csv"\ntarget = "y"\nsensitive = ["s"]\n'
     "positive_label = yes\n", '; text is written in quotes: positive_label = "yes"'),
    # target by the file's source: a built-in's value, a table's column (source after it too)
    ('[data]\nsource = "digits"\ntarget = ODD\n', '; text is written in quotes: target = "odd"'),
    ("[data]\ntarget = GE5\n", '; text is written in quotes: target = "ge5"'),
    # no source, as validate_config reads it: a table (sensitive is a table's key), whose
    # target is a column (digits' "odd" or "ge5" gave no hint); the next run says NO_SOURCE
    ('[data]\npath = "x.csv"\ntarget = income\nsensitive = ["sex"]\n',
     '; text is written in quotes: target = "income"'),
    ('[data]\ntarget = income\ndrop = ["id"]\n', '; text is written in quotes: target = "income"'),
    ("[data]\ntarget = ODD\nsource = 'mnist'\n", '; text is written in quotes: target = "odd"'),
    ('[data]\ntarget = ODD\nsource = "table"\n', '; text is written in quotes: target = "ODD"'),
    ('data = {source = "digits", target = ODD}\n', "(Invalid value): data = {source = \"digits\", "
     "target = ODD}"),
    # a hint whose line the config then refuses: none ("must be more than 0", "a gate needs
    # max, min or allowed", "no '.' or '..'"); a rule's other missing key is no reason
    ("[pretrain]\nlr = -.001\n", "(Invalid value): lr = -.001"),
    ('[[gates.rules]]\nmetric = "accuracy"\nmin = None\n', "(Invalid value): min = None"),
    ("name = ..\n", "(Invalid value): name = .."),
    ("[[gates.rules]]\nmetric = accuracy\n", '; text is written in quotes: metric = "accuracy"'),
    # refused for its own value by any problem, not the first alone (epochs = 0 comes first)
    ("[pretrain]\nepochs = 0\nlr = -.001\n", "(Invalid value): lr = -.001"),
    # refused for another key's sake (kind "auto" reads neither): the quotes are still right
    ("[model]\npath = model.pt\n", '; text is written in quotes: path = "model.pt"'),
    ('[data]\nsource = "table"\npath = "x.csv"\ntarget = "y"\nsensitive = ["s"]\n'
     "members = m.csv\n", '; text is written in quotes: members = "m.csv"'),
]
# fmt: on


@pytest.mark.parametrize(("text", "ending"), SLIPS)
def test_a_slip_is_told_how_to_write_it_only_where_the_key_takes_that(tmp_path, text, ending):
    """The hints looked at the text alone: `use_defaults = yes` was told `"yes"` (then "must be
    true or false"), `epochs = ten` `"ten"`, `epochs = True` `true`, `baseline = None` `"None"`
    (a file name), `name = "a\\d"` to write a path with /, and `'C:\\Bob's\\x.csv'` is no TOML."""
    err = _problem(tmp_path, text)
    assert err.message.endswith(ending), err.message


def test_each_way_to_write_a_slip_is_a_line_the_config_takes(tmp_path):
    """Following a hint gives a file that is valid TOML and whose key takes the value."""
    for text, ending in SLIPS + [(t, h) for t, h in test_a_common_toml_slip_says_how_to_write_it
                                 .pytestmark[0].args[1]]:  # fmt: skip
        if not ending.startswith(";"):
            continue
        err = _problem(tmp_path, text)
        number = int(err.message.split("at line ")[1].split(" ")[0])
        lines = text.splitlines()
        if "leave " in ending:
            lines[number - 1] = ""
        elif "write the path" in ending:
            lines[number - 1] = "path = " + ending.split("/ (")[1].split(")")[0]
        else:
            lines[number - 1] = ending.split(": ", 1)[1]
        path = tmp_path / "fixed.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            load_config(path)
        except AuditorInputError as again:
            assert "not valid TOML" not in again.message, (text, again.message)
            # the key takes the value (a table's other keys may still be missing)
            wrong = again.field == err.field and again.message.startswith("must be")
            assert not wrong, (text, again.message)


def test_a_quoted_key_written_twice_is_named_bare_with_its_first_line(tmp_path):
    """`"source" = "digits"` under `source = "digits"` was named data."source", quotes kept,
    without the line that wrote it first."""
    err = _problem(tmp_path, '[data]\nsource = "digits"\n"source" = "digits"\n')
    assert err.field == "data.source"
    assert err.message.endswith('(line 2 writes it first: source = "digits")'), err.message


def test_a_key_written_twice_on_a_last_line_without_a_newline_is_named(tmp_path):
    """Notepad writes no final newline: tomllib said 'Cannot overwrite a value (at end of
    document)', no line, no key."""
    err = _problem(tmp_path, "seed = 1\nseed = 2")
    assert err.field == "seed"
    assert err.message == ("not valid TOML at line 2 (a key written twice in its table: keep "
                           "one): seed = 2 (line 1 writes it first: seed = 1)")  # fmt: skip


def test_a_quoted_table_name_written_twice_is_found_first(tmp_path):
    """`["data"]` then `[data]`: the line that wrote [data] first was not named."""
    err = _problem(tmp_path, '["data"]\nsource = "digits"\n[data]\ntarget = "odd"\n')
    assert err.message.endswith('(line 1 writes it first: ["data"])'), err.message


@pytest.mark.parametrize("text", ["[tool.auditor.run]\nseed = None\n",
                                  "[tool.auditor]\nthreads = None\n"])
def test_a_hint_to_leave_out_the_only_setting_of_pyproject_is_not_given(tmp_path, text):
    """`[tool.auditor.run] seed = None` alone was told to leave seed out: the hint was tried
    on the file without the pyproject table's own checks, and the file then held no setting."""
    err = _problem(tmp_path, '[project]\nname = "p"\n' + text, "pyproject.toml")
    assert err.message.endswith(" = None"), err.message


def test_a_hostile_configs_slip_is_not_tried_on_the_whole_file(tmp_path, monkeypatch):
    """A 1 MB file of 28,571 gate rules, then `min=None`, took 2.0-2.3 s to refuse, 0.7 s of it
    parsing and validating the file again to try the hint; past MAX_TRIAL_CHARS the hint is
    dropped untried (an ordinary file keeps it: test_a_common_toml_slip_says_how_to_write_it)."""
    from auditor.config import refusals, toml_file

    def tried(*args, **kwargs):
        raise AssertionError("the hint was tried on the whole file")

    rule = '[[gates.rules]]\nmetric="a"\nmin=0.5\n'
    rules = rule * (toml_file.MAX_TRIAL_CHARS // len(rule) + 1)
    small = _problem(tmp_path, rule + '[[gates.rules]]\nmetric="a"\nmin=.5\n')
    assert small.message.endswith("; a number starts with a digit: min = 0.5"), small.message
    monkeypatch.setattr(refusals, "refusals", tried)
    err = _problem(tmp_path, rules + '[[gates.rules]]\nmetric="a"\nmin=.5\n')
    assert err.field == f"gates.rules[{rules.count('[[')}].min"
    assert err.message.endswith("(Invalid value): min=.5"), err.message


@pytest.mark.parametrize(
    "line",
    ['a = "x # y" # z', "a = 'x\" y' # \"", 'a = "x\\" y"', 'a = "open', "a = 'open", 'a=""',
     "a = ['x', \"y\"] # [", '"a.b" = 1', "x = '''y'''", 'x = """y', "# only", ""],
)
def test_a_lines_code_is_read_alike_by_regex_and_by_character(line):
    from auditor.config.toml_lines import _code, _code_by_char

    assert _code(line, None) == _code_by_char(line, None)


@pytest.mark.parametrize(
    ("text", "ending"),
    [
        # "splits.test" is one key holding a dot, not splits.test: its first line is line 4
        ('[data]\nsource = "digits"\nsplits.test = 0.2\n"splits.test" = 1\n"splits.test" = 2\n',
         '"splits.test" = 2 (line 4 writes it first: "splits.test" = 1)'),
        ('[data]\nsource = "digits"\n"splits.test" = 1\nsplits.test = 0.2\nsplits.test = 0.3\n',
         "splits.test = 0.3 (line 4 writes it first: splits.test = 0.2)"),
        ('["data.splits"]\nx = 1\n["data.splits"]\ny = 1\n',
         '["data.splits"] (line 1 writes it first: ["data.splits"])'),
    ],
)  # fmt: skip
def test_a_quoted_key_holding_a_dot_is_told_apart_from_a_dotted_key(tmp_path, text, ending):
    """Its quotes kept (`_bare`) it matched no line written first, and all stripped
    (`_full_key`) it matched a dotted key's line: the line written first was not named."""
    err = _problem(tmp_path, text)
    assert err.message.endswith(ending), err.message
