"""A supplied model's file: the path checks every loader makes, the skops loader of a
scikit-learn estimator (scikit-learn's own classes only, the data types they hold, and the
few scikit-learn functions fitted estimators hold; nothing is unpickled), and the state dict
loader of a PyTorch checkpoint (``weights_only=True``: tensors and plain containers)."""

from __future__ import annotations

import importlib
import pickle
import re
import warnings
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

from auditor.config.paths import IS_A_FOLDER, NO_FILE, model_file  # noqa: F401 - re-exported
from auditor.errors import AuditorInputError
from auditor.models.trees import BAD_TREE, tree_fault

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
# torch's weights-only error: its first lines advise weights_only=False, its last a link.
TORCH_BOILERPLATE = ("Weights only load failed", "Please file an issue", "Check the documentation")
REFUSED_PICKLE = (
    "refused: the file holds pickled objects other than tensors ({detail}); save "
    "model.state_dict(), not the model"
)
UNREADABLE = "not a readable PyTorch state dict ({detail})"
# Files that are not torch.save'd state dicts, told by their first bytes or entries.
# torch.jit.load would run the archive's own code (its forward): a checkpoint is weights only.
TORCHSCRIPT = (
    "a TorchScript archive (torch.jit.save), not a state dict; auditor run loads weights "
    "only, never a file's code. Where you trust the file, audit it from Python: "
    "auditor.audit_model(torch.jit.load(path), data=..., target=..., sensitive=[...]), "
    "or save its weights for the factory: "
    "torch.save(torch.jit.load(path).state_dict(), 'model.pt')"
)
SAFETENSORS = (
    "a safetensors file, read with the safetensors package, which is not installed: "
    "pip install 'auditor[safetensors]', or save the weights with "
    "torch.save(model.state_dict(), 'model.pt')"
)
# A model file of another kind than [model] kind reads, told by its first bytes or entries:
# named with the way on, where the reader's own error ("Unsupported operand 149",
# "File is not a zip file") said nothing a user could act on.
PICKLE_NOT_STATE = (
    "refused: a pickle (pickle.dump or joblib.dump), not torch.save's format; auditor never "
    "unpickles a file (that runs its code): save the weights with "
    "torch.save(model.state_dict(), 'model.pt')"
)
PICKLE_NOT_SKOPS = (
    "refused: a pickle (pickle.dump or joblib.dump), not a skops file; auditor never "
    "unpickles a file (that runs its code): save the estimator with "
    "skops.io.dump(model, 'model.skops')"
)
SKOPS_NOT_STATE = (
    "a skops file (a scikit-learn estimator), not a PyTorch state dict: kind = 'sklearn' "
    "reads it"
)
TORCH_NOT_SKOPS = (
    "a PyTorch file (torch.save), not a skops file: kind = 'checkpoint' reads a state dict "
    "into the module that factory builds"
)
EMPTY_FILE = "an empty file (0 bytes): save the model again"
# torch.save's legacy (non-zip) format opens with a pickled magic number: protocol 2, LONG1
_TORCH_LEGACY = b"\x80\x02\x8a\x0a"
_SAFETENSORS_HEADER_MAX = 100_000_000  # safetensors' own limit on the JSON header
# torch.save stores its zip's entries uncompressed: entries that expand past the file's size
# (a 2 MB file declaring 2 GB took 13 s and 2.5 GB of memory to refuse) are a zip bomb.
EXPANDS = (
    "a zip whose entries expand to {size:,} bytes from {disk:,} on disk, more than a saved "
    "model's; it is refused unread (a zip bomb?)"
)
_EXPANSION_SLACK = 1 << 20
# skops.io.dump may deflate (compression=ZIP_DEFLATED): weights shrink a few times, a zip
# bomb a thousand.
SKOPS_EXPANSION = 100
NO_DATA = "tensor {key!r} is {what}"
META = ("a meta tensor (no data: the model was built on the meta device, or under "
        "init_empty_weights): save model.state_dict() once its weights are loaded")  # fmt: skip
SPARSE = "sparse ({layout}): save the dense weights ({{k: v.to_dense() for k, v in ...}})"
NOT_A_STATE_DICT = "not a state dict (a mapping of parameter names to tensors){holds}"
HOLDS = (
    "; it holds the keys {keys}: save model.state_dict() alone, or as the one state dict "
    "beside other entries (an epoch, an optimizer's state)"
)
SEVERAL_STATES = (
    "; it holds {n} state dicts ({keys}), and which one is the model's is not written: save "
    "that one alone (torch.save(checkpoint[{first!r}], 'model.pt'))"
)
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
    refuse_zip_bomb(path, ratio=SKOPS_EXPANSION)
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # noqa: BLE001 - not a skops zip, or a corrupt one
        kind = _kind_of(path)
        what = {"pickle": PICKLE_NOT_SKOPS, "torch": TORCH_NOT_SKOPS, "empty": EMPTY_FILE}.get(
            kind)  # fmt: skip
        raise AuditorInputError(what or NOT_SKOPS.format(detail=error_detail(exc)),
                                source=str(path), field="model.path") from None  # fmt: skip
    for name in untrusted:
        refused = _refusal(name)
        if refused:
            raise AuditorInputError(refused.format(type_name=name), source=str(path),
                                    field="model.path")  # fmt: skip
    try:
        estimator = sio.load(path, trusted=list(untrusted))
    except Exception as exc:  # noqa: BLE001 - a type skops refuses after all
        raise AuditorInputError(NOT_SKOPS.format(detail=error_detail(exc)),
                                source=str(path), field="model.path") from None  # fmt: skip
    fault = tree_fault(estimator)  # walked unchecked by compiled code: a crash, or a hang
    if fault:
        raise AuditorInputError(BAD_TREE.format(why=fault), source=str(path), field="model.path")
    return estimator


def _refusal(name: str) -> str | None:
    """Why the name ``name`` a skops file lists is not trusted (a message template), or
    None: a class defined in scikit-learn, an allowed function, or a data type. skops lists
    functions as well as classes; a function such as ``dump_svmlight_file`` or
    ``fetch_openml`` in a ``FunctionTransformer`` would write files or reach the network."""
    if name in DATA_TYPES or name in _data_classes():
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


@cache
def _data_classes() -> frozenset[str]:
    """numpy's and scipy's data classes a fitted estimator holds, by the names skops lists:
    numpy's scalar types (``make_column_selector(dtype_include=np.number)``; its dtypes
    skops trusts itself), ``object`` (``dtype_exclude=[object]``), and scipy's sparse
    matrices that skops rebuilds with ``load_npz`` (no pickle: an SVC's support vectors on
    one-hot columns). Names, not imports: a name in numpy or scipy is matched here, never
    imported (``numpy.f2py.__main__`` would run f2py)."""
    import numpy as np
    import scipy.sparse as sp

    sparse = ("csr", "csc", "coo", "bsr", "dia")  # the formats load_npz reads
    kinds = [getattr(sp, f"{f}_{k}", None) for f in sparse for k in ("matrix", "array")]
    scalars = [t for t in vars(np).values()
               if isinstance(t, type) and issubclass(t, np.generic) and t is not np.object_]
    return frozenset(f"{t.__module__}.{t.__qualname__}" for t in (*kinds, *scalars, object)
                     if t is not None)  # fmt: skip


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


def load_state_dict(path: Path) -> dict[str, Any]:
    """A state dict from ``path``, with ``weights_only=True``: tensors and plain containers
    only (a bare state dict, or auditor's ``{"state_dict": ..., "meta": ...}``)."""
    import torch

    model_file(path)
    refuse_zip_bomb(path)
    try:
        with warnings.catch_warnings():  # torch warns about a foreign pickle's protocol
            warnings.simplefilter("ignore")
            blob = (
                _load_safetensors(path)
                if _is_safetensors(path)
                else torch.load(path, map_location="cpu", weights_only=True)
            )
    except AuditorInputError:
        raise
    except pickle.UnpicklingError as exc:
        detail = _pickle_detail(exc)
        plain = _kind_of(path) == "pickle" and not detail.startswith("it names")
        raise AuditorInputError(PICKLE_NOT_STATE if plain else REFUSED_PICKLE.format(
            detail=detail), source=str(path), field="model.path") from None  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - corrupt or foreign file
        kind = _kind_of(path)
        what = {"torchscript": TORCHSCRIPT, "skops": SKOPS_NOT_STATE,
                "pickle": PICKLE_NOT_STATE, "empty": EMPTY_FILE}.get(kind)  # fmt: skip
        raise AuditorInputError(what or UNREADABLE.format(detail=error_detail(exc)),
                                source=str(path), field="model.path") from None  # fmt: skip
    state = _state_in(blob)
    if state is None:
        keys = ", ".join(repr(k) for k in list(blob)[:8]) if isinstance(blob, dict) else ""
        holds = HOLDS.format(keys=keys) if keys else ""
        states = [k for k, v in blob.items() if _is_state(v) and v] if keys else []
        if len(states) > 1:  # a model's and its EMA's, say
            holds = SEVERAL_STATES.format(n=len(states), first=states[0],
                                          keys=", ".join(repr(k) for k in states[:8]))  # fmt: skip
        raise AuditorInputError(NOT_A_STATE_DICT.format(holds=holds), source=str(path),
                                field="model.path")  # fmt: skip
    empty = next((k for k, v in state.items() if v.is_meta or v.layout != torch.strided), None)
    if empty is not None:  # load_state_dict's error called it a misfit of equal shapes
        tensor = state[empty]
        what = META if tensor.is_meta else SPARSE.format(layout=tensor.layout)
        raise AuditorInputError(NO_DATA.format(key=empty, what=what), source=str(path),
                                field="model.path")  # fmt: skip
    return state


def error_detail(exc: Exception) -> str:
    """The reader's error, its kind and first line (``SafetensorError: Error while
    deserializing header: invalid header length``), at most 200 characters."""
    lines = str(exc).strip().splitlines()
    first = "".join(c for c in lines[0] if c.isprintable()).strip() if lines else ""
    return (f"{type(exc).__name__}: {first}" if first else type(exc).__name__)[:200]


def refuse_zip_bomb(path: Path, *, field: str | None = "model.path", ratio: int = 2) -> None:
    """Refuse a zip whose entries declare more bytes than ``ratio`` times the file holds
    (plus 1 MiB), naming ``field``."""
    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile, ValueError, NotImplementedError):
        return  # no zip (a pickle, safetensors), or one zipfile cannot list: the loader judges
    disk = path.stat().st_size
    if size > ratio * disk + _EXPANSION_SLACK:
        raise AuditorInputError(EXPANDS.format(size=size, disk=disk), source=str(path),
                                field=field)  # fmt: skip


def _is_safetensors(path: Path) -> bool:
    """A safetensors file, whatever its name: an 8-byte little-endian header length, then
    that many bytes of JSON object, then the tensors' raw bytes (no pickle)."""
    with path.open("rb") as fh:
        head = fh.read(9)
    if len(head) < 9 or head[8:9] != b"{":
        return False
    size = int.from_bytes(head[:8], "little")
    return 2 <= size <= min(_SAFETENSORS_HEADER_MAX, path.stat().st_size - 8)


def _load_safetensors(path: Path) -> dict[str, Any]:
    try:
        from safetensors.torch import load_file  # optional: reads tensors, runs no code
    except ImportError:
        raise AuditorInputError(SAFETENSORS, source=str(path), field="model.path") from None
    return load_file(str(path), device="cpu")


def _is_torchscript(path: Path) -> bool:
    """A torch.jit.save archive: a zip whose entries hold TorchScript code and constants
    (a torch.save zip holds data.pkl and tensors only)."""
    return _kind_of(path) == "torchscript"


def _kind_of(path: Path) -> str | None:
    """What a model file is, read from its first bytes or its zip's entries, never loaded:
    "torchscript" (torch.jit.save), "torch" (torch.save's zip, or its legacy header), "skops"
    (its schema.json beside .npy entries), "pickle" (pickle.dump or joblib.dump, compressed or
    not), "empty" (0 bytes), else None."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (OSError, zipfile.BadZipFile, ValueError, NotImplementedError):
        try:
            with path.open("rb") as fh:
                head = fh.read(4)
        except OSError:
            return None
        if not head:
            return "empty"
        if head == _TORCH_LEGACY:  # torch.save(..., _use_new_zipfile_serialization=False)
            return "torch"
        return "pickle" if _is_pickle(head) or _is_pickle(_unpacked_head(path)) else None
    if any(n.endswith("/constants.pkl") or "/code/" in n for n in names):
        return "torchscript"
    if any(n.endswith("/data.pkl") for n in names):
        return "torch"
    return "skops" if "schema.json" in names else None


def _is_pickle(head: bytes) -> bool:
    return len(head) >= 2 and head[0] == 0x80 and head[1] in (2, 3, 4, 5)  # PROTO n


def _unpacked_head(path: Path) -> bytes:
    """The first bytes of what a compressed file holds (joblib.dump's compress: zlib, gzip,
    bz2, xz or lzma), decompressed from its first MiB, nothing run; b"" for any other."""
    import bz2
    import lzma
    import zlib

    with path.open("rb") as fh:
        raw = fh.read(1 << 20)
    makers: dict[bytes, Any] = {
        b"\x78": zlib.decompressobj, b"\x1f\x8b": lambda: zlib.decompressobj(wbits=31),
        b"BZh": bz2.BZ2Decompressor, b"\xfd7zXZ\x00": lzma.LZMADecompressor,
        b"\x5d\x00\x00": lambda: lzma.LZMADecompressor(format=lzma.FORMAT_ALONE),
    }  # fmt: skip
    for magic, make in makers.items():
        if raw.startswith(magic):
            try:
                return make().decompress(raw, 2)
            except (zlib.error, OSError, EOFError, ValueError, lzma.LZMAError):
                return b""
    return b""


def _is_state(value: Any) -> bool:
    import torch

    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in value.items()
    )  # a parameter is named by text: {0: tensor} is no state dict


def _state_in(blob: Any) -> dict[str, Any] | None:
    """The state dict in a loaded checkpoint: the blob itself, its "state_dict" (auditor's
    own format), or its one entry that is a state dict (a training loop's
    ``{"model_state_dict": ..., "optimizer_state_dict": ..., "epoch": 3}``); else None."""
    if _is_state(blob):
        return blob
    if not isinstance(blob, dict):
        return None
    if _is_state(blob.get("state_dict")):
        return blob["state_dict"]
    states = [v for v in blob.values() if _is_state(v) and v]
    return states[0] if len(states) == 1 else None


def _pickle_detail(exc: Exception) -> str:
    """What torch's weights-only unpickler refused (``Trying to load unsupported GLOBAL
    posix.system ...``), without its advice to load with ``weights_only=False`` (which would
    run the file's code)."""
    text = str(exc)
    named = re.search(r"GLOBAL ([\w.]+)", text)
    if named:  # a class or function the file would import and call
        return f"it names {named.group(1)}"
    lines = ["".join(c for c in line if c.isprintable()).strip() for line in text.splitlines()]
    useful = [line.removeprefix("WeightsUnpickler error:").strip() for line in lines
              if line and not line.startswith(TORCH_BOILERPLATE)
              and "weights_only" not in line]  # fmt: skip
    return next((line for line in useful if line), type(exc).__name__)[:200]
