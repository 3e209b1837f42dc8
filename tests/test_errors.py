"""AuditorInputError keeps its bare message beside its source and field, so code that names
another source or field re-raises the message itself instead of cutting the prefix off."""

from __future__ import annotations

import pickle
import re

import pytest

from auditor.api._errors import config_named
from auditor.errors import AuditorInputError


def test_the_message_is_kept_bare_and_survives_pickling():
    err = AuditorInputError("x: y: z", source="a.csv", field="data.path")
    assert str(err) == "a.csv: data.path: x: y: z" and err.message == "x: y: z"
    back = pickle.loads(pickle.dumps(err))  # a worker process's error comes back pickled
    assert (str(back), back.message, back.source, back.field) == (
        str(err), err.message, "a.csv", "data.path")  # fmt: skip
    assert AuditorInputError("bare").message == str(AuditorInputError("bare")) == "bare"


def test_a_renamed_error_keeps_the_message_whole():
    with pytest.raises(AuditorInputError) as err, config_named("audit.toml"):
        raise AuditorInputError("model.train: looks like a prefix", field="model.train")
    assert str(err.value) == "audit.toml: model.train: model.train: looks like a prefix"
    assert err.value.message == "model.train: looks like a prefix"


def test_interruption_is_found_through_causes_and_contexts():
    from auditor.errors import interruption

    ctrl_c = KeyboardInterrupt()
    wrapped = RuntimeError("Error calling __set_name__")
    wrapped.__cause__ = ctrl_c
    outer = ValueError("while handling")
    outer.__context__ = wrapped
    assert interruption(outer) is ctrl_c and interruption(ctrl_c) is ctrl_c
    plain = OSError("disk")
    plain.__context__ = ValueError("x")
    plain.__context__.__context__ = plain  # a cycle ends the walk
    assert interruption(plain) is None


def test_read_capped_refuses_past_the_limit_by_size_and_by_what_it_read(tmp_path):
    """The one capped read of a config file and an audit.json (each wrote its own)."""
    from functools import partial
    from pathlib import Path

    from auditor.errors import AuditorInputError, read_capped

    say = {"too_large": partial("{size} > {limit}".format, limit=10), "cannot_read": "no ({error})"}
    small = tmp_path / "small"
    small.write_bytes(b"0123456789")
    assert read_capped(small, 10, **say) == b"0123456789"
    big = tmp_path / "big"
    with big.open("wb") as fh:
        fh.truncate(2**40)  # sparse: refused by its size, never read
    with pytest.raises(AuditorInputError, match=f"{big}: {2**40} > 10"):
        read_capped(big, 10, **say)
    with pytest.raises(AuditorInputError, match="11 > 10"):  # a size of 0, endless bytes
        read_capped(Path("/dev/zero"), 10, **say)
    with pytest.raises(AuditorInputError, match=r"missing: no \(No such file or directory\)"):
        read_capped(tmp_path / "missing", 10, **say)


def test_read_capped_takes_the_size_of_the_file_it_opened(tmp_path, monkeypatch):
    """No second look at the path for its size (a stat passed in from regular_file's, through
    four readers, saved one: the open file's fstat does without it)."""
    from pathlib import Path

    from auditor.errors import read_capped

    path = tmp_path / "auditor.toml"
    path.write_bytes(b"x" * 10)

    def looked_again(self, **kwargs):
        raise AssertionError(f"{self} looked at again")

    monkeypatch.setattr(Path, "stat", looked_again)
    said = "{size} bytes".format
    assert read_capped(path, 100, too_large=said, cannot_read="{error}") == b"x" * 10
    with pytest.raises(AuditorInputError, match="10 bytes"):
        read_capped(path, 5, too_large=said, cannot_read="{error}")


def test_a_write_on_a_full_disk_or_an_unresolvable_path_says_the_way_on(tmp_path):
    import errno

    from auditor.errors import input_os_error, way_on

    full = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x"))
    assert way_on(full) == "free some space" and way_on(OSError("no errno")) is None
    assert str(input_os_error(full)).endswith("No space left on device (free some space)")
    assert way_on(OSError(errno.ELOOP, "loop")) == "no file system resolves this path"


@pytest.mark.parametrize("ending", [".lz4", ".7z", ".snappy", ".bz2"])
def test_a_file_or_a_part_compressed_other_than_by_gzip_is_said_to_be_so_alike(tmp_path, ending):
    # two lists of endings differed: one.csv.lz4 was "unsupported file type" with no way on,
    # a folder's part-0.csv.7z "neither Parquet nor CSV"
    from auditor.api import audit_predictions
    from auditor.errors import COMPRESSED_NAMES

    assert ending in COMPRESSED_NAMES
    cols = dict(y_true="label", y_pred="pred", sensitive=["sex"], positive_label="approved")
    one = tmp_path / f"one.csv{ending}"
    one.write_bytes(b"\x00\x01compressed")
    with pytest.raises(AuditorInputError, match=r"; decompress it, or gzip it as \.csv\.gz"):
        audit_predictions(one, **cols)
    folder = tmp_path / "preds"
    folder.mkdir()
    (folder / f"part-0.csv{ending}").write_bytes(b"\x00\x01compressed")
    with pytest.raises(AuditorInputError, match=f"part-0.csv{ending} is compressed as "
                       f"\\{ending}, which is not read"):  # fmt: skip
        audit_predictions(folder, **cols)


def test_the_signal_line_names_the_written_folder_inert_in_a_ci_log():
    # the folder's path was made printable by a copy of commands.one_line's escape without its
    # workflow_inert: '##[error]' in a path was a GitHub Actions command in the job's log
    from auditor.errors import note_written, signal_exit

    note_written("/tmp/##[error]x\n")
    try:
        line, code = signal_exit(KeyboardInterrupt())
    finally:
        note_written(None)
    assert line == "auditor: interrupted; the report was written: /tmp/##\\x5berror]x\\x0a"
    assert code == 130


def test_a_printable_line_shows_controls_is_inert_and_is_cut():
    from auditor.errors import MAX_LINE, printable_line

    assert printable_line("a\x1b[31mb\tc\nd") == "a\\x1b[31mb\\x09c\\x0ad"
    assert printable_line("::error::x ##[warning]y") == "\\x3a:error::x ##\\x5bwarning]y"
    assert len(printable_line("x" * 5000)) == MAX_LINE


def test_a_printable_line_full_of_workflow_commands_stays_within_its_limit():
    # Cut before ##[ was made inert, each ##[ grew by 3 characters past the cut: 782 of 500.
    from auditor.errors import MAX_LINE, printable_line

    line = printable_line("##[e]" * 300)
    assert len(line) <= MAX_LINE
    assert "##[" not in line
    assert line.startswith("##\\x5be]##\\x5be]") and line.endswith("##\\x5be]")


def test_a_printable_line_is_cut_between_escapes_not_inside_one():
    from auditor.errors import MAX_LINE, printable_line

    for text in ("\x1b" * 600, "a" + "\x1b" * 600, "ab" + "\u200b" * 300 + "\x00" * 200):
        line = printable_line(text)
        assert len(line) <= MAX_LINE
        head, _, tail = line.partition(" […")
        assert re.fullmatch(r"(ab?)?(\\x1b)*(\\u200b)*", head), head
        assert re.fullmatch(r"[\d,]+ characters left out…\] ((\\x1b)+|(\\x00)+)", tail), tail


def test_an_error_line_shows_controls_as_the_reports_do_and_keeps_its_backslashes():
    """r4x #3: an error line showed a tab the repr way ('\\t'), so columns 's<TAB>x' and
    's\\tx' (typed) showed alike: a control is shown as the reports show it ('\\x09'). R9 #1,
    #2: its own backslashes are kept, not doubled: a path a user copies stays copyable, and a
    name repr quotes (its backslashes already shown) is not changed twice."""
    from auditor.errors import printable_line

    assert printable_line("has s\tx, s\\tx") == "has s\\x09x, s\\tx"
    for kept in ("C:\\build\\x64\\q.csv: no such file",
                 "no column " + repr("👩\u200d💻"),
                 "no column " + repr("a\xa0b"), "no column " + repr("zz\\x0ab")):  # fmt: skip
        assert printable_line(kept) == kept, kept


def test_two_columns_a_refusal_lists_are_shown_apart(tmp_path, monkeypatch, capsys):
    """As a user runs it: a header naming 's<TAB>x' and 's\\tx' (typed)."""
    from auditor.cli import exit_code_of

    monkeypatch.chdir(tmp_path)
    for header, listed in (('"s\tx",s\\tx', "s\\x09x, s\\tx"),):
        (tmp_path / "tw.csv").write_text(f"y_true,y_pred,{header}\n1,1,a,b\n0,1,a,b\n")
        assert exit_code_of(["audit", "-p", "tw.csv", "--sensitive", "nope", "-o", "o"]) == 2
        [line] = capsys.readouterr().err.splitlines()
        assert line.endswith(f"; the file has y_true, y_pred, {listed}"), line
        assert not (tmp_path / "o").exists()


def test_an_error_line_writes_a_path_as_the_terminal_s_other_lines_do(tmp_path, capsys):
    """R10 #6: 'Model card: …/o\\u00adx/model_card.html', then for a file in that folder
    'auditor: error: …/o\\xadx/nope: no such file': one folder spelled two ways on one
    terminal. The file an error names is now written as every copied path is."""
    from auditor.cli import exit_code_of
    from auditor.report.escape import terminal_exact

    missing = tmp_path / "o\xadx\x1b" / "nope"
    assert exit_code_of(["gate", str(missing)]) == 2
    line = capsys.readouterr().err.strip()
    assert line.startswith(f"auditor: error: {terminal_exact(str(missing))}:"), line
    assert "\\u00adx\\u001b/nope" in line and "\xad" not in line
