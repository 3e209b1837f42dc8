"""Reading a TOML config file: one line naming the file for each way it can be wrong (a
folder, a device, missing, too large to be a config, UTF-16, not UTF-8, not TOML)."""

from __future__ import annotations

import codecs
import tomllib
from functools import partial
from pathlib import Path
from typing import Any

from auditor.errors import AuditorInputError, read_capped

# An audit config is a few KB; a file past this is some other file (a 50 MB one took 42 s
# and 470 MB to parse before its first error).
MAX_CONFIG_BYTES = 1 << 20
IS_A_FOLDER = "is a folder, not a file (name the TOML config)"
NO_SUCH_FILE = "no such file"
CANNOT_READ = "cannot read ({error})"
NOT_A_FILE = "is not a regular file (name the TOML config)"
TOO_LARGE = "is {size:,} bytes, more than an audit config's {limit:,} (is this the config?)"
UTF16 = "UTF-16 text: save it as UTF-8 (TOML files are UTF-8)"
NOT_UTF8 = "not UTF-8 text"
UTF16_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def read_toml(path: Path) -> dict[str, Any]:
    """The TOML table of ``path``, or :class:`AuditorInputError` naming it."""
    source = str(path)
    if path.is_dir():
        raise AuditorInputError(IS_A_FOLDER, source=source)
    if not path.is_file():  # /dev/null and a FIFO exist: not files to read
        raise AuditorInputError(NOT_A_FILE if path.exists() else NO_SUCH_FILE, source=source)
    too_large = partial(TOO_LARGE.format, limit=MAX_CONFIG_BYTES)
    data = read_capped(path, MAX_CONFIG_BYTES, too_large=too_large, cannot_read=CANNOT_READ)
    if data.startswith(UTF16_MARKS):
        raise AuditorInputError(UTF16, source=source)
    try:
        # utf-8-sig: a byte-order mark (Windows editors write one) is dropped, not a TOML error
        text = data.decode("utf-8-sig")
        return tomllib.loads(text.replace("\r\n", "\n").replace("\r", "\n"))  # as read_text
    except UnicodeDecodeError:
        raise AuditorInputError(NOT_UTF8, source=source) from None
    except tomllib.TOMLDecodeError as exc:
        raise AuditorInputError(f"not valid TOML ({exc})", source=source) from None
