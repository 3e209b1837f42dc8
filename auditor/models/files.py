"""A supplied model's file: the path checks every loader makes, and the skops loader of a
scikit-learn estimator (scikit-learn's own classes only, the data types they hold, and the
few scikit-learn functions fitted estimators hold; nothing is unpickled)."""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path
from typing import Any

from auditor.config.paths import IS_A_FOLDER, NO_FILE, model_file  # noqa: F401 - re-exported
from auditor.errors import AuditorInputError

UNTRUSTED = (
    "refused: type {type_name!r} is not scikit-learn's own; auditor loads skops files with "
    "scikit-learn types only and never unpickles"
)
UNTRUSTED_FUNCTION = (
    "refused: {type_name!r} is a function, not a scikit-learn class; a skops file may name "
    "only the functions fitted estimators hold (a scorer's metric, a feature-selection "
    "score, check_array), since predict_proba would call it"
)
NOT_SKOPS = "not a readable skops file ({detail})"
# Not scikit-learn's, yet held by its fitted estimators and rebuilt by skops without running
# any code: a dtype from an empty .npy array (OneHotEncoder, StandardScaler ... in a fitted
# ColumnTransformer); a partial binds arguments to a function that must itself be trusted
# (HistGradientBoosting with categorical columns).
DATA_TYPES = frozenset({"numpy.dtype", "functools.partial"})
# scikit-learn's test code is no part of a fitted estimator (and imports pytest).
TEST_MODULES = frozenset({"tests", "_testing", "conftest"})


def load_skops(path: Path) -> Any:
    """A fitted estimator from a skops file, trusting scikit-learn's own classes only."""
    import skops.io as sio

    model_file(path)
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # noqa: BLE001 - not a skops zip, or a corrupt one
        raise AuditorInputError(NOT_SKOPS.format(detail=type(exc).__name__), source=str(path),
                                field="model.path") from None  # fmt: skip
    for name in untrusted:
        refused = _refusal(name)
        if refused:
            raise AuditorInputError(refused.format(type_name=name), source=str(path),
                                    field="model.path")  # fmt: skip
    try:
        return sio.load(path, trusted=list(untrusted))
    except Exception as exc:  # noqa: BLE001 - a type skops refuses after all
        raise AuditorInputError(NOT_SKOPS.format(detail=str(exc).splitlines()[0][:200]),
                                source=str(path), field="model.path") from None  # fmt: skip


def _refusal(name: str) -> str | None:
    """Why the name ``name`` a skops file lists is not trusted (a message template), or
    None: a class defined in scikit-learn, an allowed function, or a data type. skops lists
    functions as well as classes; a function such as ``dump_svmlight_file`` or
    ``fetch_openml`` in a ``FunctionTransformer`` would write files or reach the network."""
    if name in DATA_TYPES:
        return None
    parts = name.split(".")
    if parts[0] != "sklearn" or TEST_MODULES & set(parts):
        return UNTRUSTED
    obj = _resolve(parts)
    if isinstance(obj, type):
        return None if str(obj.__module__).split(".")[0] == "sklearn" else UNTRUSTED
    if obj is None or not callable(obj):
        return UNTRUSTED
    return None if _is_allowed_function(obj) else UNTRUSTED_FUNCTION


def _resolve(parts: list[str]) -> Any:
    """The object ``a.b.c.Name`` names: its longest importable module (scikit-learn's own;
    importing it runs no code of the file's), then attributes; None when there is none."""
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except (ImportError, ValueError):  # no such module (ValueError: an empty name)
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr, None)
        return obj
    return None


def _is_allowed_function(obj: Any) -> bool:
    return any(obj is f for f in _allowed_functions())


@cache
def _allowed_functions() -> tuple[Any, ...]:
    """The functions fitted scikit-learn estimators hold, all pure computations: each
    scorer's metric (``GridSearchCV(scoring=...)``), the univariate feature-selection
    scores (``SelectKBest(f_classif)``), and ``check_array`` (HistGradientBoosting's
    categorical preprocessing holds it in a partial)."""
    from sklearn import feature_selection as fs
    from sklearn.metrics import get_scorer, get_scorer_names
    from sklearn.utils.validation import check_array

    metrics = [getattr(get_scorer(name), "_score_func", None) for name in get_scorer_names()]
    scores = [fs.chi2, fs.f_classif, fs.f_regression, fs.r_regression, fs.mutual_info_classif,
              fs.mutual_info_regression]  # fmt: skip
    return tuple(f for f in (*metrics, *scores, check_array) if f is not None)
