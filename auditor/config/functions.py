"""A user's function named in a config as ``"package.module:function"``, imported and its
signature checked before it is ever called (model factories, reference-model trainers).

No torch here: preflight checks a factory before any heavy import (the user's own module may
import torch, last).
"""

from __future__ import annotations

import importlib
import inspect
import sysconfig
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from auditor.errors import AuditorInputError

# The keyword arguments a model factory is called with: factory(input_shape=..., n_classes=K).
FACTORY_ARGS = ("input_shape", "n_classes")
NOT_A_SPEC = "{spec!r} is not 'package.module:function'{hint}"
HINT_SPACES = " (no spaces: {fixed!r})"
HINT_FILE = (
    " ({fixed!r}: a module's import name, not a file path; the config file's folder is "
    "importable)"
)
HINT_COLON = " (the function after a colon: {fixed!r})"
CANNOT_IMPORT = "cannot import {spec!r} ({error})"
NOT_CALLABLE = "{spec!r} is not a function"
HERE = Path(__file__)
RAISED = "{spec!r} raised {error}{where}"
ERROR_CHARS = 300  # of the user's exception's text: one line, with the rest of the message
BAD_SIGNATURE = "{spec!r} must accept the keyword arguments {wanted} (its signature is {found})"


def import_function(
    spec: str, *, field_name: str, wanted: tuple[str, ...], source: str | None = None
) -> Callable[..., Any]:
    """The function named ``spec``, checked to be callable with the keyword arguments
    ``wanted``; any failure is an :class:`AuditorInputError` naming ``source`` (the config
    file) and ``field_name``."""
    module_name, _, fn_name = spec.partition(":")
    if not _is_spec(module_name, fn_name):
        message = NOT_A_SPEC.format(spec=spec, hint=_spec_hint(spec))
        raise AuditorInputError(message, source=source, field=field_name)
    try:
        fn = getattr(importlib.import_module(module_name), fn_name)
    except Exception as exc:  # noqa: BLE001 - any failure of the user's module is bad input
        error = f"{type(exc).__name__}: {exc}"
        message = CANNOT_IMPORT.format(spec=spec, error=error) + _spec_hint(spec)  # models.py
        raise AuditorInputError(message, source=source, field=field_name) from None
    if not callable(fn):
        raise AuditorInputError(NOT_CALLABLE.format(spec=spec), source=source, field=field_name)
    try:
        inspect.signature(fn).bind(**{name: None for name in wanted})
    except (TypeError, ValueError):
        message = BAD_SIGNATURE.format(spec=spec, wanted=", ".join(wanted),
                                       found=_signature_text(fn))  # fmt: skip
        raise AuditorInputError(message, source=source, field=field_name) from None
    return fn


def _is_spec(module_name: str, fn_name: str) -> bool:
    """``package.module`` and ``function`` as Python names them (an import and an attribute)."""
    parts = module_name.split(".")
    return fn_name.isidentifier() and all(part.isidentifier() for part in parts)


def _spec_hint(spec: str) -> str:
    """What was probably meant, for the three mistakes a spec is written with: spaces, a
    file path (``models.py:build``, ``./models:build``), a dot for the colon."""
    module_name, colon, fn_name = spec.strip().partition(":")
    if spec.strip() != spec and _is_spec(module_name, fn_name):
        return HINT_SPACES.format(fixed=f"{module_name}:{fn_name}")
    if "/" in module_name or "\\" in module_name or module_name.endswith(".py"):
        name = module_name.replace("\\", "/").rpartition("/")[2].removesuffix(".py")
        fixed = f"{name}:{fn_name}" if fn_name else name
        return HINT_FILE.format(fixed=fixed)
    if not colon and "." in module_name:
        head, _, tail = module_name.rpartition(".")
        return HINT_COLON.format(fixed=f"{head}:{tail}")
    return ""


def _signature_text(fn: Callable[..., Any]) -> str:
    try:
        return str(inspect.signature(fn))
    except (TypeError, ValueError):
        return "unknown"


def call_user(
    fn: Callable[..., Any], *args: Any, spec: str, field_name: str, source: str | None = None,
    **kwargs: Any,
) -> Any:  # fmt: skip
    """``fn(*args, **kwargs)``, a user's function (or model): an exception it raises is bad
    input (exit 2, one line naming ``field_name``, the exception and the line that raised
    it), not an internal error of auditor's."""
    try:
        return fn(*args, **kwargs)
    except AuditorInputError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever the user's code raises
        error = " ".join(f"{type(exc).__name__}: {exc}".split())
        error = error if len(error) <= ERROR_CHARS else error[: ERROR_CHARS - 1] + "…"  # cut
        where = _user_line(exc)
        message = RAISED.format(spec=spec, error=error, where=where)
        raise AuditorInputError(message, source=source, field=field_name) from None


def _user_line(exc: BaseException) -> str:
    """`` (at file.py:LINE)``: the innermost frame of the traceback in the user's own code
    (not in an installed library or the standard library); "" when there is none."""
    libraries = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib"),
                 sysconfig.get_path("stdlib")}  # fmt: skip
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename)
        if not any(str(path).startswith(lib) for lib in libraries if lib) and path != HERE:
            return f" (at {path.name}:{frame.lineno})"
    return ""
