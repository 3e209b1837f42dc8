"""A tampered run folder read back by ``auditor gate``, ``auditor card`` and ``auditor diff``:
NaN or Infinity where audit.json holds a number (Python's JSON reader takes these literals,
and the evaluator read them as an undefined value: a warning, where a hand-edited accuracy
of Infinity must be refused) and a lone surrogate escape in a string or a key (valid JSON,
not text: every renderer crashed writing it) are exit 2 in one line naming the file and the
field, nothing is written and the run stays byte-identical."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from auditor.cli import exit_code_of
from tests.builders import folder_bytes, leftovers, predictions_audit

FIELD = "performance/finetuned/test/accuracy"


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tampered")
    predictions_audit(folder, n=600)
    return folder / "run"


def _tampered(finished: Path, tmp_path: Path, literal: str) -> Path:
    run = tmp_path / "run"
    shutil.copytree(finished, run)
    text = (run / "audit.json").read_text(encoding="utf-8")
    value = json.loads(text)["performance"]["finetuned"]["test"]["accuracy"]
    needle = f'"accuracy": {json.dumps(value)}'
    assert text.count(needle) >= 1
    (run / "audit.json").write_text(text.replace(needle, f'"accuracy": {literal}', 1))
    return run


def _refused_line(command: str, finished: Path, run: Path, tmp_path: Path, capsys) -> str:
    """Run ``command`` on the tampered ``run`` (diff: against ``finished``); the one line it
    refused it with (exit 2), the run byte-identical and no --out folder written."""
    before = folder_bytes(run)
    args = [command, str(run), "--out", str(tmp_path / "out")]
    code = exit_code_of(["diff", str(finished), str(run)] if command == "diff" else args)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and "Traceback" not in err, err
    assert folder_bytes(run) == before and not (tmp_path / "out").exists()
    return lines[0]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("command", ["gate", "card", "diff"])
def test_nan_or_infinity_in_audit_json_is_refused_naming_the_field(
    finished, tmp_path, capsys, command, literal
):
    run = _tampered(finished, tmp_path, literal)
    line = _refused_line(command, finished, run, tmp_path, capsys)
    assert str(run / "audit.json") in line and FIELD in line and literal.lstrip("-") in line
    assert leftovers(tmp_path) == []


def test_a_label_named_nan_is_not_taken_for_the_literal(finished, tmp_path, capsys):
    """The read looks for the literals only where the text holds one: a string "NaN" (a
    group label, a run name) is data, and the run re-gates as before."""
    run = tmp_path / "run"
    shutil.copytree(finished, run)
    audit = json.loads((run / "audit.json").read_text(encoding="utf-8"))
    audit["run"]["name"] = "NaN Infinity"
    (run / "audit.json").write_text(json.dumps(audit), encoding="utf-8")
    code = exit_code_of(["card", str(run), "--out", str(tmp_path / "out")])
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "out" / "model_card.html").is_file()


@pytest.mark.parametrize(
    ("where", "field"), [("value", "run/name"), ("key", "fairness/features/s\\udc80x")]
)
@pytest.mark.parametrize("command", ["gate", "card", "diff"])
def test_a_lone_surrogate_is_refused_naming_the_field(
    finished, tmp_path, capsys, command, where, field
):
    run = tmp_path / "run"
    shutil.copytree(finished, run)
    audit = json.loads((run / "audit.json").read_text(encoding="utf-8"))
    if where == "value":
        audit["run"]["name"] = "pl\ud800ain"
    else:
        features = audit["fairness"]["features"]
        features["s\udc80x"] = features.pop(next(iter(features)))
    (run / "audit.json").write_text(json.dumps(audit), encoding="ascii")  # "\\ud800" escapes
    line = _refused_line(command, finished, run, tmp_path, capsys)
    assert str(run / "audit.json") in line and field in line and "surrogate" in line


def test_an_emoji_written_as_a_surrogate_pair_is_text(finished, tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(finished, run)
    audit = json.loads((run / "audit.json").read_text(encoding="utf-8"))
    audit["run"]["name"] = "model \U0001f642"
    (run / "audit.json").write_text(json.dumps(audit), encoding="ascii")  # \ud83d\ude42
    assert exit_code_of(["card", str(run), "--out", str(tmp_path / "out")]) == 0, (
        capsys.readouterr().err
    )
    assert "model \U0001f642" in (tmp_path / "out" / "model_card.md").read_text(encoding="utf-8")


def _edit(finished: Path, tmp_path: Path, edit) -> Path:
    run = tmp_path / "run"
    shutil.copytree(finished, run)
    audit = json.loads((run / "audit.json").read_text(encoding="utf-8"))
    edit(audit)
    (run / "audit.json").write_text(json.dumps(audit), encoding="utf-8")
    return run


def _declared(audit: dict) -> dict:
    return audit["config"]["transparency"]["declared"]


CONFIG_CASES = [
    ("owners-number", lambda a: _declared(a).update(owners=3),
     "config/transparency/declared/owners"),
    ("no-license", lambda a: _declared(a).pop("license"), "config/transparency/declared/license"),
    ("declared-text", lambda a: a["config"]["transparency"].update(declared="yes"),
     "config/transparency/declared"),
    ("privacy-text", lambda a: a["config"].update(privacy="dp"), "config/privacy"),
    # the card's fairness notes read config.fairness's minimum group size and level
    ("fairness-text", lambda a: a["config"].update(fairness="x"), "config/fairness"),
    ("fairness-null", lambda a: a["config"].update(fairness=None), "config/fairness"),
    ("no-fairness", lambda a: a["config"].pop("fairness"), "config/fairness"),
    ("min-size-text", lambda a: a["config"]["fairness"].update(min_group_size="30"),
     "config/fairness/min_group_size"),
    ("no-level", lambda a: a["config"]["fairness"].pop("ci_level"), "config/fairness/ci_level"),
]  # fmt: skip


@pytest.mark.parametrize(("edit", "field"), [c[1:] for c in CONFIG_CASES],
                         ids=[c[0] for c in CONFIG_CASES])  # fmt: skip
@pytest.mark.parametrize("command", ["gate", "card"])
def test_a_config_the_card_cannot_read_is_refused(finished, tmp_path, capsys, command, edit, field):
    """The schema keeps ``config`` a free object; what the card and the gates read from it
    (the declared answers, the sections) crashed them ("internal error") when hand-edited."""
    run = _edit(finished, tmp_path, edit)
    code = exit_code_of([command, str(run), "--out", str(tmp_path / "out")])
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert code == 2 and len(err) == 1 and "internal error" not in err[0], err
    assert str(run / "audit.json") in err[0] and f": {field}: " in err[0], err[0]
    assert not (tmp_path / "out").exists()


def test_a_reliability_bin_without_its_confidence_still_renders(finished, tmp_path, capsys):
    def edit(audit: dict) -> None:
        bins = audit["performance"]["finetuned"]["test"]["reliability"]
        next(b for b in bins if b["n"])["mean_confidence"] = None

    run = _edit(finished, tmp_path, edit)
    code = exit_code_of(["card", str(run), "--out", str(tmp_path / "out")])
    assert code == 0, capsys.readouterr().err
    assert "Reliability diagram" in (tmp_path / "out" / "model_card.html").read_text()


@pytest.mark.parametrize(("k", "n"), [(601, 600), (-1, 600)])
@pytest.mark.parametrize("command", ["gate", "card", "diff"])
def test_correct_count_outside_zero_to_n_is_refused_naming_the_field(
    finished, tmp_path, capsys, command, k, n
):
    """n_correct above n (or negative) passes the schema; the accuracy's Wilson interval
    derived from the two was a complex number: every command crashed ('internal error')."""
    def edit(audit: dict) -> None:
        assert audit["performance"]["finetuned"]["test"]["n"] == n
        audit["performance"]["finetuned"]["test"]["n_correct"] = k

    run = _edit(finished, tmp_path, edit)
    line = _refused_line(command, finished, run, tmp_path, capsys)
    assert "performance/finetuned/test/n_correct" in line and f"n ({n})" in line


def _first_group(audit: dict) -> dict:
    feature = next(iter(audit["fairness"]["features"].values()))
    return feature["groups"][0]["metrics"]["accuracy"]


def _worst_gap(audit: dict) -> dict:
    feature = next(iter(audit["fairness"]["features"].values()))
    return feature["disparities"]["equalized_odds_difference"]["between_groups"]


EDITED_NUMBERS = [
    # the gate read -3 and the counts' Wilson interval [0.84, 0.86] and passed >= 0.7
    ("accuracy", lambda a: a["performance"]["finetuned"]["test"].update(accuracy=-3.0),
     "performance/finetuned/test/accuracy", "is not n_correct / n"),
    ("correct-count", lambda a: a["performance"]["finetuned"]["test"].update(n_correct=0),
     "performance/finetuned/test/accuracy", "is not n_correct / n"),
    ("group-rate", lambda a: _first_group(a).update(value=0.999999),
     "/metrics/accuracy/value", "is outside its interval"),
    ("gap", lambda a: _worst_gap(a).update(value=0.0, ci_low=0.05),
     "/between_groups/value", "is outside its interval"),
    # a null value's reversed interval was read back, shown and diffed as evidence
    ("reversed", lambda a: _worst_gap(a).update(value=None, ci_low=0.9, ci_high=0.1),
     "/between_groups/ci_low", "the interval [0.9, 0.1] is reversed"),
    # a verdict or counts its own results do not hold: the card and the diff showed them
    ("verdict", lambda a: a["gates"].update(verdict="pass" if a["gates"]["verdict"] != "pass"
                                            else "fail"),
     "gates/verdict", "is not what gates/results hold"),
    ("gate-removed", lambda a: a["gates"]["results"].pop(0),
     "gates/counts", "is not what gates/results hold"),
]  # fmt: skip


@pytest.mark.parametrize(("edit", "field", "why"), [c[1:] for c in EDITED_NUMBERS],
                         ids=[c[0] for c in EDITED_NUMBERS])  # fmt: skip
@pytest.mark.parametrize("command", ["gate", "card", "diff"])
def test_an_estimate_its_own_evidence_contradicts_is_refused(
    finished, tmp_path, capsys, command, edit, field, why
):
    """auditor writes every estimate inside its interval and an accuracy as n_correct / n; a
    hand-edited number that breaks either was gated, carded and diffed as evidence (a gate
    passed an accuracy of -3 on the counts' interval)."""
    run = _edit(finished, tmp_path, edit)
    line = _refused_line(command, finished, run, tmp_path, capsys)
    assert str(run / "audit.json") in line and field in line and why in line, line
