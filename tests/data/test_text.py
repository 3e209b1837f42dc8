"""A CSV's text: the encoding its byte-order mark names (UTF-16, UTF-32; UTF-8 without one),
gunzipped where it ends in .gz."""

from __future__ import annotations

import gzip

import pytest

from auditor.data import text as T
from auditor.data.header import csv_header
from auditor.data.text import file_head, open_text, text_encoding
from auditor.errors import AuditorInputError

TEXT = "y_true\ty_pred\tsex\n1\t1\tMé\n0\t1\tF\n"


@pytest.mark.parametrize(
    ("codec", "name"),
    [("utf-16", "utf-16"), ("utf-16-be", "utf-16"), ("utf-32", "utf-32"), ("utf-32-be", "utf-32"),
     ("utf-8-sig", "utf-8"), ("utf-8", "utf-8")],
)  # fmt: skip
@pytest.mark.parametrize("packed", [False, True])
def test_the_byte_order_mark_names_the_encoding(tmp_path, codec, name, packed):
    """UTF-32 LE's mark starts with UTF-16 LE's: it is told apart; a .gz is looked into."""
    data = TEXT.encode(codec)
    if codec.endswith("-be"):  # Python writes no mark for an explicit byte order
        data = ("\ufeff" + TEXT).encode(codec)
    path = tmp_path / ("t.txt.gz" if packed else "t.txt")
    path.write_bytes(gzip.compress(data) if packed else data)
    assert text_encoding(file_head(path)) == name
    with open_text(path, name) as fh:
        assert fh.read() == TEXT  # the mark dropped, the rest decoded
    layout, header = csv_header(path)
    assert layout.encoding == name and layout.delimiter == "\t"
    assert header == ["y_true", "y_pred", "sex"]


def test_a_file_of_fewer_bytes_than_a_mark_is_utf8(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"\xff")
    assert text_encoding(file_head(path)) == "utf-8"


def _zip(data: bytes) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("xl/workbook.xml", data)
    return out.getvalue()


@pytest.mark.parametrize(("data", "said"), [
    (_zip(b"<workbook/>"), "a zip archive (an Excel workbook, .xlsx, is one), not CSV text; "
                           "export the sheet as CSV (Excel: Save As 'CSV UTF-8'), or unzip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "an Excel 97-2003 workbook (.xls), not "
                                                       "CSV text; export the sheet as CSV"),
    (gzip.compress(TEXT.encode()), "gzip-compressed, not CSV text; name it .csv.gz"),
    (__import__("bz2").compress(TEXT.encode()), "bzip2-compressed, not CSV text; decompress"),
    (__import__("lzma").compress(TEXT.encode()), "xz-compressed, not CSV text; decompress"),
    (b"\x28\xb5\x2f\xfd\x20\x00", "zstd-compressed, not CSV text; decompress it"),
    (b"PAR1\x15\x04" + bytes(40) + b"PAR1", "a Parquet file, not CSV text; name it .parquet"),
    (b"ARROW1\x00\x00" + bytes(40), "an Arrow IPC (Feather) file, not CSV text; write it as"),
])  # fmt: skip
def test_a_workbook_or_packed_file_named_csv_is_refused_for_what_it_is(tmp_path, data, said):
    """A workbook saved under a .csv name, a .gz without its suffix: refused as 'not UTF-8
    text; save it as UTF-8', which is no way on for any of them."""
    from auditor.errors import AuditorInputError

    path = tmp_path / "preds.csv"
    path.write_bytes(data)
    with pytest.raises(AuditorInputError) as err:
        csv_header(path)
    assert str(err.value).startswith(f"{path}: {said}") and "\n" not in str(err.value)


@pytest.mark.parametrize(("name", "way"), [
    ("book.xlsx", "export the sheet as CSV"), ("p.feather", "write it as Parquet"),
    ("p.jsonl", "write it as CSV or Parquet"), ("p.csv.bz2", "decompress it, or gzip it"),
    ("p.ZIP", "decompress it"), ("p.dat", None),
])  # fmt: skip
def test_a_file_type_not_read_is_refused_with_the_way_on(tmp_path, name, way):
    from auditor.data.header import UNSUPPORTED, file_kind
    from auditor.errors import AuditorInputError

    path = tmp_path / name
    path.write_bytes(b"y_true,y_pred\n1,0\n")
    with pytest.raises(AuditorInputError) as err:
        file_kind(path)
    head = f"{path}: {UNSUPPORTED}"
    assert str(err.value).startswith(f"{head}; {way}") if way else str(err.value) == head


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_utf16_or_32_without_its_mark_is_refused_as_such(tmp_path, codec):
    """UTF-16 without a byte-order mark (as bcp -w and .NET's writers without a preamble save
    it) was read as UTF-8 and refused as "no column 'y_true'; the file has y\\x00_\\x00t...":
    now refused for what it likely is, by the table loader too."""
    from auditor.data.header import read_header
    from auditor.data.table import read_frame

    path = tmp_path / "p.csv"
    path.write_bytes("y_true,y_pred\n1,0\n".encode(codec))
    for read in (read_header, read_frame):
        with pytest.raises(AuditorInputError) as err:
            read(path)
        assert str(err.value) == f"{path}: {T.NO_MARK}"
        assert "UTF-16 or UTF-32 without its byte-order mark?" in T.NO_MARK


def test_row_numbers_are_each_its_own_over_the_whole_file(tmp_path):
    """R20 #2, #3: R's row names of shuffled rows are each its own and none above the rows, over
    the whole file, not only its first rows: a repeat past them, or a number above the rows
    (counted as records: a quoted line break ends none), is no row name. CR LF, .gz read."""
    path, gz = tmp_path / "x.csv", tmp_path / "x.csv.gz"
    shuffled = [*range(150, 0, -1)]
    cases = ((shuffled, "", True), ([*range(1, 121), *range(1, 31)], "", False),
             ([n + 1 for n in shuffled], "", False),
             ([n + 1 for n in shuffled[:-1]], ',"a\nb\nc"', False))  # 149 rows, 3 lines each
    for numbers, extra, names in cases:
        text = "n,x\r\n" + "".join(f"{n},0{extra},\r\n" for n in numbers) + "\r\n"
        path.write_text(text, newline="")
        gz.write_bytes(gzip.compress(text.encode()))
        assert T.row_numbers(path, "utf-8", 0, ",") is names, (numbers[:3], extra)
        assert T.row_numbers(gz, "utf-8", 0, ",") is names
    path.write_text("# c\nn,x\n2,0,\n1,0,\n")
    assert T.row_numbers(path, "utf-8", 1, ",")
