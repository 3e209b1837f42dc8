"""[transparency]: which declared answers are filler (counted missing, never met)."""

from __future__ import annotations

import pytest

from auditor.config.transparency import TransparencyConfig, is_placeholder

FILLER = [
    # spelled other ways than the list had: n.a., N / A, "Not applicable" with no reason
    "n.a.", "N.A.", "N / A", "Not applicable", "not known",
    # invisible or punctuation only: zero-width spaces, em dashes, ellipses
    "\u200b\u200b", "\u200b \u200b", "——", "……", "\u2014 \u2014", "<>",
    # a marker with words after it, quoted, or marked up
    "TBD - ask legal", "TODO: fill in", "TODO: write the intended use", "TODO(owner)", "TBD?",
    "'TBD'", '"TODO"', "*TODO*", "`TODO`", "# TODO", "-- TODO --", "(tbd)", "TBD TBD", "FIXME",
    "WIP", '""', "''",
    # a label and no answer
    "Intended use: TBD", "Contact: n/a", "Owners: <team>",
    # stock filler
    "see above", "Same as above", "pending", "To be completed", "To be provided", "Lorem",
    "asdf", "test", "foo",
    # a link or an address to nowhere
    "http://", "https://", "mailto:", "www.", "https://example.com", "http://localhost:8000/",
    "foo@example.com", "mailto:someone@example.org", "https://www.example.net/contact",
    "https://models.test/card", "Contact: https://example.com",
]  # fmt: skip
ANSWERS = [
    "MIT", "Apache-2.0", "ML team", "Classify digits for teaching.", "ml-team@acme.com",
    "https://github.com/acme/model/issues", "mailto:ml@acme.io", "None applied: a demo.",
    "To do sentiment analysis of support tickets.", "N/A for children: the model is adult-only.",
    "Tests of auditor itself.", "数字の分類の教育用", "Todos los equipos de ML", "CC BY 4.0",
]  # fmt: skip


@pytest.mark.parametrize("text", FILLER)
def test_filler_counts_as_no_answer(text):
    """Each of these said 'declared' (or met a data license) on a card, for no answer."""
    assert is_placeholder(text)


@pytest.mark.parametrize("text", ANSWERS)
def test_real_answers_stay_answers(text):
    assert not is_placeholder(text)


# Real answers that start with a marker word, or are short: each was counted as filler (a
# not_applicable reason refused, a declared answer missing, a model name dropped).
NAMED_AFTER_A_MARKER = [
    "TODO list app: ranks a user's tasks", "Todo.txt task tagging", "ToDo app users",
    "TBD Bank credit team", "XXX Corp ML team", "Todo's app",
]  # fmt: skip
SHORT_OR_BRACKETED = [
    "C++", "C#", "Grade: A", "Tier: 1", "<ml-team@acme.com>", "<https://acme.com/card>",
    "研究用途", "李明", "Sin datos",
]  # fmt: skip


@pytest.mark.parametrize("text", NAMED_AFTER_A_MARKER)
def test_a_name_that_starts_with_a_marker_word_is_an_answer(text):
    """A marker counts only with a mark after it ('TODO:', 'TBD -', 'TODO(owner)') or filler."""
    assert not is_placeholder(text)


@pytest.mark.parametrize("text", SHORT_OR_BRACKETED)
def test_short_and_bracketed_answers_are_answers(text):
    """'C++' was one letter once its marks were cut; an address in <> was '<your name>'."""
    assert not is_placeholder(text)


@pytest.mark.parametrize("text", ["TODO later", "todo write this", "TODO:write the limits",
                                  "TBD... ask legal", "FIXME: see doc", "王", "x", "Owner: ?",
                                  "<team@example.com>", "<https://example.com/card>"])
def test_a_marker_with_filler_or_a_mark_after_it_stays_filler(text):
    assert is_placeholder(text)


# Template slots whose hint holds a mark ('/', ':', '@'): counted as an address once, they said
# 'declared' for no answer. An address is one bare link or address in <>, with a dotted host.
SLOTS_WITH_MARKS = [
    "<your name/email>", "<team name / contact>", "<name: here>", "<insert URL: https://...>",
    "<owner@>", "<https://TODO>", "<name@your-company.com>", "Contact: <name/email>",
]  # fmt: skip


@pytest.mark.parametrize("text", SLOTS_WITH_MARKS)
def test_a_slot_whose_hint_holds_a_mark_is_filler(text):
    assert is_placeholder(text)
    with pytest.raises(ValueError, match="needs a reason"):
        TransparencyConfig(not_applicable={"seeds": text})


# A marker, then words that say the text is still to come (a verb of the work left, a time, an
# issue number, another marker): each said 'declared', and passed as a not_applicable reason.
MARKER_THEN_NOT_YET = [
    "TODO ask legal", "TBD pending review", "TODO write intended use", "TODO update",
    "TBD soon", "TODO by Friday", "TODO by 2026-12-01", "TBD by end of month", "TODO #12",
    "TODO/TBD", "TODO fill", "TODO add the limits", "TBD check with legal", "TBD confirm",
]  # fmt: skip


@pytest.mark.parametrize("text", MARKER_THEN_NOT_YET)
def test_a_marker_then_work_still_to_do_is_filler(text):
    assert is_placeholder(text)
    with pytest.raises(ValueError, match="needs a reason"):
        TransparencyConfig(not_applicable={"seeds": text})


@pytest.mark.parametrize("text", ["TODO Checklist app users", "TBD Bank analysts by region",
                                  "TODO-list app users", "TBD-Bank analysts", "Todoist users"])
def test_a_marker_then_other_words_stays_an_answer(text):
    assert not is_placeholder(text)


@pytest.mark.parametrize("text", ["Owner: X", "Contact: X", "Owner: x", "Owners: XXX"])
def test_a_stand_in_letter_after_a_label_is_filler(text):
    """One character may answer after a label ('Grade: A'), but not filler's 'X'."""
    assert is_placeholder(text)


# A reserved host written without a scheme, and "n/a" or "none" followed by more filler: each
# said 'declared'. "None identified", "N/A for children: ..." and acme.com stay answers.
NOWHERE_OR_NA_TWICE = [
    "example.com", "EXAMPLE.COM", "example.org", "example.com/model", "see example.com",
    "Contact: example.com", "models.test", "N/A - not applicable", "NA - none", "n/a, see above",
    "Not applicable - TBD", "N/A N/A", "None - TBD",
]  # fmt: skip


@pytest.mark.parametrize("text", NOWHERE_OR_NA_TWICE)
def test_a_reserved_host_or_na_then_filler_is_filler(text):
    assert is_placeholder(text)


@pytest.mark.parametrize("text", ["acme.com", "see acme.com/model", "None identified",
                                  "N/A in this context: the model is internal only",
                                  "None of the groups were left out", "example.company.io"])
def test_a_real_host_or_an_na_with_a_reason_stays_an_answer(text):
    assert not is_placeholder(text)


# A link or address to a host without a dot (an intranet's "go/" link, a wiki, a Slack
# mention) was filler in <> and an answer without them: "<https://wiki/ml>" was refused as a
# not_applicable reason. Brackets change no verdict; a marker as the host is filler in both.
@pytest.mark.parametrize("text", ["http://go/ml-help", "https://wiki/ml/privacy-review",
                                  "ml-team@corp", "@U024BE7LH"])
def test_brackets_around_a_link_change_no_verdict(text):
    assert not is_placeholder(text)
    assert not is_placeholder(f"<{text}>")
    assert TransparencyConfig(not_applicable={"seeds": f"<{text}>"}).not_applicable


@pytest.mark.parametrize("text", ["https://TODO", "https://tbd/card", "mailto:todo@tbd"])
def test_a_marker_as_the_host_is_filler_with_or_without_brackets(text):
    assert is_placeholder(text)
    assert is_placeholder(f"<{text}>")


# "by" and a month or weekday read a name as a date: "TBD by May Chen" was filler, while "TBD
# by legal" was an answer. A date is one where nothing name-like follows it.
@pytest.mark.parametrize("text", ["TBD by May Chen", "TBD by Sun Microsystems",
                                  "TBD by end users", "TODO by March Hare Ltd", "TBD by legal"])
def test_by_then_a_name_that_starts_like_a_date_is_an_answer(text):
    assert not is_placeholder(text)


@pytest.mark.parametrize("text", ["TBD by April", "TBD by May 3", "TBD by May 3rd, 2027",
                                  "TODO by next week", "TBD by end of Q3", "TBD by Q3 2027",
                                  "TODO by Monday morning", "TBD by end of the month"])
def test_by_then_a_date_is_filler(text):
    assert is_placeholder(text)


# The filler of other languages, as the English list has it: each said 'declared' (or passed
# as a not_applicable reason) for no answer. 'なし' and 'Keine' (none) were kept as short
# answers once; English 'None' is filler, and so are they.
OTHER_LANGUAGES_FILLER = [
    "待定", "待補充", "暂无", "未知", "同上", "不适用", "未定", "未記入", "要確認", "該当なし",
    "なし", "미정", "해당 없음", "Keine", "k. A.", "k.A.", "Keine Angabe", "unbekannt",
    "noch offen", "siehe oben", "nicht zutreffend", "à compléter", "A completer", "À définir",
    "néant", "Aucun", "sans objet", "Por definir", "A definir", "pendiente", "Ninguno",
    "no aplica", "a preencher", "não se aplica", "Nenhum", "da definire", "nessuno",
    "неизвестно", "ไม่มี", "Einsatzzweck: k. A.", "用途: 待定", "Limitaciones: ninguna",
    "Ningún", "ningun",  # accents optional: 'Ninguno' was caught, its short form was not
    "Ningúna", "NINGÚNO",  # an accent on any form ('Ninguna' was caught, 'Ningúna' was not)
]  # fmt: skip
# Short real answers in those languages: 'none known', 'no data', 'none for children', a
# name, a use, 'nothing to declare', a name ('Nada', also Spanish for nothing); a bare 'no'
# ('Нет' was filler while 'No' and 'Nein' answered "known limitations?").
OTHER_LANGUAGES_ANSWERS = [
    "Keine bekannt", "Keine bekannten Einschränkungen", "Sin datos", "Ninguna conocida",
    "Aucun risque identifié", "Nenhuma conhecida", "暂无已知限制", "特になし", "李明",
    "研究用途", "Nada que declarar", "Nada", "Offen für alle Teams", "Ninguno para menores",
    "Nessuno noto", "Нет", "нет.", "No", "Nein",
]  # fmt: skip


@pytest.mark.parametrize("text", OTHER_LANGUAGES_FILLER)
def test_filler_in_other_languages_counts_as_no_answer(text):
    assert is_placeholder(text)
    with pytest.raises(ValueError, match="needs a reason"):
        TransparencyConfig(not_applicable={"seeds": text})


@pytest.mark.parametrize("text", OTHER_LANGUAGES_ANSWERS)
def test_short_answers_in_other_languages_stay_answers(text):
    assert not is_placeholder(text)


def test_the_filler_patterns_compile_only_when_an_answer_is_read():
    # ``auditor audit`` without a config reads no answer: it must not pay for compiling them
    import subprocess
    import sys

    code = (
        "import auditor.config.transparency as t\n"
        "lazy = [v for v in vars(t).values() if isinstance(v, t._Lazy)]\n"
        "assert len(lazy) == 10 and not any('compiled' in vars(v) for v in lazy)\n"
        "assert t.is_placeholder('TBD') and not t.is_placeholder('Loan approval triage')\n"
        "assert all('compiled' in vars(v) for v in (t._PLACEHOLDER, t._OTHER_FILLER))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
