"""Write tiny MNIST-format IDX files that torchvision.datasets.MNIST reads."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np


def write_idx_images(path: Path, images: np.ndarray) -> None:
    n, rows, cols = images.shape
    path.write_bytes(
        struct.pack(">IIII", 0x0803, n, rows, cols) + images.astype(np.uint8).tobytes()
    )


def write_idx_labels(path: Path, labels: np.ndarray) -> None:
    path.write_bytes(struct.pack(">II", 0x0801, len(labels)) + labels.astype(np.uint8).tobytes())


def synthetic_digits(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """28x28 uint8 images: each digit class is a fixed random stroke pattern plus noise."""
    rng = np.random.default_rng(seed)
    templates = np.random.default_rng(1234).random((10, 28, 28)) > 0.8
    labels = np.arange(n) % 10
    rng.shuffle(labels)
    noise = rng.random((n, 28, 28)) > 0.95
    images = (templates[labels] ^ noise).astype(np.uint8) * 255
    return images, labels


def write_mnist_root(root: Path, n_train: int = 300, n_test: int = 100) -> Path:
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for prefix, n, seed in (("train", n_train, 0), ("t10k", n_test, 1)):
        images, labels = synthetic_digits(n, seed)
        write_idx_images(raw / f"{prefix}-images-idx3-ubyte", images)
        write_idx_labels(raw / f"{prefix}-labels-idx1-ubyte", labels)
    return root
