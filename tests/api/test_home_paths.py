"""A path given from Python with a leading ``~``, as pandas' readers and writers take it:
``AuditResult.write("~/runs/x")`` and ``audit_predictions(out_dir="~/runs/x")`` wrote a
folder named ``~`` in the working folder, and ``AuditResult.load``, ``regate`` and
``rerender`` found no run at ``~/...``. Each now reads and writes in the home folder (the
predictions file's ``~`` was expanded already); a ``~name`` of no user is one line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import auditor
from auditor.errors import AuditorInputError

# home: tests/conftest.py's (the working folder tmp_path/work must stay empty)


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"y": rng.integers(0, 2, 300), "p": rng.integers(0, 2, 300),
                         "group": rng.choice(["a", "b"], 300)})  # fmt: skip


def test_every_path_argument_takes_the_home_folder(home, tmp_path):
    first = auditor.audit_predictions(_frame(), y_true="y", y_pred="p", sensitive=["group"],
                                      out_dir="~/runs/a")  # fmt: skip
    assert first.run_dir == home / "runs" / "a" and (home / "runs/a/audit.json").is_file()
    loaded = auditor.AuditResult.load("~/runs/a")
    assert loaded.json_data() == first.json_data() and loaded.run_dir == home / "runs" / "a"
    written = auditor.audit_predictions(_frame(), y_true="y", y_pred="p",
                                        sensitive=["group"]).write("~/runs/b")  # fmt: skip
    assert written.run_dir == home / "runs" / "b" and (home / "runs/b/audit.json").is_file()
    gated = auditor.regate("~/runs/a", out_dir="~/runs/a-gate", baseline="~/runs/b")
    assert (home / "runs/a-gate/audit.json").is_file()
    assert gated.data["gates"]["baseline"]["file"] == str(home / "runs" / "b")
    auditor.rerender("~/runs/a", out_dir="~/runs/a-card")
    assert (home / "runs/a-card/model_card.html").is_file()
    assert list((tmp_path / "work").iterdir()) == []  # no folder named '~'


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: auditor.AuditResult.load("~nobody-A2/run"), "path"),
        (lambda: auditor.regate("~nobody-A2/run"), "run_dir"),
        (lambda: auditor.rerender("~nobody-A2/run"), "run_dir"),
    ],
)
def test_a_home_of_no_user_is_one_line_naming_the_argument(home, call, field):
    with pytest.raises(AuditorInputError) as err:
        call()
    assert str(err.value) == (f"{field}: ~nobody-A2 names no home folder on this machine (write "
                              "the folder out)")  # fmt: skip


BAD_RULE = """name = "home"
[data]
source = "digits"
[[gates.rules]]
metric = "performance.nope"
max = 1
"""


def test_run_reads_its_config_and_checks_its_out_in_the_home_folder(home, tmp_path):
    """auditor.run(config="~/c.toml") read ./~/c.toml ("no such file"), and out_dir="~/x"
    was checked (and would be written) as ./~/x: the out is checked first, in the home."""
    (home / "c.toml").write_text(BAD_RULE, encoding="utf-8")
    with pytest.raises(AuditorInputError) as err:
        auditor.run("~/c.toml", out_dir=tmp_path / "out", progress=False)
    assert str(err.value).startswith("~/c.toml: gates.rules[0].metric: "), str(err.value)
    (home / "x").write_text("a file, not a folder", encoding="utf-8")
    with pytest.raises(AuditorInputError) as err:
        auditor.run("~/c.toml", out_dir="~/x", progress=False)
    assert err.value.source == str(home / "x") and err.value.field == "out_dir", str(err.value)
    assert list((tmp_path / "work").iterdir()) == []


def test_audit_model_writes_its_out_dir_in_the_home_folder(home, tmp_path):
    """audit_model(out_dir="~/runs/am") wrote ./~/runs/am."""
    rng = np.random.default_rng(0)
    rows = pd.DataFrame({"x": rng.normal(size=300), "group": rng.choice(["a", "b"], 300)})
    rows["label"] = (rows.x + rng.normal(scale=0.5, size=300) > 0).astype(int)
    model = LogisticRegression().fit(rows[["x"]], rows["label"])
    result = auditor.audit_model(model, data=rows, target="label", sensitive=["group"],
                                 progress=False, out_dir="~/runs/am")  # fmt: skip
    assert result.run_dir == home / "runs" / "am" and (home / "runs/am/audit.json").is_file()
    assert list((tmp_path / "work").iterdir()) == []


def test_a_folder_named_tilde_is_written_as_dot_slash_tilde(home, tmp_path):
    """Only a leading '~' is the home folder: './~/r' is the folder '~' here."""
    result = auditor.audit_predictions(_frame(), y_true="y", y_pred="p", sensitive=["group"],
                                       out_dir="./~/r")  # fmt: skip
    assert (tmp_path / "work" / "~" / "r" / "audit.json").is_file()
    assert list(home.iterdir()) == [] and result.run_dir.parts[-2:] == ("~", "r")


def test_audit_model_reads_its_data_in_the_home_folder(home, tmp_path):
    """audit_model(data="~/d.csv") said '~/d.csv: data: no such file' where
    audit_predictions("~/p.csv") reads the file."""
    rng = np.random.default_rng(0)
    rows = pd.DataFrame({"x": rng.normal(size=300), "group": rng.choice(["a", "b"], 300)})
    rows["label"] = (rows.x + rng.normal(scale=0.5, size=300) > 0).astype(int)
    rows.to_csv(home / "d.csv", index=False)
    model = LogisticRegression().fit(rows[["x"]], rows["label"])
    result = auditor.audit_model(model, data="~/d.csv", target="label", sensitive=["group"],
                                 progress=False)  # fmt: skip
    assert result.verdict in {"pass", "warn", "fail"}
    assert list((tmp_path / "work").iterdir()) == []


def test_config_file_beside_an_audit_config_takes_the_home_folder(home, tmp_path):
    """`config_file="~/c.toml"` was Path("~/c.toml"), so a baseline beside it was looked for
    in ./~ ("runs/a: gates.baseline: no such file", R11 #2b)."""
    from auditor.config import AuditConfig, GatesConfig

    auditor.audit_predictions(_frame(), y_true="y", y_pred="p", sensitive=["group"],
                              out_dir="~/runs/a")  # fmt: skip
    (home / "c.toml").write_text('name = "x"\n', encoding="utf-8")
    config = AuditConfig(name="x", gates=GatesConfig(baseline="runs/a"))
    gated = auditor.regate("~/runs/a", config=config, config_file="~/c.toml",
                           out_dir="~/runs/g")  # fmt: skip
    assert gated.data["gates"]["baseline"]["file"] == str(home / "runs" / "a")
    made = auditor.audit_predictions(_frame(), y_true="y", y_pred="p", sensitive=["group"],
                                     config=config, config_file="~/c.toml")  # fmt: skip
    assert made.data["gates"]["baseline"]["file"] == str(home / "runs" / "a")
    assert list((tmp_path / "work").iterdir()) == []


@pytest.mark.parametrize("out_dir", ["~nobody_zz9/o", 5])
def test_a_bad_out_dir_of_run_is_not_blamed_on_the_config_file(home, out_dir):
    """run("~/c.toml", out_dir="~nobody/o") said "~/c.toml: out_dir: ...", naming the config
    file, which holds no fault (R11 #8)."""
    (home / "c.toml").write_text('name = "x"\n', encoding="utf-8")
    with pytest.raises(AuditorInputError) as err:
        auditor.run("~/c.toml", out_dir=out_dir, progress=False)
    assert err.value.field == "out_dir" and err.value.source != "~/c.toml", str(err.value)


def test_an_output_file_takes_the_home_folder(home, tmp_path):
    """preflight.check_out_file did Path(path): '~/d.md' from Python was ./~/d.md (R11 #4)."""
    from auditor.preflight import check_out_file

    assert check_out_file("~/d.md", field="--out") == home / "d.md"
    (home / "d.md").mkdir()
    with pytest.raises(AuditorInputError) as err:
        check_out_file("~/d.md", field="--out")
    assert err.value.source == str(home / "d.md")
    assert list((tmp_path / "work").iterdir()) == []


@pytest.mark.parametrize(
    ("value", "said"),
    [(-(10**400), "got a negative int of 401 digits"),
     ("x" * 100, "got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…")],
)  # fmt: skip
def test_a_long_value_is_shown_cut_with_an_ellipsis(home, value, said):
    """repr()[:40] showed -10**400 as -1000...0, which is -1e38, another number, and a long
    text lost its closing quote with no mark (R11 #6)."""
    with pytest.raises(AuditorInputError) as err:
        auditor.audit_predictions(_frame(), y_true="y", y_pred="p", sensitive=["group"],
                                  out_dir="x", lock_timeout=value)  # fmt: skip
    assert str(err.value).endswith(said), str(err.value)
