"""Safe checkpoints: a state dict plus plain metadata, loaded with ``weights_only=True``."""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

import torch
from torch import nn

from auditor.errors import AuditorInputError, regular_file
from auditor.io import atomic_write_bytes
from auditor.models.files import error_detail, refuse_zip_bomb

NO_CHECKPOINT = "no such checkpoint"
NOT_A_FILE = "not a checkpoint file (a folder or a device)"
REFUSED = "refused: the checkpoint holds pickled objects other than tensors"
UNREADABLE = "not a readable checkpoint"
NOT_OURS = "not an auditor checkpoint (no 'state_dict')"


def save_checkpoint(path: Path, model: nn.Module, *, meta: dict[str, Any]) -> None:
    """State dict plus plain metadata (str/int/float/list/dict), written atomically."""
    buf = io.BytesIO()
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    torch.save({"state_dict": state, "meta": meta}, buf)
    atomic_write_bytes(Path(path), buf.getvalue())


def load_checkpoint(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Load with ``weights_only=True``: tensors and plain containers only. A checkpoint that
    holds any other pickled object is refused (:class:`AuditorInputError`), never executed."""
    path = Path(path)  # a link loop says so (is_file said "no such"); /dev/zero is not read
    regular_file(path, is_a_folder=NOT_A_FILE, not_a_file=NOT_A_FILE, missing=NO_CHECKPOINT)
    refuse_zip_bomb(path, field=None)
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise AuditorInputError(f"{REFUSED} ({error_detail(exc)})", source=str(path)) from None
    except Exception as exc:  # noqa: BLE001 - corrupt or foreign file
        raise AuditorInputError(f"{UNREADABLE} ({error_detail(exc)})", source=str(path)) from None
    if not isinstance(blob, dict) or "state_dict" not in blob:
        raise AuditorInputError(NOT_OURS, source=str(path))
    return blob["state_dict"], blob.get("meta", {})
