"""Long group labels and gate names: a label is data, kept whole in audit.json and cut with
an ellipsis wherever it is shown (junit.xml, summary.md, the cards, the annotations, the
terminal, ``auditor diff``); a rule's own name is config, refused over 200 characters. A
50,000-character rule name over 990 groups made a junit.xml of 190 MB."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from auditor.cli import exit_code_of
from auditor.gates.names import LABEL_MAX, PATH_MAX, shorten
from auditor.report.github import github_annotations
from auditor.report.terminal import gate_lines

N_GROUPS, LONG = 60, 3000
RULE = 'metric = "fairness.features.grp.groups[*].metrics.accuracy"\nmin = 0.99\n'


def _long_file(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    n = N_GROUPS * 6
    y = rng.integers(0, 2, n)
    pred = np.where(rng.random(n) < 0.8, y, 1 - y)
    labels = [f"G{i:03d}-" + "x" * LONG + f"-end{i}" for i in range(N_GROUPS)]
    rows = [f"{y[i]},{pred[i]},{labels[i % N_GROUPS]}" for i in range(n)]
    path = tmp_path / "long.csv"
    path.write_text("y_true,y_pred,grp\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def long_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("long")
    cfg = folder / "audit.toml"
    cfg.write_text(f'[[gates.rules]]\n{RULE}name = "{"N" * 200}"\n', encoding="utf-8")
    args = ["audit", "-p", str(_long_file(folder)), "--sensitive", "grp", "--config", str(cfg),
            "--out", str(folder / "run"), "--min-group-size", "3", "--exit-zero"]  # fmt: skip
    assert exit_code_of(args) == 0
    return folder / "run"


def _runs_of_x(text: str) -> int:
    return max((len(m) for m in re.findall(r"x+", text)), default=0)


def test_labels_are_whole_in_audit_json_and_cut_in_every_rendering(long_run, tmp_path, capsys):
    audit = json.loads((long_run / "audit.json").read_text(encoding="utf-8"))
    groups = audit["fairness"]["features"]["grp"]["groups"]
    assert all(len(g["group"]) >= LONG + 10 for g in groups)  # whole, as the data has them
    gates = audit["gates"]["results"]
    assert len(gates) > N_GROUPS and all(len(r["name"]) <= 200 + LABEL_MAX + 10 for r in gates)
    assert any(len(r["group"]) > LONG for r in gates)  # the evidence keeps the label
    for name in ("junit.xml", "summary.md", "model_card.html", "model_card.md"):
        text = (long_run / name).read_text(encoding="utf-8")
        assert _runs_of_x(text) < PATH_MAX, name
        assert len(text) < 2_000_000, (name, len(text))  # labels alone would be 60 x 3,000 x k
    lines = github_annotations(audit["gates"]) + gate_lines(audit["gates"])
    assert all(len(line) < 1_000 for line in lines)
    html = (long_run / "model_card.html").read_text(encoding="utf-8")
    assert shorten(groups[0]["group"]) in html and "-end0" in html  # the end of it is shown
    for fmt in ("markdown", "text"):
        assert exit_code_of(["diff", str(long_run), str(long_run), "-f", fmt]) == 0
        out = capsys.readouterr().out
        assert _runs_of_x(out) < PATH_MAX and len(out) < 2_000_000


def test_a_rule_name_over_200_characters_is_refused_at_config_time(tmp_path, capsys):
    cfg = tmp_path / "audit.toml"
    cfg.write_text(f'[[gates.rules]]\n{RULE}name = "{"N" * 50_000}"\n', encoding="utf-8")
    args = ["audit", "-p", str(_long_file(tmp_path)), "--sensitive", "grp", "--config",
            str(cfg), "--out", str(tmp_path / "run")]  # fmt: skip
    assert exit_code_of(args) == 2
    err = capsys.readouterr().err
    assert "gates.rules[0].name" in err and "200 characters" in err and len(err) < 500
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(("text", "want"), [("a" * 80, "a" * 80), ("b" * 81, None)])
def test_shorten_keeps_the_start_and_the_end(text, want):
    got = shorten(text)
    assert got == want if want else (len(got) == LABEL_MAX and "…" in got)
    assert shorten("G001-" + "x" * 500 + "-end1").endswith("-end1")
