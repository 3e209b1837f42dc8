"""Shared construction of an image bundle (digits, MNIST) from images and digit labels."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditor.config import DigitsData, MnistData
from auditor.data import DatasetBundle, Split, TaskInfo, split_indices, tertile_labels

DIGIT_NAMES = tuple(str(d) for d in range(10))


def binary_target(digits: np.ndarray, target: str) -> tuple[np.ndarray, TaskInfo]:
    if target == "odd":
        y = (digits % 2 == 1).astype(np.int64)
        task = TaskInfo("odd", ("even", "odd"), "1 when the digit is odd (1, 3, 5, 7, 9)")
    else:
        y = (digits >= 5).astype(np.int64)
        task = TaskInfo("ge5", ("0-4", "5-9"), "1 when the digit is 5 or more")
    return y, task


def image_bundle(
    config: DigitsData | MnistData,
    *,
    name: str,
    pixels: np.ndarray,
    images: np.ndarray,
    digits: np.ndarray,
    seed: int,
    description: str,
    citation: str,
    license: str,
    source_files: dict[str, str],
) -> DatasetBundle:
    """pixels: (n, H, W) raw grey levels, whose mean per image is the ink density of the
    pixel-derived slice; images: the same (n, H, W), normalised for the model (given one
    channel here); digits: int (n,). The target and split fractions are ``config``'s."""
    ink = pixels.reshape(len(pixels), -1).mean(axis=1)
    images = images[:, None, :, :]
    fractions = config.splits.model_dump()
    target = config.target
    idx = split_indices(digits, fractions, seed=seed)
    y, task = binary_target(digits, target)
    train_rows = np.concatenate([idx["pretrain"], idx["finetune_train"]])
    ink_band = tertile_labels(ink, ink[train_rows])
    splits = {}
    for split_name, rows in idx.items():
        sensitive = pd.DataFrame(
            {"digit": digits[rows].astype(str), "ink_density": ink_band[rows]}
        ).astype(str)
        splits[split_name] = Split(
            name=split_name,
            x=np.ascontiguousarray(images[rows], dtype=np.float32),
            y=y[rows],
            y_pretrain=digits[rows].astype(np.int64),
            sensitive=sensitive,
            ids=rows.astype(np.int64),
        )
    return DatasetBundle(
        name=name,
        modality="image",
        splits=splits,
        finetune_task=task,
        pretrain_task=TaskInfo("digit", DIGIT_NAMES, "which of the 10 digits"),
        sensitive_features=("digit", "ink_density"),
        sensitive_kinds={"digit": "slice", "ink_density": "slice"},
        input_shape=tuple(images.shape[1:]),
        description=description,
        citation=citation,
        license=license,
        source_files=source_files,
    )
