""":func:`auditor.api.run`'s ``config``: an :class:`~auditor.config.AuditConfig`, or the path
of a TOML config (``auditor.run("credit-model.toml")`` is ``auditor run credit-model.toml``:
read with :func:`~auditor.config.load_config`, its folder importable, named in the audit)."""

from __future__ import annotations

import decimal
import math
import numbers
import os
import sys
from pathlib import Path
from typing import Any

from auditor.config import AuditConfig, load_config
from auditor.errors import AuditorInputError
from auditor.io import as_path, path_text, read_path

# run's and regate's config=: what it takes (one wording for both; a dict was "a path, got dict")
NOT_A_CONFIG = (
    "a TOML config file's path (str or pathlib.Path) or an AuditConfig "
    "(auditor.load_config(path), with config_file=path), got {found}"
)
# config_file= beside config= a path (read and recorded itself), or no config: refused by both
CONFIG_FILE_ALONE = (
    "the file config= was read from, taken only with config= an AuditConfig; with {found} "
    "it would be ignored (config=path reads and records the file itself)"
)
# config_file= beside an AuditConfig: run's, regate's and audit_predictions' one check
NOT_A_CONFIG_FILE = "the TOML file config= was read from: a path (str or pathlib.Path), got {found}"

# a switch given from Python, as the config's errors say theirs ("must be text, not 3")
NOT_A_SWITCH = "must be True or False, not {found}"
# lock_timeout=: how long a write waits for another writer of its run folder (the lock's
# wait compared it only once the folder was held: "x" was a TypeError after the audit's work,
# NaN waited for ever, "giving up after nan s")
NOT_SECONDS = "a number of seconds, 0 or more (float('inf') waits as long as it takes); got {found}"
NOT_SETTINGS = (
    "an AuditConfig (auditor.AuditConfig(privacy={{...}}), or auditor.load_config(path) for a "
    "TOML file's), got {found}"
)


def settings(config: Any) -> AuditConfig | None:
    """``config=`` of :func:`auditor.audit_model` and :func:`auditor.audit_predictions`: None
    or an AuditConfig (a dict or a path was read as one and failed as an AttributeError)."""
    if config is None or isinstance(config, AuditConfig):
        return config
    found = "a path" if isinstance(config, str | Path) else type(config).__name__
    raise AuditorInputError(NOT_SETTINGS.format(found=found), field="config")


def as_config(config: Any, config_file: Any) -> tuple[AuditConfig, str | None]:
    """``(config, config_file)``: ``config`` as it is (``config_file`` as text), or read from
    the path it names (which is then the config file; :func:`config_path`)."""
    path = config_path(config, config_file)
    if path is None:
        return config, file_text(config_file)
    try:
        loaded = load_config(path)
    except AuditorInputError as exc:  # the file as a whole (no such file, not TOML): config=
        raise (exc.with_field("config") if exc.source == str(path) else exc) from None
    return loaded, os.fspath(config)  # as given: the file auditor run records


def config_path(config: Any, config_file: Any, *, optional: bool = False) -> Path | None:
    """The path ``config`` names (a str or os.PathLike), or None for an AuditConfig (or no
    config, where ``optional``: regate's). Checked in this order, one line naming the first:
    ``config``'s type, then its text (blank, bytes), then ``config_file``, taken only beside
    an AuditConfig (beside a path it would be ignored, or recorded though never read), then
    ``config_file``'s own type and text (:func:`file_text`)."""
    if config is None and optional:
        pass
    elif not isinstance(config, AuditConfig):
        path_text(config, field="config", message=NOT_A_CONFIG)
    if config_file is not None and not isinstance(config, AuditConfig):
        found = "no config=" if config is None else "config= a path"
        raise AuditorInputError(CONFIG_FILE_ALONE.format(found=found), field="config_file")
    file_text(config_file)
    if config is None or isinstance(config, AuditConfig):
        return None
    return read_path(config, field="config")  # "~/c.toml": the home folder's


def file_text(config_file: Any) -> str | None:
    """``config_file`` (None, a str or an os.PathLike of one) as the text audit.json records,
    a leading ``~`` expanded (``"~/c.toml"`` was read as ./~/c.toml); anything else, or a
    blank path, one line naming it (an int was a raw TypeError, and "" was taken and
    recorded as None)."""
    if config_file is None:
        return None
    text = path_text(config_file, field="config_file", message=NOT_A_CONFIG_FILE)
    path = as_path(text, field="config_file")  # "~/c.toml": the home folder's, as config='s
    return text if path == Path(text) else str(path)


SHOWN_CHARS = 40  # of a value a message quotes


def shown(value: Any) -> str:
    """``value``'s repr for a message, cut to :data:`SHOWN_CHARS` with an ellipsis where it is
    longer (a cut -10**400 read as -1e38, and a cut 'xxx... lost its closing quote); an int
    too long to read is its digit count."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**SHOWN_CHARS:
        try:
            digits = str(len(str(abs(value))))
        except ValueError:  # past Python's int-to-text limit (4300 digits)
            digits = f"over {sys.get_int_max_str_digits()}"
        return f"{'a negative' if value < 0 else 'an'} int of {digits} digits"
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def switch(value: Any, *, field: str) -> bool:
    """``value`` as a bool where it is one (a numpy bool too); else one line naming ``field``
    (``missing_group="no"`` was taken as True): audit_model's and audit_predictions' check."""
    numpy_bool = getattr(getattr(value, "dtype", None), "kind", "") == "b" and not value.ndim
    if not isinstance(value, bool) and not numpy_bool:
        raise AuditorInputError(NOT_A_SWITCH.format(found=shown(value)), field=field)
    return bool(value)


def wait_seconds(value: Any, *, field: str = "lock_timeout") -> float:
    """``value`` as seconds to wait: a real number (numpy's, a Fraction or a Decimal too),
    not a bool, 0 or more, or infinite (one too large for a float, 10**400, is); else one
    line naming ``field``, before any work."""
    real = isinstance(value, numbers.Real | decimal.Decimal) and not isinstance(value, bool)
    try:
        seconds = float(value) if real else math.nan
    except OverflowError:  # an int past float's range: waits as long as inf
        seconds = math.inf if value > 0 else -math.inf
    except ValueError:  # Decimal("sNaN")
        seconds = math.nan
    if not seconds >= 0:  # NaN is not >= 0
        raise AuditorInputError(NOT_SECONDS.format(found=shown(value)), field=field)
    return seconds

