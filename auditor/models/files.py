"""A supplied model's file: the path checks every loader makes, and the skops loader of a
scikit-learn estimator (scikit-learn's own types only, and the data types they hold; nothing
is unpickled)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.config.paths import IS_A_FOLDER, NO_FILE, model_file  # noqa: F401 - re-exported
from auditor.errors import AuditorInputError

UNTRUSTED = (
    "refused: type {type_name!r} is not scikit-learn's own; auditor loads skops files with "
    "scikit-learn types only and never unpickles"
)
NOT_SKOPS = "not a readable skops file ({detail})"
# Not scikit-learn's, yet held by its fitted estimators and rebuilt by skops without running
# any code: a dtype from an empty .npy array (OneHotEncoder, StandardScaler ... in a fitted
# ColumnTransformer); a partial binds arguments to a function that must itself be trusted
# (HistGradientBoosting with categorical columns).
DATA_TYPES = frozenset({"numpy.dtype", "functools.partial"})


def load_skops(path: Path) -> Any:
    """A fitted estimator from a skops file, trusting scikit-learn's own types only."""
    import skops.io as sio

    model_file(path)
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # noqa: BLE001 - not a skops zip, or a corrupt one
        raise AuditorInputError(NOT_SKOPS.format(detail=type(exc).__name__), source=str(path),
                                field="model.path") from None  # fmt: skip
    foreign = [t for t in untrusted if not t.startswith("sklearn.") and t not in DATA_TYPES]
    if foreign:
        raise AuditorInputError(UNTRUSTED.format(type_name=foreign[0]), source=str(path),
                                field="model.path")  # fmt: skip
    try:
        return sio.load(path, trusted=list(untrusted))
    except Exception as exc:  # noqa: BLE001 - a type skops refuses after all
        raise AuditorInputError(NOT_SKOPS.format(detail=str(exc).splitlines()[0][:200]),
                                source=str(path), field="model.path") from None  # fmt: skip
