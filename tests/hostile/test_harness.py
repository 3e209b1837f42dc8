"""The harness's clean-line rule is errors.SHOWN_AS_ESCAPE, the set printable_line escapes:
a private-use character, which every writer prints as it is, is no fault of a line (it was,
by str.isprintable), and a raw control or invisible character still is."""

from __future__ import annotations

import pytest

from tests.hostile.conftest import OUT, Outcome, assert_nothing_written, assert_refused


# The file is written as every copied path is ('\u00a0', R10 #6).
@pytest.mark.parametrize(("char", "shown"), [("\ue000", "\ue000"), ("\xa0", "\\u00a0")])
def test_a_missing_file_named_with_an_odd_character_is_one_clean_line(cli, tmp_path, char,
                                                                       shown):  # fmt: skip
    outcome = cli(["audit", "-p", f"gone{char}.csv", "--sensitive", "sex", "-o", OUT])
    assert_refused(outcome, f"gone{shown}.csv")
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize("raw", ["\x1b[31m", "\x07", "\x9b", "\xa0", "\u200b", "\u202e"])
def test_a_line_holding_a_raw_control_or_invisible_character_fails(raw):
    with pytest.raises(AssertionError):
        assert_refused(Outcome(2, "", f"auditor: error: a{raw}b.csv: no such file\n"), "b.csv")


def test_a_line_holding_a_private_use_character_is_clean():
    assert_refused(Outcome(2, "", "auditor: error: a\ue000b.csv: no such file\n"), "b.csv")
