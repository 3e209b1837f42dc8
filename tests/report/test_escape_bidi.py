"""Right-to-left labels beside the tool's numbers: in Markdown (model_card.md, summary.md),
the terminal (a CI log shown in a browser) and the card's sentences, each right-to-left run
is isolated on its own (U+200E U+2068 ... U+2069 in text, ``<bdi>`` in the card), so a Hebrew or
Arabic group cannot carry the numbers and brackets beside it along, and the tool's words
around it keep their order."""

from __future__ import annotations

import re
from functools import partial

import numpy as np
import pandas as pd

import auditor
from auditor.config import GateRule, GatesConfig
from auditor.gates import evaluate_gates
from auditor.report.escape import (
    FSI,
    LRM,
    PDI,
    card_text,
    controls_visible,
    html_text,
    md_code,
    md_escape,
    terminal_text,
    xml_text,
)
from auditor.report.github import github_annotations
from auditor.report.html import render_html
from auditor.report.junit import render_junit
from auditor.report.markdown import render_markdown
from auditor.report.summary import render_summary
from auditor.report.terminal import gate_lines, predictions_lines

RTL = re.compile("[\u0590-\u08ff]")
ISOLATE = re.compile(f"{LRM}{FSI}([^{FSI}{PDI}]*){PDI}")
DP = "fairness.features.g.disparities.demographic_parity_difference.between_groups"
TIE = "נשים and رجال tie as the worst off: selection_rate 0.25 in each"


def _check_isolated(text: str) -> None:
    """Every right-to-left letter of ``text`` is inside an isolate, and no isolate holds a
    Latin letter, a bracket or a digit (the tool's words and numbers stay outside)."""
    outside = ISOLATE.sub("", text)
    assert not RTL.search(outside), outside
    assert FSI not in outside and PDI not in outside, outside
    for inside in ISOLATE.findall(text):
        assert not re.search(r"[A-Za-z0-9()\[\]]", inside), inside


def test_markdown_and_the_terminal_isolate_each_run_not_the_sentence():
    """'נשים and رجال tie ...: selection_rate 0.25' was written bare: shown in a browser,
    'נשים (נשים' of the terminal's line was one right-to-left run with its bracket
    mirrored, and '0.463] (נשים)' took the number into the label's run."""
    for escaped in (md_escape, partial(terminal_text, isolate=True), html_text):
        text = escaped(TIE)
        assert f"{LRM}{FSI}נשים{PDI} and {LRM}{FSI}رجال{PDI} tie" in text, escaped
        _check_isolated(text)
    assert md_escape("(נשים) 0.25") == f"\\({LRM}{FSI}נשים{PDI}\\) 0.25"
    assert md_escape("\u200f") == "\\u200f"  # a user's RIGHT-TO-LEFT MARK: shown, orders nothing
    assert terminal_text("worst-off נשים (נשים and رجال)", isolate=True).count(FSI) == 3
    path = "/runs/נתונים/model_card.html"
    assert terminal_text(path) == path  # a path a user copies is left whole
    assert md_escape("plain 0.25") == "plain 0.25"  # no right-to-left letter: as before


def test_the_card_isolates_the_labels_of_a_sentence_not_the_sentence():
    """The tie reason went into one <bdi>: its first letter is Hebrew, so the whole English
    sentence was shown right to left ('each in 0.25 selection_rate ...')."""
    assert card_text(TIE) == (
        "<bdi>נשים</bdi> and <bdi>رجال</bdi> tie as the worst off: selection_rate 0.25 in each"
    )
    assert card_text("קבוצה 2") == "<bdi>קבוצה 2</bdi>"  # a label alone: isolated whole


def test_an_isolate_a_user_wrote_is_still_shown_as_text():
    """Only the isolates the tool adds stay invisible: a label's own U+2068 / U+2069 (or an
    override inside a pair) is shown as text, as every bidi control is."""
    assert md_escape(f"{FSI}x{PDI}") == "\\u2068x\\u2069"
    assert terminal_text(f"a{FSI}b") == "a\\u2068b"
    assert controls_visible(f"{FSI}a\u202eb{PDI}") == "\\u2068a\\u202eb\\u2069"
    assert controls_visible(f"{FSI}a") == "\\u2068a"
    assert controls_visible(f"{FSI}a{PDI}") == "\\u2068a\\u2069"  # not the tool's (no LRM)
    ours = f"x {LRM}{FSI}נשים{PDI} 1"
    assert controls_visible(ours) == ours  # the tool's own


def _tie_audit() -> dict:
    groups = np.repeat(["נשים", "رجال", "south"], 200)
    y_pred = np.tile(np.r_[np.ones(50), np.zeros(150)], 3)
    y_pred[400:520] = 1  # south selected 0.6, the two others tie at 0.25
    y_true = np.random.default_rng(0).integers(0, 2, len(groups))
    rows = pd.DataFrame({"g": groups, "y_true": y_true, "y_pred": y_pred.astype(int)})
    return auditor.audit_predictions(rows, y_true="y_true", y_pred="y_pred",
                                     sensitive="g").data  # fmt: skip


def test_annotations_isolate_the_labels():
    """A failing gate's ::error annotation (shown on GitHub's page) isolates its labels."""
    audit = _tie_audit()
    rules = [GateRule(metric=DP, max=0.2)]
    audit["gates"] = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=rules))
    [line] = github_annotations(audit["gates"], audit=audit)
    _check_isolated(line.split("::", 2)[2])
    assert f"{LRM}{FSI}נשים{PDI}" in line


def test_every_output_isolates_the_right_to_left_groups():
    """model_card.md, summary.md and the terminal: every Hebrew or Arabic letter sits in an
    isolate holding no number; the card has no <bdi> around a sentence of the tool's."""
    audit = _tie_audit()
    reason = audit["fairness"]["features"]["g"]["disparities"][
        "demographic_parity_difference"]["between_groups"]["reason"]  # fmt: skip
    assert "tie as the worst off" in reason
    code = re.compile(r"`[^`\n]*`")  # a metric path in a code span is copied, left as is
    terminal = predictions_lines(audit) + gate_lines(audit["gates"], audit=audit)
    texts = [render_markdown(audit), render_summary(audit), "\n".join(terminal)]
    for text in texts:
        for line in text.splitlines():
            _check_isolated(code.sub("", line))
    card = render_html(audit)
    assert "<bdi>נשים</bdi> and <bdi>رجال</bdi> tie as the worst off" in card
    assert not re.search(r"<bdi>[^<]*[A-Za-z][^<]*</bdi>", card)


def test_a_command_or_path_in_model_card_md_is_copied_whole():
    """The Reproduce command and the predictions file's path are copied by a reader: no
    invisible isolate inside them (a shell would take it as part of the file name)."""
    audit = _tie_audit()
    audit["run"]["command"] = "auditor audit -p /data/נתונים/p.csv --sensitive g"
    text = render_markdown(audit)
    [line] = [x for x in text.splitlines() if x.startswith("| Reproduce |")]
    assert "/data/נתונים/p.csv" in line and FSI not in line and LRM not in line


def test_a_metric_path_and_the_data_file_in_model_card_md_are_copied_whole():
    """model_card.md's gate table isolated the metric path ('fairness.features."<LRM><FSI>
    מגדר<PDI>"...'): pasted into a rule, the run stopped with 'reads fairness feature
    '\\u200e\\u2068מגדר\\u2069', which this audit does not produce'. The Data line did the
    same to the file's name. Both are written as copied: no isolate inside."""
    audit = _tie_audit()
    audit["fairness"]["features"]["מגדר"] = audit["fairness"]["features"].pop("g")
    metric = DP.replace(".g.", '."מגדר".')
    rules = [GateRule(metric=metric, max=0.2)]
    audit["gates"] = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=rules))
    assert audit["gates"]["results"][0]["status"] == "fail"
    audit["data"]["name"] = "תחזיות.csv"
    text = render_markdown(audit)
    [row] = [x for x in text.splitlines() if x.startswith("| fail |")]
    cells = [c.strip() for c in row.split(" | ")]
    # in a code span, as summary.md and the card's other paths: the raw .md holds the path as
    # a rule reads it ('demographic\\_parity' outside a span was refused when pasted)
    assert f"`{metric}`" in cells, cells  # no isolate, no escape inside
    pasted = [GateRule(metric=next(c for c in cells if c.startswith("`")).strip("`"), max=0.2)]
    again = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=pasted))
    assert again["results"][0]["status"] == "fail", again["results"][0]
    [data] = [x for x in text.splitlines() if x.startswith("Data: ")]
    assert data.startswith("Data: `תחזיות.csv` \\(not a Hugging Face dataset id"), data


def test_a_users_own_isolate_pair_is_shown_in_every_output():
    """A label holding its own well-formed LRM + U+2068 ... U+2069 was kept invisible in the
    HTML card (card_text kept such pairs as the tool's own), so groups 'abc' and that pair
    around 'abc' read alike there. Every output now shows it as text ('\\u2068'). A user's
    own mark (LRM, RLM, ALM) stayed invisible everywhere: '<LRM>abc' read as 'abc'; it is
    shown as text too ('\\u200eabc'), in every output."""
    from auditor.report.escape import bidi_isolated

    spoof, mark = f"{LRM}{FSI}abc{PDI}", f"{LRM}abc"
    assert card_text(spoof) == "\\u200e\\u2068abc\\u2069"
    assert "\\u2068" in str(bidi_isolated(f"g = {spoof}: rate"))
    for shown in (md_escape, xml_text, terminal_text, card_text, md_code):
        assert "\\u200eabc" in str(shown(mark)) and LRM not in str(shown(mark)), shown
        assert str(shown("a\u200fb\u061cc")).count("\\u") == 2, shown  # RLM, ALM
    groups = np.repeat(["abc", spoof, "south", mark], 200)
    y_pred = np.tile(np.r_[np.ones(50), np.zeros(150)], 4)
    y_pred[:60] = 1  # abc 0.3, the spoof 0.25, south 0.25, the mark 0.25
    y_true = np.random.default_rng(0).integers(0, 2, len(groups))
    rows = pd.DataFrame({"g": groups, "y_true": y_true, "y_pred": y_pred.astype(int)})
    audit = auditor.audit_predictions(rows, y_true="y_true", y_pred="y_pred", sensitive="g").data
    rules = [GateRule(metric="fairness.features.g.groups.*.metrics.selection_rate", min=0.3)]
    audit["gates"] = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=rules))
    terminal = predictions_lines(audit) + gate_lines(audit["gates"], audit=audit)
    notes = github_annotations(audit["gates"], audit=audit)
    outputs = {"html": render_html(audit), "md": render_markdown(audit),
               "summary": render_summary(audit), "terminal": "\n".join(terminal),
               "annotations": "\n".join(notes), "junit": render_junit(audit)}  # fmt: skip
    for name, text in outputs.items():
        assert "\\u200e\\u2068abc\\u2069" in text, name
        assert "\\u200eabc" in text, name
        assert f"{FSI}abc" not in text and f"{LRM}abc" not in text, name


def test_a_number_between_two_labels_is_inside_only_where_the_label_holds_it():
    """A right-to-left run goes on across digits and spaces to its last right-to-left letter:
    a label's own number ('גיל 18 עד 25', ages 18 to 25) keeps its place among the label's
    words. The tool never writes its own number between two labels with only spaces around
    it (its joins are words and marks that end a run), so no output of labels without digits
    has a digit inside an isolate: every gate line, headline and annotation here."""
    assert md_escape("גיל 18 עד 25") == f"{LRM}{FSI}גיל 18 עד{PDI} 25"
    assert md_escape("נשים: 0.25; رجال: 0.3") == (
        f"{LRM}{FSI}נשים{PDI}: 0.25; {LRM}{FSI}رجال{PDI}: 0.3"
    )
    audit = _tie_audit()
    rules = [
        GateRule(metric=DP, max=0.2),
        GateRule(metric=DP.replace("between_groups", "to_overall"), max=0.1),
        GateRule(metric="fairness.features.g.groups.*.metrics.selection_rate", min=0.3),
    ]
    audit["gates"] = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=rules))
    terminal = predictions_lines(audit) + gate_lines(audit["gates"], audit=audit)
    notes = github_annotations(audit["gates"], audit=audit)
    # a metric path (in a code span, or model_card.md's gate table) is copied, left as is
    code = re.compile(r"`[^`\n]*`|fairness\.features\S*")
    for text in (render_markdown(audit), render_summary(audit), *terminal, *notes):
        for line in text.splitlines():
            _check_isolated(code.sub("", line.split("::", 2)[-1]))


def test_every_markdown_writer_writes_a_metric_path_one_way():
    """model_card.md wrote a path holding '<' as escaped text ('demographic\\_parity...', the
    very thing its code span had mended), while summary.md and `auditor diff` wrote the same
    path as a code span. A code span is literal, so each writes it as one now, and the path
    the rendered card shows, pasted into a rule, gates the same gap."""
    from markdown_it import MarkdownIt

    from auditor.diff.compare import diff_audits
    from auditor.diff.render import render_markdown as render_diff

    audit = _tie_audit()
    audit["fairness"]["features"]["income<=50K|a`b"] = audit["fairness"]["features"].pop("g")
    metric = DP.replace(".g.", '."income<=50K|a`b".')
    rules = [GateRule(metric=metric, max=0.2)]
    audit["gates"] = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=rules))
    [r] = audit["gates"]["results"]
    span = md_code(r["metric"])
    assert span.startswith("``") and "\\_" not in span, span
    card, summary = render_markdown(audit), render_summary(audit)
    assert span in card and span in summary
    assert md_code(r["metric"], in_table=False) in render_diff(diff_audits(audit, audit))
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    shown = [t.content for tok in md.parse(card) for t in tok.children or ()
             if t.type == "code_inline" and "income" in t.content]  # fmt: skip
    assert shown and set(shown) == {r["metric"]}, shown
    pasted = [GateRule(metric=shown[0], max=0.2)]
    again = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=pasted))
    assert again["results"][0]["status"] == "fail", again["results"][0]
