"""The card names an intersection's combinations that no row has (``absent_cells``), from an
audit.json that leaves them out and from an older one that lists them with n = 0 alike, and
prints no table row for them."""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from auditor.cli import app
from auditor.report import templating
from auditor.report.html import render_html
from auditor.report.markdown import render_markdown


def _group(values: dict[str, str], n: int) -> dict:
    return {"group": " & ".join(values.values()), "values": values, "n": n}


def _features(with_empty_rows: bool, zones: int = 3) -> dict:
    zone = [_group({"zone": f"z{i}"}, 10) for i in range(zones)]
    race = [_group({"race": r}, 10) for r in ("a", "b")]
    cells = [_group({"zone": f"z{i}", "race": r}, 5) for i in range(zones) for r in ("a", "b")]
    cells = [c if c["group"] not in ("z1 & b", "z2 & a") else {**c, "n": 0} for c in cells]
    if not with_empty_rows:
        cells = [c for c in cells if c["n"]]
    return {"zone": {"components": ["zone"], "groups": zone},
            "race": {"components": ["race"], "groups": race},
            "zone & race": {"components": ["zone", "race"], "groups": cells}}  # fmt: skip


def test_absent_cells_are_the_same_whether_audit_json_lists_them_or_not():
    for listed in (False, True):
        features = _features(listed)
        got = templating.absent_cells(features, features["zone & race"])
        assert got == {"count": 2, "shown": ["z1 & b", "z2 & a"]}
        assert templating.absent_cells(features, features["zone"]) == {"count": 0, "shown": []}


def test_absent_cells_names_the_first_ones_and_counts_the_rest():
    features = _features(False, zones=100)
    cells = features["zone & race"]
    cells["groups"] = [g for g in cells["groups"] if g["values"]["race"] == "a"]
    got = templating.absent_cells(features, cells)
    assert got["count"] == 101 and len(got["shown"]) == templating.ABSENT_SHOWN
    assert got["shown"][0] == "z0 & b"


def test_the_card_names_an_empty_cell_and_prints_no_row_for_it(tmp_path):
    rng = np.random.default_rng(0)
    n = 600
    frame = pd.DataFrame({"sex": rng.choice(["f", "m"], n), "region": rng.choice(["n", "e"], n)})
    frame.loc[frame.sex == "f", "region"] = "n"  # no row is f & e
    frame["y"] = rng.integers(0, 2, n)
    frame["p"] = rng.integers(0, 2, n)
    frame.to_csv(tmp_path / "preds.csv", index=False)
    out = tmp_path / "run"
    res = CliRunner().invoke(app, ["audit", "-p", str(tmp_path / "preds.csv"), "-o", str(out),
                                   "--y-true", "y", "--y-pred", "p", "--sensitive", "sex",
                                   "--sensitive", "region", "--exit-zero"])  # fmt: skip
    assert res.exit_code == 0, res.output
    audit = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    cells = audit["fairness"]["features"]["sex & region"]["groups"]
    assert [g["group"] for g in cells] == ["f & n", "m & e", "m & n"]
    older = copy.deepcopy(audit)  # as auditor wrote it before: the empty cell with n = 0
    empty = {**copy.deepcopy(cells[0]), "group": "f & e", "values": {"sex": "f", "region": "e"},
             "n": 0, "status": "insufficient_data"}  # fmt: skip
    older["fairness"]["features"]["sex & region"]["groups"].insert(0, empty)
    for data in (audit, older):
        html, md = render_html(data), render_markdown(data)
        assert "Combinations of sex and region that no row has (1): f &amp; e." in html
        assert "Combinations of sex and region that no row has (1): f &amp; e." in md
        assert '<th scope="row">f &amp; e</th>' not in html and "| f &amp; e |" not in md
