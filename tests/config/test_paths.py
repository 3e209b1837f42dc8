"""auditor.config.paths: a file a config names, as a Windows user writes it in double quotes,
where TOML's escapes (\\t, \\n, \\b, \\f) made control characters of it without an error."""

from __future__ import annotations

import pytest

from auditor.config import NAME_HAS_CONTROL, load_config
from auditor.errors import AuditorInputError

TABLE = '[data]\nsource = "table"\ntarget = "y"\nsensitive = ["s"]\n'


def _problem(tmp_path, text: str) -> AuditorInputError:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AuditorInputError) as err:
        load_config(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)
    return err.value


@pytest.mark.parametrize(
    ("line", "field", "said"),
    [
        ('path = "C:\\temp\\new.csv"', "data.path",
         "holds a tab: a \\ in double quotes starts an escape (\\t is a tab); write the path "
         "with / (\"C:/temp/new.csv\") or in single quotes ('C:\\temp\\new.csv')"),
        ('path = "D:\\bob\'s\\fit.csv"', "data.path",
         "holds a backspace: a \\ in double quotes starts an escape (\\b is a backspace); write "
         "the path with / (\"D:/bob's/fit.csv\")"),
        ('[model]\nkind = "sklearn"\npath = "C:\\new\\fit.joblib"', "model.path",
         "holds a new line: a \\ in double quotes starts an escape (\\n is a new line); write "
         "the path with / (\"C:/new/fit.joblib\") or in single quotes "
         "('C:\\new\\fit.joblib')"),
        ('[gates]\nbaseline = "C:\\runs\\base\\run.json"', "gates.baseline",
         "holds a carriage return: a \\ in double quotes starts an escape (\\r is a carriage "
         "return); write the path with / (\"C:/runs/base/run.json\") or in single quotes "
         "('C:\\runs\\base\\run.json')"),
    ],
)  # fmt: skip
def test_a_path_an_escape_made_a_control_character_of_says_how_to_write_it(
    tmp_path, line, field, said
):
    """`path = "C:\\temp\\new.csv"` is valid TOML, a tab and a new line in it: `auditor run`
    said 'C:\\temp\\new.csv: data.path: no such file', without the config file's name or a
    word of escapes."""
    above = TABLE if line.startswith("path") else TABLE + 'path = "t.csv"\n'
    err = _problem(tmp_path, above + line + "\n")
    assert (err.field, err.message) == (field, said)


def test_a_file_whose_name_holds_a_tab_is_read(tmp_path):
    """A file that is there is no slip, whatever its name holds."""
    (tmp_path / "a\tb.csv").write_text("y,s\n1,a\n", encoding="utf-8")
    path = tmp_path / "c.toml"
    path.write_text(TABLE + 'path = "a\\tb.csv"\n', encoding="utf-8")
    assert load_config(path).data.path == tmp_path / "a\tb.csv"


def test_a_name_an_escape_made_a_control_character_of_says_so(tmp_path):
    """`name = "C:\\new"` was 'a run name has no control characters', no word of the \\n."""
    err = _problem(tmp_path, 'name = "run\\new"\n')
    assert err.field == "name"
    assert err.message == (f"{NAME_HAS_CONTROL}; it holds a new line: a \\ in double quotes "
                           "starts an escape (\\n is a new line)")  # fmt: skip


@pytest.mark.parametrize(
    "line", ["path = 'new\tdir.csv'", 'path = "x\\u0009y.csv"', 'path = """a\tb.csv"""'])
def test_a_control_character_written_as_itself_is_no_escape(tmp_path, line):
    """A real tab in single quotes, or written as \\u0009, was told that a \\ in double
    quotes starts an escape and to write the path with / ("new/tdir.csv": a tab made /t)."""
    err = _problem(tmp_path, TABLE + line + "\n")
    assert err.field == "data.path"
    assert err.message == "holds a tab, and no such file or folder is there"


def test_a_home_path_an_escape_made_a_tab_of_is_shown_as_written(tmp_path):
    """`"~/x\\ty.csv"` was told to write "/home/me/x/ty.csv": the home folder spelt out."""
    err = _problem(tmp_path, TABLE + 'path = "~/x\\ty.csv"\n')
    assert err.message.endswith("""write the path with / ("~/x/ty.csv") or in single quotes \
('~/x\\ty.csv')"""), err.message


def test_a_command_that_reads_no_data_path_does_not_check_its_escapes(tmp_path):
    """gate --config and audit --config read [gates] alone (of [data], missing_group), yet
    `path = "C:\\temp\\new.csv"` in [data] made them exit 2, where a missing
    "C:\\\\temp\\\\x.csv" went through; a baseline's escape is still said."""
    from auditor.config.predictions_file import load_predictions_config

    path = tmp_path / "c.toml"
    path.write_text(TABLE + 'path = "C:\\temp\\new.csv"\n[model]\nkind = "sklearn"\n'
                    'path = "C:\\new\\fit.skops"\n', encoding="utf-8")  # fmt: skip
    config, _ = load_predictions_config(path)
    assert config.data.path.name.startswith("C:\temp")
    path.write_text('[gates]\nbaseline = "C:\\runs\\base"\n', encoding="utf-8")
    with pytest.raises(AuditorInputError) as err:
        load_predictions_config(path)
    assert err.value.field == "gates.baseline" and "\\r is a carriage return" in err.value.message


def test_a_command_that_reads_no_data_path_leaves_its_home_as_written(tmp_path):
    """`[data] path = "~nosuchuser9/x.csv"` made gate --config and audit --config exit 2
    ("names no home folder"), a path they never read; [gates]' baseline is still read."""
    from auditor.config.predictions_file import load_predictions_config

    path = tmp_path / "c.toml"
    path.write_text(TABLE + 'path = "~nosuchuser9/x.csv"\n[model]\nkind = "sklearn"\n'
                    'path = "~nosuchuser9/m.skops"\n', encoding="utf-8")  # fmt: skip
    config, _ = load_predictions_config(path)
    assert str(config.data.path) == "~nosuchuser9/x.csv"
    assert str(config.model.path) == "~nosuchuser9/m.skops"
    path.write_text('[gates]\nbaseline = "~nosuchuser9/base"\n', encoding="utf-8")
    with pytest.raises(AuditorInputError) as err:
        load_predictions_config(path)
    assert err.value.field == "gates.baseline" and "names no home folder" in err.value.message


@pytest.mark.parametrize("text", ["name = 'run\tx'\n", '[run]\nname = "run\\u0009x"\n'])
def test_a_name_holding_a_tab_written_as_itself_is_no_escape(tmp_path, text):
    """A real tab in single quotes was told that a \\ in double quotes starts an escape."""
    err = _problem(tmp_path, text)
    assert err.message == f"{NAME_HAS_CONTROL}; it holds a tab"


def test_a_run_name_given_in_python_is_told_of_no_escape():
    """`AuditConfig(name="a\\tb")` was told that a \\ in double quotes starts an escape, TOML's
    words where no TOML was written; the escape's words are said where a file holds it."""
    from pydantic import ValidationError

    from auditor.config import AuditConfig

    with pytest.raises(ValidationError) as err:
        AuditConfig(name="a\tb")
    assert "it holds a tab" in str(err.value) and "escape" not in str(err.value)


@pytest.mark.parametrize("name", ["pyproject.toml", "c.toml"])
def test_a_run_name_escape_in_run_or_pyproject_is_said(tmp_path, name):
    """The escape's words, where the file holds it, for `[run] name` and [tool.auditor]."""
    top = "[tool.auditor.run]\n" if name == "pyproject.toml" else "[run]\n"
    path = tmp_path / name
    path.write_text(top + 'name = "run\\new"\n', encoding="utf-8")
    with pytest.raises(AuditorInputError) as err:
        load_config(path)
    assert err.value.field.endswith("run.name")
    assert err.value.message.endswith("it holds a new line: a \\ in double quotes starts an "
                                      "escape (\\n is a new line)"), err.value.message


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (TABLE + 'path = "s3://bucket/a.csv"', "data.path"),
        (TABLE + 'path = "file:///srv/a.csv"', "data.path"),
        (TABLE + 'path = "a.csv"\n[model]\nkind = "sklearn"\npath = "https://h.org/m.skops"',
         "model.path"),
        ('[gates]\nbaseline = "https://ci.org/runs/1/audit.json"', "gates.baseline"),
    ],
)
def test_a_url_a_config_names_is_shown_as_written(tmp_path, text, field):
    """`path = "s3://bucket/a.csv"` was 's3:/bucket/a.csv: data.path: a URL' (a Path of it
    keeps one of the two slashes): the text the user wrote is shown."""
    (tmp_path / "a.csv").write_text("y,s\n1,a\n", encoding="utf-8")
    path = tmp_path / "c.toml"
    path.write_text(text + "\n", encoding="utf-8")
    url = text.rsplit('"', 2)[1]
    with pytest.raises(AuditorInputError) as err:
        load_config(path)
    assert str(err.value) == f"{url}: {field}: a URL: auditor reads a local file; download it first"


def test_a_url_in_a_table_the_command_does_not_read_is_left_alone(tmp_path):
    """gate --config and audit --config read [gates] alone: a URL in [data] is not theirs."""
    from auditor.config.predictions_file import load_predictions_config

    path = tmp_path / "c.toml"
    path.write_text(TABLE + 'path = "s3://bucket/a.csv"\n', encoding="utf-8")
    config, _ = load_predictions_config(path)
    assert str(config.data.path) == "s3:/bucket/a.csv"


def test_a_url_in_pyproject_names_its_key_below_tool_auditor(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text(TABLE.replace("[data]", "[tool.auditor.data]") + 'path = "gs://b/a.csv"\n',
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(AuditorInputError) as err:
        load_config(path)
    assert str(err.value) == ("gs://b/a.csv: tool.auditor.data.path: a URL: auditor reads a "
                              "local file; download it first")  # fmt: skip


def test_the_data_table_s_file_keys_are_one_list(tmp_path, monkeypatch):
    """resolve_paths wrote the data table's file keys out again beside FILE_KEYS, which the
    URL check reads: a key added to one would be missed by the other (r8 #6). Both read
    FILE_KEYS: a key taken out of it is no longer resolved beside the config."""
    from auditor.config import paths

    (tmp_path / "c.toml").write_text(TABLE + 'path = "p.csv"\n', encoding="utf-8")
    assert load_config(tmp_path / "c.toml").data.path == tmp_path / "p.csv"
    monkeypatch.setitem(paths.FILE_KEYS, "data", ("root",))
    assert str(load_config(tmp_path / "c.toml").data.path) == "p.csv"


def writes(typed: str, kind: str = "folder") -> str:
    return ("a URL: auditor writes local files; write them here, then upload them "
            f"(./{typed} names a local {kind})")  # fmt: skip


@pytest.mark.parametrize("text", ["s3://x", "https://h.org/run", "S3://b/r", "git+ssh://h/r",
                                  "file:///srv/run", "s3:/x", "https:/bucket/run", "backup:/r",
                                  "Run.v2:/z", "x.y:/z"])  # fmt: skip
def test_an_output_typed_as_a_url_is_refused_though_its_folder_is_there(text, tmp_path,
                                                                        monkeypatch):  # fmt: skip
    """out_as_written let `s3://x` through where ./s3:/x was there, the reads' rule (a run an
    older auditor's `-o s3://x` wrote was written into again) (R1 #1). A URL is the reads'
    shape, one slash or two: `-o https:/bucket/run` was written locally where the same text
    read was refused as a URL (R4 #3); the way past it is ./ and what was typed (R4 #5)."""
    from pathlib import Path

    from auditor.config.paths import out_as_written

    monkeypatch.chdir(tmp_path)
    Path(text).mkdir(parents=True)  # the folder its Path names (s3:/x)
    with pytest.raises(AuditorInputError) as err:
        out_as_written(text, field="out_dir")
    assert str(err.value) == f"{text}: out_dir: {writes(text)}"


def test_an_output_file_typed_as_a_url_is_named_a_path():
    """`auditor init https://h/c.toml` said '(./s3://x names a local folder)': another scheme,
    and a file (R4 #5)."""
    from auditor.config.paths import out_as_written

    with pytest.raises(AuditorInputError) as err:
        out_as_written("https://h/c.toml", field="PATH", kind="path")
    assert str(err.value).endswith("upload them (./https://h/c.toml names a local path)")


@pytest.mark.parametrize("text", ["./s3://x", "C:/x", "C:\\x", "runs/10:30", "ab:c", "s3:x",
                                  "runs/s3://b"])  # fmt: skip
def test_an_output_whose_colon_starts_no_url_is_a_local_path(text):
    """A drive, a time in a name, a scheme with no '/' after it, or a URL after ./ is a local
    path; so is a Path (from Python)."""
    from pathlib import Path

    from auditor.config.paths import out_as_written

    out_as_written(text, field="out_dir")
    out_as_written(Path("s3://x"), field="out_dir")
