"""Reading audit.json (a run's, a baseline's) as JSON: what auditor never writes is refused
in one line before any reader walks it, through ``auditor gate``, ``card``, ``diff`` and a
gates baseline alike; auditor's own audit.json reads back as before."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from auditor.audit_tree.jsonfile import (
    DUPLICATE_KEY,
    FLOAT_TOO_LARGE,
    INT_TOO_LARGE,
    MAX_DEPTH,
    TOO_DEEP,
    parse_json_text,
    read_json_file,
    too_deep,
)
from auditor.cli import exit_code_of
from auditor.errors import AuditorInputError
from tests.builders import folder_bytes, predictions_audit


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("jsonfile")
    predictions_audit(folder, n=600)
    return folder / "run"


def _with_text(finished: Path, tmp_path: Path, edit) -> Path:
    run = tmp_path / "run"
    shutil.copytree(finished, run)
    text = (run / "audit.json").read_text(encoding="utf-8")
    at = text.index('"config": {') + len('"config": {')
    (run / "audit.json").write_text(edit(text, at), encoding="utf-8")
    return run


HOSTILE = {
    # 500 nested lists passed the reader (under Python's limit) and crashed the writer
    "nested-lists": (lambda t, i: t[:i] + '"x": ' + "[" * 500 + "]" * 500 + "," + t[i:],
                     TOO_DEEP.format(limit=MAX_DEPTH)),
    "nested-objects": (lambda t, i: t[:i] + '"x": ' + '{"a": ' * 300 + "1" + "}" * 300 + ","
                       + t[i:], TOO_DEEP.format(limit=MAX_DEPTH)),
    # 1e400 read as infinity, which no check looked for (only the NaN / Infinity literals)
    "1e400": (lambda t, i: t[:i] + '"x": 1e400,' + t[i:],
              FLOAT_TOO_LARGE.format(text="1e400")),
    # past Python's own recursion limit: "maximum recursion depth exceeded while decoding"
    "nested-100k": (lambda t, i: t[:i] + '"x": ' + "[" * 100_000 + "]" * 100_000 + "," + t[i:],
                    TOO_DEEP.format(limit=MAX_DEPTH)),
    "1e999": (lambda t, i: t[:i] + '"x": 1e999,' + t[i:], FLOAT_TOO_LARGE.format(text="1e999")),
    # Python's int() refuses 4,300 digits with its own advice (sys.set_int_max_str_digits())
    "int-5000-digits": (lambda t, i: t[:i] + '"x": ' + "9" * 5000 + "," + t[i:],
                        INT_TOO_LARGE.format(digits="5,000")),
    # the last of two keys won silently; another JSON reader may take the first
    "duplicate-key": (lambda t, i: t.replace("{", '{"schema_version": "0.1", ', 1),
                      DUPLICATE_KEY.format(key="schema_version")),
}  # fmt: skip


@pytest.mark.parametrize("case", list(HOSTILE))
@pytest.mark.parametrize("command", ["gate", "card", "diff", "baseline"])
def test_hostile_json_is_one_line_exit_2_and_nothing_written(
    finished, tmp_path, capsys, command, case
):
    edit, why = HOSTILE[case]
    run = _with_text(finished, tmp_path, edit)
    before = folder_bytes(run)
    out = tmp_path / "out"
    args = {
        "gate": ["gate", str(run), "--out", str(out)],
        "card": ["card", str(run), "--out", str(out)],
        "diff": ["diff", str(finished), str(run), "--out", str(out)],
        "baseline": ["gate", str(finished), "--baseline", str(run), "--out", str(out)],
    }[command]
    code = exit_code_of(args)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and "Traceback" not in err, err
    assert str(run / "audit.json") in lines[0] and why in lines[0], lines[0]
    assert folder_bytes(run) == before and not out.exists()


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path):
    """A 3 GB audit.json (sparse: no disk) was read whole into memory (MemoryError)."""
    path = tmp_path / "audit.json"
    with path.open("wb") as f:
        f.truncate(3 * 2**30)
    with pytest.raises(AuditorInputError, match="more than the 256 MiB"):
        read_json_file(path)
    small = tmp_path / "small.json"
    small.write_text('{"a": [' + "1," * 600 + "1]}")
    with pytest.raises(AuditorInputError, match="1,210 bytes, more than the"):
        read_json_file(small, max_bytes=1000)
    assert read_json_file(small)[0]["a"][-1] == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_not_read(tmp_path, capsys):
    os.mkfifo(tmp_path / "audit.json")
    assert exit_code_of(["card", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "not a regular file" in capsys.readouterr().err


def test_auditors_own_audit_json_reads_back_unchanged(finished):
    text = (finished / "audit.json").read_text(encoding="utf-8")
    data, read_text = read_json_file(finished / "audit.json")
    assert data == json.loads(text) and read_text == text
    assert not too_deep(data, limit=12)


@pytest.mark.parametrize(("text", "ok"), [
    ("[" * MAX_DEPTH + "]" * MAX_DEPTH, True),
    ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), False),
    ('{"a": 1e308, "b": -1e-400, "c": 18446744073709551615}', True),
    ('{"a": -1e309}', False),
    ('{"a": {"k": 1}, "b": {"k": 2}}', True),  # the same key in two objects is fine
])  # fmt: skip
def test_the_limits_are_where_they_say(text, ok):
    if ok:
        parse_json_text(text, source="x")
    else:
        with pytest.raises(AuditorInputError, match="^x: not valid JSON"):
            parse_json_text(text, source="x")


def test_a_byte_order_mark_is_skipped_and_a_compressed_copy_named(tmp_path):
    """An editor's UTF-8 BOM before the JSON was refused as 'Unexpected UTF-8 BOM'; a gzip'd
    audit.json was 'can't decode byte 0x8b', which did not say what to do."""
    import gzip

    text = json.dumps({"schema_version": "2.0", "a": [1, 2]})
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert read_json_file(bom) == (json.loads(text), text)
    packed = tmp_path / "audit.json"
    packed.write_bytes(gzip.compress(text.encode()))
    with pytest.raises(AuditorInputError) as err:
        read_json_file(packed)
    assert str(err.value) == f"{packed}: gzip-compressed, not JSON: decompress it first (gunzip)"


def _packed(kind: str, data: bytes) -> bytes:
    """``data`` as each compressor writes it (zstd: its frame's first bytes, no codec here)."""
    import bz2
    import gzip
    import io
    import lzma
    import zipfile

    if kind == "zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("audit.json", data)
        return out.getvalue()
    return {"gzip": gzip.compress, "bzip2": bz2.compress, "xz": lzma.compress,
            "zstd": lambda d: b"\x28\xb5\x2f\xfd\x20\x00" + d}[kind](data)  # fmt: skip


@pytest.mark.parametrize(("kind", "said"), [
    ("zip", "a zip archive, not JSON: extract its audit.json first"),
    ("gzip", "gzip-compressed, not JSON: decompress it first (gunzip)"),
    ("bzip2", "bzip2-compressed, not JSON: decompress it first (bunzip2)"),
    ("xz", "xz-compressed, not JSON: decompress it first (unxz)"),
    ("zstd", "zstd-compressed, not JSON: decompress it first (zstd -d)"),
])  # fmt: skip
def test_each_compressed_copy_is_named_with_its_tool(tmp_path, kind, said):
    packed = tmp_path / "audit.json"
    packed.write_bytes(_packed(kind, json.dumps({"schema_version": "2.0"}).encode()))
    with pytest.raises(AuditorInputError) as err:
        read_json_file(packed)
    assert str(err.value) == f"{packed}: {said}"


def test_the_csv_and_json_readers_name_every_compressed_kind_of_one_table(tmp_path):
    """One table of signatures (errors.COMPRESSED_FILES): both readers know each one."""
    from auditor.data.header import csv_header
    from auditor.errors import COMPRESSED_FILES

    for magic, kind, tool in COMPRESSED_FILES:
        for path, read in ((tmp_path / "a.json", read_json_file), (tmp_path / "a.csv", csv_header)):
            path.write_bytes(magic + bytes(64))
            with pytest.raises(AuditorInputError) as err:
                read(path)
            assert str(err.value).startswith(f"{path}: {kind}"), (tool, str(err.value))
