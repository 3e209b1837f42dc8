"""The parsers of the commands' path options (typer's ``parser=``), shared by every command:
typer turns "" into Path(""), which is ".", the working folder, so `auditor run ""` said
".: is a folder, not a file" and `auditor gate RUN --out ""` ".: --out: is the run or inside
it", both naming a path never typed. A blank path is refused as usage, naming the option."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

# (each option also gives metavar="<path>": a parser= option showed "<Path>" in --help)
EMPTY_PATH = "an empty path: name {what}"


def nonblank(what: str, *, read: bool = False, kind: str = "folder") -> Callable[[str], Path]:
    """A parser giving ``Path(value)``, or refusing a blank ``value`` as usage ("an empty
    path: name ``what``"), before it becomes the working folder, and a URL, shown as typed
    (its Path keeps one of its '//'): a file the command reads (``read``), not there, is to be
    downloaded (config.paths.as_written), and a path it writes to (--out, a ``kind``: "folder"
    or "path" for a file) is refused whether or not it is there, saying that ./ and what was
    typed is local (config.paths.out_as_written: '-o s3://b/run' made 's3:/b/run')."""

    def path(value: str) -> Path:
        if not value.strip():
            raise typer.BadParameter(EMPTY_PATH.format(what=what))
        return _local(value, read=read, kind=kind)

    return path


def _local(value: str, *, read: bool, kind: str) -> Path:
    """``value`` as a local Path, its leading ``~`` the home folder (io.as_path, the rule of
    every path auditor takes: a quoted '~/p.csv' was read as typed here, "no such file", and
    as the home folder's by the Python API it is handed to)."""
    from auditor.config import paths  # pydantic: only once such a path is given
    from auditor.errors import AuditorInputError
    from auditor.io import as_path, read_path

    try:
        if read:
            return read_path(value, field="")
        paths.out_as_written(value, kind=kind)
        return as_path(value, field="")
    except AuditorInputError as err:
        raise typer.BadParameter(str(err)) from None


# run's CONFIG, gate's and audit's --config
config_path = nonblank("the TOML config file", read=True)


def config_argument(value: str | None) -> Path | None:
    """The callback of run's CONFIG, given the text typed (``path_type=str``): refused as
    :data:`config_path` refuses it. Not its ``parser=``: --help then showed "CONFIG <Path>"
    where every other command's argument shows "<path>"."""
    return None if value is None else config_path(value)


# gate's and run's --baseline
audit_path = nonblank("an audit.json or its run folder", read=True)
# gate's and card's RUN_DIR, diff's A and B (a URL was "https:/x.org/run: no such file")
run_path = nonblank("a run folder or its audit.json", read=True)


def run_argument(value: str) -> Path:
    """The callback of RUN_DIR, A and B, given the text typed (``path_type=str``): refused as
    :data:`run_path` refuses it (not its ``parser=``, as :func:`config_argument`)."""
    return run_path(value)


# gate's and card's RUN_DIR
RunDirArgument = Annotated[Path, typer.Argument(
    metavar="RUN_DIR", help="A run folder (or its audit.json).",
    path_type=str, callback=run_argument,
)]  # fmt: skip
# run's, audit's, gate's and card's --out
folder_path = nonblank("a folder")
# diff's --out and init's PATH: a file ("./https://h/c.toml names a local path")
file_path = nonblank("a file", kind="path")
# audit's --predictions
predictions_path = nonblank("a predictions file or folder", read=True)
