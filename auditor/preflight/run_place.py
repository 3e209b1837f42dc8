"""What makes a folder a run's, and the refusal of an ``--out`` inside one.

A run folder holds audit.json beside another file only a run writes (a lone audit.json, a
baseline saved in a repo root, makes none). A run's evidence is never rewritten and a run
folder is one run: no audit writes a new run folder below one (``auditor audit -o RUN/sub``,
``auditor run CONFIG -o RUN/sub``, the API's ``out_dir``), as gate, card and diff refuse
their ``--out`` there (:func:`auditor.api._result.refuse_rewrite`).
"""

from __future__ import annotations

import os
from pathlib import Path

from auditor.errors import AuditorInputError
from auditor.io import CHECKPOINTS, RUN_FOLDER_FILES

IN_OTHER_RUN = (
    "lies in another run's folder, {folder}; a run is never rewritten (choose another {field})"
)
# what makes a folder holding audit.json a run: any other file a run writes beside it
RUN_BESIDE = (*sorted(RUN_FOLDER_FILES - {"audit.json"}), CHECKPOINTS)
RUN_BESIDE_FOLDED = frozenset(name.casefold() for name in RUN_BESIDE)


def is_run_folder(folder: Path, *, adding: str | None = None) -> bool:
    """Whether ``folder`` is a run's (or, ``adding`` a file of that name, would be one):
    audit.json beside another file only a run writes, its name compared case-insensitively
    (on macOS's default disk Summary.md is summary.md)."""
    if not os.path.lexists(folder / "audit.json"):
        return False
    try:
        names = os.listdir(folder)
    except OSError:  # unreadable: its names as a run writes them
        names = [name for name in RUN_BESIDE if os.path.lexists(folder / name)]
    return any(name.casefold() in RUN_BESIDE_FOLDED for name in (*names, adding or ""))


def shown(folder: Path) -> str:
    """``folder`` below the working folder as a relative path, else (that folder too) whole."""
    try:
        rel = folder.relative_to(Path.cwd().resolve())
    except ValueError:
        return str(folder)
    return str(rel) if rel.parts else str(folder)  # the working folder: whole, not '.'


def refuse_in_run(out: Path, *, field: str = "--out") -> None:
    """One line naming ``out`` (as ``field``) and the run folder it lies in, where a folder
    above it (links resolved) is a run's; ``out`` itself may be one (a rerun replaces it,
    by the rules of :func:`auditor.preflight.check_out_dir`)."""
    for folder in out.resolve().parents:
        if is_run_folder(folder):
            words = IN_OTHER_RUN.format(folder=repr(shown(folder)), field=field)
            raise AuditorInputError(words, source=str(out), field=field)
