"""A CSV's text: the encoding its byte-order mark names (UTF-16, UTF-32; UTF-8 without one),
gunzipped where it ends in .gz."""

from __future__ import annotations

import gzip

import pytest

from auditor.data.header import csv_header
from auditor.data.text import open_text, text_encoding

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
    assert text_encoding(path) == name
    with open_text(path, text_encoding(path)) as fh:
        assert fh.read() == TEXT  # the mark dropped, the rest decoded
    layout, header = csv_header(path)
    assert layout.encoding == name and layout.delimiter == "\t"
    assert header == ["y_true", "y_pred", "sex"]


def test_a_file_of_fewer_bytes_than_a_mark_is_utf8(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"\xff")
    assert text_encoding(path) == "utf-8"
