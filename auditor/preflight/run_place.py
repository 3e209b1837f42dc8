"""What makes a folder a run's, and the refusal of an ``--out`` inside one.

A run folder holds audit.json beside a model card (a lone audit.json, a baseline saved in a
repo root, makes none). A run's evidence is never rewritten and a run folder is one run: no
audit writes a new run folder below one (``auditor audit -o RUN/sub``, ``auditor run CONFIG
-o RUN/sub``, the API's ``out_dir``), as gate, card and diff refuse their ``--out`` there
(:func:`auditor.api._result.refuse_rewrite`); both find it by :func:`run_holding`.
"""

from __future__ import annotations

import os
from pathlib import Path

from auditor.errors import AuditorInputError

IN_OTHER_RUN = (
    "lies in another run's folder, {folder}; a run is never rewritten (choose another {field})"
)
AS_RUN_FILE = (
    "is a run's own file name beside an audit.json, and would make that folder a run "
    "(choose another {field})"
)
# What makes a folder holding audit.json a run: a model card beside it. Every run, gate and
# card folder holds both (report.render.RENDERERS, since the first run folder). junit.xml,
# summary.md, run.log, predictions.parquet and checkpoints/ are names other tools write too
# (pytest --junitxml, a training loop), and every run that writes them writes the cards: a
# repo root holding a saved baseline audit.json beside them is no run.
RUN_MARKS = ("model_card.html", "model_card.md")
RUN_MARKS_FOLDED = frozenset(name.casefold() for name in RUN_MARKS)


def is_run_folder(folder: Path, *, adding: str | None = None) -> bool:
    """Whether ``folder`` is a run's (or, ``adding`` a file of that name, would be one):
    audit.json beside a model card, its name compared case-insensitively (on macOS's
    default disk Model_Card.md is model_card.md)."""
    if not os.path.lexists(folder / "audit.json"):
        return False
    try:
        names = os.listdir(folder)
    except OSError:  # unreadable: its names as a run writes them
        names = [name for name in RUN_MARKS if os.path.lexists(folder / name)]
    return any(name.casefold() in RUN_MARKS_FOLDED for name in (*names, adding or ""))


def run_holding(out: Path) -> tuple[Path, bool] | None:
    """The run folder a write to ``out`` (links resolved; resolvable, see
    :func:`auditor.errors.check_resolvable`) would go into: a folder above it that is a
    run's, ``(folder, False)``; else ``out``'s parent where ``out``'s own name would make it
    one (``base/model_card.md`` beside a lone audit.json), ``(parent, True)``; else None.
    ``out`` itself may be a run (a rerun replaces it). The one walk that check_out_dir and
    refuse_rewrite (gate, card, diff, ``AuditResult.write``) judge an ``--out`` by."""
    target = out.resolve()
    for folder in target.parents:
        if is_run_folder(folder):
            return folder, False
    if is_run_folder(target.parent, adding=target.name):
        return target.parent, True
    return None


def shown(folder: Path) -> str:
    """``folder`` below the working folder as a relative path, else (that folder too) whole."""
    try:
        rel = folder.relative_to(Path.cwd().resolve())
    except ValueError:
        return str(folder)
    return str(rel) if rel.parts else str(folder)  # the working folder: whole, not '.'


def refuse_in_run(out: Path, *, field: str = "--out") -> None:
    """One line naming ``out`` (as ``field``) where it lies in a run folder, or its name
    would make its parent one (see :func:`run_holding`)."""
    found = run_holding(out)
    if found is None:
        return
    folder, by_name = found
    if by_name:
        words = AS_RUN_FILE.format(field=field)
    else:
        words = IN_OTHER_RUN.format(folder=repr(shown(folder)), field=field)
    raise AuditorInputError(words, source=str(out), field=field)
