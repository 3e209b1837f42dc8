"""What makes a folder a run's, and the refusal of an ``--out`` inside one.

A run folder holds audit.json beside both model cards, as every run, gate and card writes it (a
lone audit.json, a baseline saved in a repo root, makes none, nor does one beside the repo's own
MODEL_CARD.md); the folder of an audit that gate, card or diff reads is a run by that rule, and
also where it holds files a run writes and nothing else, or a model card beside summary.md (see
:func:`is_run_folder`). A run's evidence is never rewritten and a run folder is one run: no
audit writes a new run folder below one (``auditor audit -o RUN/sub``, ``auditor run CONFIG -o
RUN/sub``, the API's ``out_dir``), as gate, card and diff refuse their ``--out`` there
(:func:`auditor.api._result.refuse_rewrite`); both judge it by :func:`refuse_in_run`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from pathlib import Path

from auditor.errors import AuditorInputError
from auditor.io import CHECKPOINTS, RUN_FOLDER_FILES

IN_OTHER_RUN = (
    "lies in another run's folder, {folder}; a run is never rewritten (choose another {field})"
)
AS_RUN_FILE = (
    "puts a model card's name beside an audit.json, and would make that folder pass for a "
    "run (choose another {field})"
)
# What makes a folder holding audit.json a run: both model cards beside it. Every run, gate and
# card folder holds both (report.render.RENDERERS writes both, since the first run folder), and
# no file inside tells a run's audit.json from a baseline's copy of it. One card is not enough:
# many repos keep their own MODEL_CARD.md at the root, beside a saved baseline audit.json.
# junit.xml, summary.md, run.log, predictions.parquet and checkpoints/ are names other tools
# write too (pytest --junitxml, a training loop).
RUN_MARKS = ("model_card.html", "model_card.md")
RUN_MARKS_FOLDED = frozenset(name.casefold() for name in RUN_MARKS)
# What else makes the folder of an audit read (gate, card, diff) a run, beyond both cards: files
# a run writes beside its audit.json and nothing else, the cards gone or not (a run copied
# without them); or a model card beside summary.md, whatever else it holds (a run that lost a
# card and holds a user's notes.txt or Finder's .DS_Store). auditor writes the three together;
# a repo root seldom keeps summary.md beside its MODEL_CARD.md and a saved baseline (one that
# does, read, takes an --out beside it). A lone audit.json, a saved baseline, makes none, nor
# does a repo root holding one beside pytest's junit.xml, its MODEL_CARD.md and README.md.
# Both compared as auditor writes them, case and all (a repo root's MODEL_CARD.md and
# GitBook's SUMMARY.md are not a run's files).
RUN_FILES = (*sorted(RUN_FOLDER_FILES - {"audit.json"}), CHECKPOINTS)
SUMMARY = "summary.md"


def is_run_folder(folder: Path, *, read: bool = False) -> bool:
    """Whether ``folder`` is a run's: audit.json beside both model cards; or, ``read`` (the
    folder of an audit read), beside files a run writes and nothing else, or beside a model
    card and summary.md. Names as auditor writes them, case and all: a run folder is written
    whole by auditor (staged, then swapped in), while a repo's own MODEL_CARD.md or GitBook's
    SUMMARY.md is another file (R14 #3)."""
    if not os.path.lexists(folder / "audit.json"):
        return False
    try:
        names = set(os.listdir(folder)) - {"audit.json"}
    except OSError:  # unreadable: its names as a run writes them
        names = {name for name in RUN_FILES if os.path.lexists(folder / name)}
    if set(RUN_MARKS) <= names:
        return True
    if not read:
        return False
    if names and names <= set(RUN_FILES):
        return True
    return SUMMARY in names and not names.isdisjoint(RUN_MARKS)


def run_holding(out: Path, *, reads: Collection[Path] = ()) -> tuple[Path, bool] | None:
    """The run folder a write to ``out`` (links resolved; resolvable, see
    :func:`auditor.errors.check_resolvable`) would go into: a folder above it that is a run's
    (``reads``: the folders of the audits read, judged as such), ``(folder, False)``; else the
    folder holding audit.json that ``out``, or a folder above it that does not exist yet,
    would put a model card's name in (``base/model_card.md``, ``base/model_card.md/sub``),
    ``(that folder, True)``; else None. ``out`` itself may be a run (a rerun replaces it)."""
    target = out.resolve()
    for folder in target.parents:
        if is_run_folder(folder, read=folder in reads):
            return folder, False
    at = target
    while True:  # out itself, then each folder above it that a write would make
        if at.name.casefold() in RUN_MARKS_FOLDED and os.path.lexists(at.parent / "audit.json"):
            return at.parent, True
        at = at.parent
        if at == at.parent or os.path.lexists(at):
            return None


def shown(folder: Path) -> str:
    """``folder`` below the working folder as a relative path, else (that folder too) whole."""
    try:
        rel = folder.relative_to(Path.cwd().resolve())
    except ValueError:
        return str(folder)
    return str(rel) if rel.parts else str(folder)  # the working folder: whole, not '.'


def refuse_in_run(out: Path, *, field: str = "--out", reads: Collection[Path] = (),
                  in_run: Callable[[Path], AuditorInputError] | None = None) -> None:  # fmt: skip
    """One line naming ``out`` (as ``field``, resolvable: checked by the caller) where it lies
    in a run folder or would give a folder holding audit.json a model card's name (see
    :func:`run_holding`). ``in_run``: the refusal of ``out`` in the run folder found (gate,
    card, diff and ``AuditResult.write`` tell the run read or this same run from another's);
    else :data:`IN_OTHER_RUN`. The one rule check_out_dir and refuse_rewrite judge by."""
    if (found := run_holding(out, reads=reads)) is None:
        return
    folder, by_name = found
    if by_name:
        raise AuditorInputError(AS_RUN_FILE.format(field=field), source=str(out), field=field)
    if in_run is not None:
        raise in_run(folder)
    words = IN_OTHER_RUN.format(folder=repr(shown(folder)), field=field)
    raise AuditorInputError(words, source=str(out), field=field)
