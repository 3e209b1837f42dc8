"""`auditor card RUN`: audit.json is read and validated once, and the new folder's copy is
the run's file as it was read (not encoded and validated again: a 15 MB audit.json of a
1,000-group audit spent 1.5 s on that)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from auditor import run_folder
from auditor.cli import app
from tests.builders import predictions_frame

runner = CliRunner()
ARGS = ["--sensitive", "sex", "--y-true", "label", "--y-pred", "pred", "--y-score", "score",
        "--positive-label", "approved", "--exit-zero"]  # fmt: skip


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("card")
    predictions_frame().to_csv(base / "preds.csv", index=False)
    out = base / "run"
    res = runner.invoke(app, ["audit", "-p", str(base / "preds.csv"), "-o", str(out), *ARGS])
    assert res.exit_code == 0, res.output
    return out


def test_card_copies_audit_json_as_read_without_encoding_it_again(run, tmp_path, monkeypatch):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    data = json.loads((run / "audit.json").read_text(encoding="utf-8"))
    text = json.dumps(data, indent=1, ensure_ascii=False)  # valid, but not as auditor writes it
    (run_dir / "audit.json").write_text(text, encoding="utf-8")

    def encode(*_args, **_kwargs):
        raise AssertionError("audit.json encoded again")

    monkeypatch.setattr(run_folder, "to_json_text", encode)
    res = runner.invoke(app, ["card", str(run_dir), "-o", str(tmp_path / "card")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "card" / "audit.json").read_text(encoding="utf-8") == text
    assert (tmp_path / "card" / "model_card.html").read_text() == (
        run / "model_card.html"
    ).read_text()


def test_card_still_refuses_an_audit_json_that_breaks_the_schema(run, tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    data = json.loads((run / "audit.json").read_text(encoding="utf-8"))
    data["fairness"]["n"] = "many"
    (run_dir / "audit.json").write_text(json.dumps(data), encoding="utf-8")
    res = runner.invoke(app, ["card", str(run_dir), "-o", str(tmp_path / "card")])
    assert res.exit_code == 2
    assert "audit.json" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "card").exists()


def test_card_says_what_it_waits_for_on_stderr_as_gate_does(run, tmp_path, monkeypatch, caplog):
    """card set up no lock_notes as gate, run and audit do: its lock-wait note went to the
    caller's root logging handler (here pytest's), or Python's last resort, not its stderr."""
    import threading

    out = tmp_path / "again"
    monkeypatch.setattr(run_folder, "WAIT_NOTE_AFTER_S", 0.0)
    taken, done, seen = threading.Event(), threading.Event(), []

    def other_writer():
        with run_folder.locked(out):
            taken.set()
            done.wait(60)  # let go once card is seen waiting

    def seen_waiting(record):
        if record.getMessage().startswith("waiting for another auditor"):
            seen.append(record)
            done.set()
        return True

    holder = threading.Thread(target=other_writer)
    holder.start()
    taken.wait(10)
    run_folder.LOCK_LOG.addFilter(seen_waiting)
    try:
        res = runner.invoke(app, ["card", str(run), "-o", str(out)])
    finally:
        run_folder.LOCK_LOG.removeFilter(seen_waiting)
        done.set()
        holder.join()
    assert len(seen) == 1 and res.exit_code == 0, res.output
    assert res.output.count("auditor: waiting for another auditor writing") == 1, res.output
    assert not [r for r in caplog.records if r.name == "auditor.run_folder"]


def test_card_help_names_every_file_it_writes(run, tmp_path):
    """--help said "Re-render model_card.html and model_card.md" of a command that writes five
    files (audit.json, junit.xml and summary.md too)."""
    res = runner.invoke(app, ["card", str(run), "-o", str(tmp_path / "card")])
    assert res.exit_code == 0, res.output
    written = sorted(p.name for p in (tmp_path / "card").iterdir())
    assert len(written) == 5, written
    said = " ".join(runner.invoke(app, ["card", "--help"]).output.split())
    assert [name for name in written if name not in said] == [], said
