"""config/arguments.py: the one wording of a config key as the Python argument that sets it."""

from auditor.api._errors import MODEL_WORDS, RERUN_WORDS
from auditor.config.arguments import ARGUMENTS, as_arguments


def test_a_check_and_the_apis_errors_word_an_argument_alike():
    for key in ARGUMENTS:
        assert as_arguments((key,), python=True) == MODEL_WORDS[key]
    pair = ("data.members", "data.non_members")
    assert as_arguments(pair, python=True) == "members=, non_members="
    assert as_arguments(("data.members",), python=False) == "data.members"
    assert RERUN_WORDS["--config"] == "config="
