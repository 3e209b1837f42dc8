"""A path and a command a reader copies are shown exact in every writer (r4x #1, #2): a name's
own backslash before what reads as an escape is doubled ('s\\\\x09x', d6c3864), but a metric
path or gate id (quoted by its own rules: ``"s\\\\x09x"`` already), a file and the Reproduce
command were doubled too, in junit.xml, the HTML card, ``auditor diff -f text``, the Markdown
card's Reproduce and config, and the terminal's 'Model card:' line: a path copied from one
named another file or column. Each now shows as audit.json holds it (its controls shown)."""

from __future__ import annotations

import html
import json
import os
import re
import shlex
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from markdown_it import MarkdownIt

from auditor.cli import exit_code_of

TYPED, TAB = "s\\x09x", "s\tx"  # a column named with a backslash, x, 0, 9; one with a tab
QUOTED = '"s\\\\x09x"'  # the typed name in a metric path: quoted, its backslash escaped
FILE, CONFIG, OUT = "p\\x41.csv", "g\\x41.toml", "run\\x41"  # names holding a backslash
GATES = """[gates]
use_defaults = false
[[gates.rules]]
metric = "fairness.features.*.disparities.demographic_parity_difference.between_groups"
max = 0.5
"""


def _run(folder: Path, args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """``auditor ARGS`` run as typed in ``folder`` (sys.argv is the command the card records);
    its stdout."""
    here, argv = Path.cwd(), sys.argv
    os.chdir(folder)
    sys.argv = ["auditor", *args]
    try:
        capsys.readouterr()
        code = exit_code_of(args)
        out = capsys.readouterr().out
    finally:
        os.chdir(here)
        sys.argv = argv
    assert code == 0, out
    return out


def _write(folder: Path, name: str, flip: float) -> None:
    rng = np.random.default_rng(1)
    n = 600
    y = rng.integers(0, 2, n)
    pred = np.where(rng.random(n) < 0.8, y, 1 - y)
    pred = np.where(rng.random(n) < flip, 1 - pred, pred)
    columns = {"y_true": y, "y_pred": pred, TYPED: rng.choice(["a", "b"], n),
               TAB: rng.choice(["a", "b"], n)}  # fmt: skip
    pd.DataFrame(columns).to_csv(folder / name, index=False)


@pytest.fixture
def runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str, str]:
    """Two audits of files named 'p\\x41.csv' (the second with more errors) under a config
    'g\\x41.toml' into 'run\\x41' and 'b'; the first's stdout and ``auditor diff -f text``."""
    _write(tmp_path, FILE, 0.0)
    _write(tmp_path, "q.csv", 0.3)
    (tmp_path / CONFIG).write_text(GATES)
    common = ["--sensitive", TYPED, "--sensitive", TAB, "--config", CONFIG, "--exit-zero"]
    out = _run(tmp_path, ["audit", "-p", FILE, *common, "-o", OUT], capsys)
    _run(tmp_path, ["audit", "-p", "q.csv", *common, "-o", "b", "-q"], capsys)
    diff = _run(tmp_path, ["diff", OUT, "b", "-f", "text"], capsys)
    return tmp_path / OUT, out, diff


def _copyable(path: str) -> str:
    """A path as every writer of one shows it (a card's or summary's code span, junit.xml, the
    terminal, ``auditor diff -f text``: R6 #4): exact, its tab '\\u0009' (a TOML string's)."""
    return path.replace("\t", "\\u0009")


def test_metric_paths_and_gate_ids_show_as_audit_json_holds_them(runs):
    run, _, diff = runs
    audit = json.loads((run / "audit.json").read_text())
    results = audit["gates"]["results"]
    assert QUOTED in results[0]["metric"]  # the path's own quoting of the backslash
    junit = html.unescape((run / "junit.xml").read_text())
    card = html.unescape((run / "model_card.html").read_text().replace("<wbr>", ""))
    summary = (run / "summary.md").read_text()
    rendered = html.unescape(MarkdownIt("commonmark").enable("table").render(summary))
    for r in results:
        assert f"\nid: {_copyable(r['id'])}\n" in junit, r["id"]
        assert f"\nmetric: {_copyable(r['metric'])}\n" in junit, r["metric"]
        assert f"<code>{_copyable(r['metric'])}</code>" in card, r["metric"]
    paths = [_copyable(key) for key in _metric_keys(audit) if QUOTED in key]
    assert paths and any(f"<code>{p}</code>" in rendered for p in paths)  # as it was
    changed = [re.split(" {2,}", line.strip())[0] for line in diff.splitlines()
               if line.startswith("  fairness") and "…" not in line]  # fmt: skip
    assert changed and set(changed) <= {_copyable(k) for k in _metric_keys(audit)}, changed[:3]
    assert any(QUOTED in key for key in changed)  # not '"s\\\\\\\\x09x"'


def _metric_keys(audit: dict) -> list[str]:
    """The metric paths of audit.json's groups ('fairness.features."s\\\\x09x".groups[a]...')."""
    from auditor.diff.compare import diff_audits

    return [c.key for c in diff_audits(audit, audit).metrics]


def test_a_command_and_a_file_a_reader_copies_stay_exact(runs):
    run, out, _ = runs
    audit = json.loads((run / "audit.json").read_text())
    command = audit["run"]["command"]
    assert shlex.split(command)[1:5] == ["audit", "-p", FILE, "--sensitive"]
    assert f"Model card: {OUT}/model_card.html" in out.splitlines()
    assert f"Audit:      {OUT}/audit.json" in out.splitlines()
    card = html.unescape((run / "model_card.html").read_text().replace("<wbr>", ""))
    assert f"<code>{_copyable(command)}</code>" in card
    assert f"<code>{CONFIG}</code>" in card and f"data: {FILE} ·" in card
    md = MarkdownIt("commonmark").enable("table")
    for name in ("model_card.md", "summary.md"):
        text = html.unescape(re.sub("<[^>]+>", "", md.render((run / name).read_text())))
        assert f"config {CONFIG}" in text, name
    text = html.unescape(re.sub("<[^>]+>", "", md.render((run / "model_card.md").read_text())))
    assert _copyable(command) in text
    assert f"Data: {FILE} " in text
    junit = (run / "junit.xml").read_text()
    assert f'<property name="config_file" value="{CONFIG}" />' in junit
    names = re.findall(r'<testcase [^>]*name="([^"]*)"', junit)
    assert any(name.startswith("s\\\\x09x: ") for name in names), names  # a name: doubled


def test_one_doubling_step_for_every_writer_of_a_name():
    """r4x #4: md_escape doubled a name's backslashes by a copy of _shown's step. One step
    (errors.backslashes_doubled) serves md_escape and the other writers (not error lines,
    which keep a path's backslashes: R9 #2): a Markdown name renders as the HTML card and the
    terminal show it, for every
    text over backslashes, 'x', '0', '9', 'U', a tab and a line break; a typed '\\U000e0001'
    (a tag character's escape in an error line) is doubled by each alike."""
    from itertools import product

    from auditor.report.escape import controls_shown, md_escape, terminal_text

    md = MarkdownIt("commonmark")
    for n in range(5):
        for chars in product(("\\", "x", "0", "9", "U", "\t", "\n"), repeat=n):
            text = "".join(chars)
            shown = controls_shown(text)
            assert html.unescape(md.renderInline(md_escape(text))) == shown, text
            assert terminal_text(text) == shown, text
    typed = "a\\U000e0001"
    for writer in (controls_shown, terminal_text):
        assert writer(typed) == "a\\\\U000e0001", writer
    assert html.unescape(md.renderInline(md_escape(typed))) == "a\\\\U000e0001"
