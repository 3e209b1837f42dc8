"""``ci`` (templating.ci_html), the fairness tables' "value [low, high]", prints what the
template macro it replaced printed, byte for byte, for every kind of value an estimate node
can hold (and ones it should not: text with markup and control characters is escaped)."""

from __future__ import annotations

import itertools
import math

import pytest

from auditor.report import templating

# The macro as templates/sections/fairness.html.j2 defined it before ci_html.
MACRO = (
    '{% macro ci(m, digits=3) %}{% set lo, hi = m.ci_low | num(digits), m.ci_high | num(digits) %}'
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
