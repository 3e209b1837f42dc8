"""diff's provenance rows (auditor/diff/compare.py)."""

from __future__ import annotations

from auditor.diff import diff_audits, render_markdown

EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"  # sha256 of b""


def _audit(splits: dict[str, tuple[str, int]]) -> dict:
    return {
        "run": {"name": "r", "created_at": "t", "seed": 0, "library_versions": {}},
        "tool": {"version": "0"},
        "config": {},
        "data": {"splits": {k: {"sha256": h, "n_rows": n} for k, (h, n) in splits.items()}},
        "model": {"checkpoints": {}},
    }


def test_a_split_of_no_rows_reads_as_absent_not_as_a_changed_hash():
    # a predictions audit records its training splits with 0 rows and the hash of nothing
    # (R21 #7); older audit.json files hold them so too
    trained = _audit({"pretrain": ("1" * 64, 900), "val": ("2" * 64, 90), "test": ("3" * 64, 445)})
    preds = _audit({"pretrain": (EMPTY, 0), "val": (EMPTY, 0), "test": ("4" * 64, 445)})
    rows = {c.key: c for c in diff_audits(trained, preds).provenance}
    assert (rows["data split pretrain"].change, rows["data split pretrain"].b) == ("removed", None)
    assert (rows["data split val"].change, rows["data split val"].b) == ("removed", None)
    assert rows["data split test"].change == "changed"
    back = {c.key: c for c in diff_audits(preds, trained).provenance}
    assert (back["data split val"].change, back["data split val"].a) == ("added", None)
    assert EMPTY[:12] not in render_markdown(diff_audits(trained, preds))
    # two predictions audits: their empty splits are no rows at all, not "same"
    keys = [c.key for c in diff_audits(preds, preds).provenance]
    assert "data split pretrain" not in keys and "data split test" in keys
