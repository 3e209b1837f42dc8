"""``ci`` (templating.ci_html), the fairness tables' "value [low, high]", prints what the
template macro it replaced printed, byte for byte, for every kind of value an estimate node
can hold (and ones it should not: text with markup and control characters is escaped)."""

from __future__ import annotations

import itertools
import math

import pytest

from auditor.report import templating

# The macro as templates/sections/fairness.html.j2 defined it before ci_html (its ends now rounded
# outward, by the lo and hi filters).
MACRO = (
    '{% macro ci(m, digits=3) %}{% set lo, hi = m.ci_low | lo(digits), m.ci_high | hi(digits) %}'
    '{{ m.value | num(digits) }}{% if lo != "—" and hi != "—" %} <span class="note">'
    "[{{ lo }}, {{ hi }}]</span>{% endif %}{% endmacro %}"
)
VALUES = [None, math.nan, math.inf, -math.inf, 0.0, -0.0, 0.12345, -1.5e-9, 3.2e12, 0, 7,
          -12_345_678, True, False, "<b>&</b>", "a\x1bb\x07", "—"]  # fmt: skip


@pytest.mark.parametrize("digits", [3, 1])
def test_ci_html_prints_what_the_macro_printed(digits):
    env = templating.environment(markdown=False)
    macro = env.from_string(MACRO + "{{ ci(m, digits) }}")
    ours = env.from_string("{{ ci(m, digits) }}")
    checked = 0
    for value, low, high in itertools.product(VALUES, repeat=3):
        m = {"value": value, "ci_low": low, "ci_high": high, "n": 3}
        assert ours.render(m=m, digits=digits) == macro.render(m=m, digits=digits), m
        checked += 1
    assert checked == len(VALUES) ** 3


def test_ci_html_escapes_text_and_shows_controls():
    out = str(templating.ci_html({"value": "<script>\x1b", "ci_low": 0.1, "ci_high": "&"}))
    assert "<script>" not in out and "\x1b" not in out
    assert out.startswith("&lt;script&gt;\\x1b") and "[0.100, &amp;]" in out


# The per-group cells and the scores' cells as templates/sections/fairness.html.j2 looped
# over them before.
CELLS_LOOP = (
    '{% for k, label in cols %}{% set m = g.metrics[k] %}<td class="num"{% if m.reason %} '
    'title="{{ m.reason }}"{% endif %}>{{ ci(m) }} <span class="note">n={{ m.n | num }}</span>'
    "</td>{% endfor %}"
)
SCORE_LOOP = (
    '{% for m in (g.roc_auc, g.log_loss, g.ece) %}<td class="num"{% if m.reason %} '
    'title="{{ m.reason }}"{% endif %}>{{ ci(m) }}</td>{% endfor %}'
)
REASONS = [None, "", "the group has no positive rows", '<b title="x">&</b>', "a\x1bb", 3]
COUNTS = [0, 7, 12_345, None, "n<"]


@pytest.mark.parametrize(
    ("loop_source", "our_source", "keys"),
    [
        (CELLS_LOOP, "{{ metric_cells(g.metrics, cols) }}", [f"m{i}" for i in range(6)]),
        (SCORE_LOOP, "{{ estimate_cells((g.roc_auc, g.log_loss, g.ece), counts=false) }}",
         ["roc_auc", "log_loss", "ece"]),
    ],
)  # fmt: skip
def test_table_cells_print_what_the_templates_loops_printed(loop_source, our_source, keys):
    env = templating.environment(markdown=False)
    loop, ours = env.from_string(MACRO + loop_source), env.from_string(our_source)
    cols = [(key, key.upper()) for key in keys]
    for shift, value in enumerate(VALUES):
        estimates = {
            key: {"value": value, "ci_low": VALUES[(shift + i) % len(VALUES)], "ci_high": 0.9,
                  "n": COUNTS[(shift + i) % len(COUNTS)], "reason": REASONS[i]}
            for i, key in enumerate(keys)
        }  # fmt: skip
        g = {"metrics": estimates, **estimates}
        assert ours.render(g=g, cols=cols) == loop.render(g=g, cols=cols), estimates


def test_ci_md_rounds_each_interval_end_once(monkeypatch):
    """A Markdown cell's interval ends are rounded once: the text printed is the text that
    says whether the node has an interval (they were rounded a second time to ask)."""
    from auditor import numbers

    calls = []

    def counted(*args, **kwargs):
        calls.append(args)
        return numbers_interval_ends(*args, **kwargs)

    numbers_interval_ends = numbers.interval_ends
    monkeypatch.setattr(numbers, "interval_ends", counted)
    monkeypatch.setattr(templating, "interval_ends", counted)
    node = {"value": 0.5, "ci_low": 0.41234, "ci_high": 0.58766, "n": 40, "reason": None}
    assert templating.ci_md(node, 2) == "0.50 [0.41, 0.59]"
    assert len(calls) == 1


@pytest.mark.parametrize("digits", [3, 1])
def test_ci_md_prints_numbers_as_the_interval_text(digits):
    """Every kind of value a node can hold prints as ``fmt_interval`` prints it (numbers),
    the reason only where there is no interval."""
    from auditor.numbers import fmt_interval

    numeric = [v for v in VALUES if v is None or isinstance(v, (int, float))]
    for value, low, high in itertools.product(numeric, repeat=3):
        node = {"value": value, "ci_low": low, "ci_high": high, "n": 3, "reason": "why"}
        text = fmt_interval(value, low, high, digits)
        has_interval = text != fmt_interval(value, None, None, digits)
        assert templating.ci_md(node, digits) == text + ("" if has_interval else " (why)"), node


def test_ci_md_escapes_text_in_a_cell():
    """A text where a number belongs (an audit.json written by hand) stays in its cell: a
    pipe, a newline, markup and control characters are escaped in the value and the ends."""
    node = {"value": "a|b\n<i>", "ci_low": 0.1, "ci_high": "x|`y`\x1b", "n": 3, "reason": None}
    out = templating.ci_md(node)
    assert "\n" not in out and "\x1b" not in out and "<i>" not in out
    assert out.count("|") == out.count("\\|") == 2
    assert out.startswith("a\\|b\\x0a&lt;i&gt;") and "0.100" in out  # the newline shown
