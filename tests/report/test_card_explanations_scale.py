"""The Explanations section of the card: Integrated Gradients' convergence error beside its
scale, the mean |f(x) - f(baseline)| the attributions add up to (an error of 0.11 is 3.7% of
2.98, or all of 0.11); an older audit.json without the scale shows the error alone. A group
whose top columns are none says why."""

from __future__ import annotations

import pytest
from sklearn.linear_model import LogisticRegression

import auditor
from auditor.report.html import render_html
from auditor.report.markdown import render_markdown
from tests.builders import two_feature_frame


@pytest.fixture(scope="module")
def audit():
    rows = two_feature_frame(0, n=400)
    model = LogisticRegression().fit(rows[["x1", "x2"]], rows.label)
    return auditor.audit_model(model, data=rows, target="label", sensitive=["group"],
                               progress=False).data  # fmt: skip


def _attributions(audit: dict, **changes) -> dict:
    """``audit`` with an Integrated Gradients section over a table (as a trained run has)."""
    part = {
        "status": "ok", "kind": "attributions", "method": "Integrated Gradients",
        "n_steps": 32, "baseline": "training mean", "target": "predicted class",
        "split": "test", "n_rows_attributed": 120, "n_rows_split": 120,
        "convergence_delta_mean_abs": 0.1116, "score_gap_mean_abs": 2.98, "modality": "table",
        "mean_abs_map": None, "examples": [],
        "feature_importance": [{"feature": "x1", "mean_abs_attribution": 0.5, "share": 1.0}],
        "by_group": {}, "reliance": audit["explanations"]["reliance"], "seconds": 0.1,
        **changes,
    }  # fmt: skip
    return {**audit, "explanations": part}


def _explanations(data: dict) -> tuple[str, str]:
    md, html = render_markdown(data), render_html(data)
    return (md.split("## Explanations", 1)[1].split("\n## ", 1)[0],
            html.split("<h2>Explanations</h2>", 1)[1].split("<h2>", 1)[0])  # fmt: skip


def test_the_convergence_error_is_shown_with_its_scale(audit):
    """'Mean absolute convergence error: 0.1116' had no scale beside it on the card."""
    md, html = _explanations(_attributions(audit))
    said = "0.1116, against a mean {bar}f(x) - f(baseline){bar} of 2.9800 (3.7%)"
    assert said.format(bar="|") in html
    assert said.format(bar="\\|") in md
    # one bracket at a time: '(3.7%) (the gap between ...)' read as two asides in a row
    assert ") (" not in html
    assert "(3.7%). It is the gap between the attributions' sum and the score difference: " \
        "small is good." in html


@pytest.mark.parametrize("gap", [None, 0.0])
def test_an_older_file_or_no_gap_shows_the_error_alone(audit, gap):
    md, html = _explanations(_attributions(audit, score_gap_mean_abs=gap))
    assert "Mean absolute convergence error: 0.1116. It is the gap" in html
    assert "mean absolute convergence error 0.1116." in md
    assert "f(baseline)" not in html and "f(baseline)" not in md


def test_a_group_no_shuffle_hurts_says_so(audit):
    """A group of enough rows where no column's shuffling lowers accuracy has no top
    columns: the card printed an empty cell (HTML) or 'b (n=200) ' (Markdown)."""
    part = audit["explanations"]
    assert part["kind"] == "permutation"
    group = {"group": "b", "n": 200, "accuracy": 0.9, "insufficient_data": False,
             "top_features": []}  # fmt: skip
    thin = {**group, "group": "c", "n": 3, "insufficient_data": True}
    data = {**audit, "explanations": {**part, "by_group": {"group": [group, thin]}}}
    md, html = _explanations(data)
    said = "b (n=200): no column's shuffling lowers its accuracy; c (n=3, insufficient data): —"
    assert said in md
    assert "<td>no column's shuffling lowers its accuracy</td>" in html
    assert "<td>—</td></tr>" in html  # a group too small to rank


def test_a_group_too_small_to_rank_shows_a_dash_in_either_table(audit):
    """Integrated Gradients' table left an empty 'Top input columns' cell for a group too
    small to rank, where the permutation table shows a dash (and the Markdown nothing)."""
    top = [{"feature": "x1", "mean_abs_attribution": 0.4}]
    big = {"group": "b", "n": 200, "mean_total_abs_attribution": 0.5,
           "insufficient_data": False, "top_features": top}  # fmt: skip
    thin = {**big, "group": "c", "n": 3, "insufficient_data": True, "top_features": []}
    md, html = _explanations(_attributions(audit, by_group={"group": [big, thin]}))
    assert "<td>x1 (0.400)</td></tr>" in html
    assert "<td>—</td></tr>" in html
    assert "<td></td>" not in html


@pytest.mark.parametrize("gap", [float("nan"), float("inf"), -3.16])
def test_a_gap_not_finite_shows_the_error_alone_in_the_card_and_the_item(audit, gap):
    """The share of the convergence error was worked out in three places (the item, the
    HTML, the Markdown), each with its own guard: a gap not finite printed 'of — (—)' in
    the cards and 'within nan%' in the item. All three now read one share. A negative gap
    (a mean of absolute values, so a hand-edited file) printed 'of -3.1600 (-3.2%)'."""
    data = _attributions(audit, score_gap_mean_abs=gap)
    md, html = _explanations(data)
    assert "mean absolute convergence error 0.1116." in md
    assert "f(baseline)" not in html and "f(baseline)" not in md
    from auditor.checks.section_items import explanations_item
    from auditor.numbers import convergence_share

    assert convergence_share(data["explanations"]) is None
    assert "adding up" not in explanations_item(data["explanations"])[1]


def test_the_markdown_card_writes_counts_as_the_html_does(audit):
    """The Markdown card printed 'on 5000 of 12000 test rows' and '(n=2500)' where the HTML
    printed 'on 5,000 of 12,000'."""
    group = {"group": "b", "n": 2500, "mean_total_abs_attribution": 0.5,
             "insufficient_data": False, "top_features": []}  # fmt: skip
    md, html = _explanations(_attributions(audit, n_rows_attributed=5000, n_rows_split=12000,
                                           by_group={"group": [group]}))  # fmt: skip
    assert "on 5,000 of 12,000 test rows" in md and "on 5,000 of 12,000 test rows" in html
    assert "b (n=2,500)" in md
    part = audit["explanations"]
    thin = {"group": "c", "n": 1500, "accuracy": 0.9, "insufficient_data": False,
            "top_features": []}  # fmt: skip
    perm = {**part, "n_rows": 5000, "n_rows_split": 12000, "by_group": {"group": [thin]}}
    md, html = _explanations({**audit, "explanations": perm})
    assert "across 5,000 of 12,000 test rows" in md and "across 5,000 of 12,000 test rows" in html
    assert "c (n=1,500)" in md


@pytest.mark.parametrize("gap", [3.1607, None])
def test_both_cards_say_what_the_convergence_error_is(audit, gap):
    """The HTML card said what the error is; the Markdown card gave the bare number."""
    md, html = _explanations(_attributions(audit, score_gap_mean_abs=gap))
    meaning = "It is the gap between the attributions' sum and the score difference: small is good."
    assert meaning in html and meaning in md
