"""A run name is refused for exactly the characters every writer shows as an escape
(errors.SHOWN_AS_ESCAPE), and the refusal says which one the name holds: a no-break space
was refused as a 'control character' (it is none), and a private-use character, which every
report writes as it is, was refused too (str.isprintable)."""

import pytest

from auditor.config import NAME_HAS_CONTROL, AuditConfig, name_from_file, validate_config
from auditor.errors import SHOWN_AS_ESCAPE, AuditorInputError


@pytest.mark.parametrize(
    ("name", "said"),
    [("run\xa0a", "holds \\xa0 (no-break space)"),
     ("run\u200ba", "holds \\u200b (zero width space)"),
     ("run\ufeff", "holds \\ufeff (zero width no-break space)"),
     ("x\x01", "holds \\x01"),  # a control has no Unicode name
     ("tab\there", "holds a tab")],  # fmt: skip
)
def test_a_name_holding_an_escaped_character_says_which(name, said):
    with pytest.raises(AuditorInputError) as err:
        validate_config({"name": name}, source="a.toml")
    assert str(err.value).endswith(f": name: {NAME_HAS_CONTROL}; it {said}")
    assert "invisible" in NAME_HAS_CONTROL


@pytest.mark.parametrize("name", ["run\ue000", "run\U000f0000", "r\u0378n", "été", "日本", "👩"])
def test_a_name_the_reports_show_as_it_is_is_taken(name):
    """Private-use, unassigned and printable non-ASCII characters: shown as they are."""
    assert AuditConfig(name=name).name == name


@pytest.mark.parametrize("stem", ["a\xa0b", "a\u200bb", "a\x1bb", "a\udcffb", "a\ue000b", "é"])
def test_a_file_name_makes_a_name_by_the_same_rule(stem):
    """name_from_file replaces what the check refuses, and only that."""
    name = name_from_file(f"/x/{stem}.csv")
    assert AuditConfig(name=name).name == name
    assert name == SHOWN_AS_ESCAPE.sub("_", stem)


@pytest.mark.parametrize(
    "word", ["زن\u200cها", "👨\u200d👩\u200d👧", "क्\u200dष", "ශ්\u200dරී", "র\u200d্য", "ක\u200d්ව"]
)
def test_a_long_file_name_cut_at_a_joiner_still_makes_a_name(word):
    """The set is applied to the stem, which is then cut to the byte limit, and applied again
    to what is left (R10 #8: this said the cut came first): a stem cut just past a kept
    joiner (a Persian half-space, an emoji family, a half form) left the joiner bare, and the
    name check refused the name the tool had made (an internal error on a long file name)."""
    from auditor.config import MAX_NAME_BYTES

    for pad in range(len(word.encode()) + 1):  # the cut at each byte of the word
        name = name_from_file("/x/" + "x" * pad + word * 60 + ".csv")
        assert AuditConfig(name=name).name == name and len(name.encode()) <= MAX_NAME_BYTES
