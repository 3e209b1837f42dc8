"""torchvision MNIST from a local root (downloaded only where ``download = true`` and a
network exists). The seed's exact data and normalisation (mean 0.1307, std 0.3081)."""

from __future__ import annotations

import numpy as np

from auditor.data import DatasetBundle
from auditor.data._images import image_bundle
from auditor.errors import AuditorInputError
from auditor.seeding import Rngs


def load_mnist_bundle(config, *, seed: int) -> DatasetBundle:
    from torchvision import datasets

    root = str(config.root)
    parts = []
    for train in (True, False):
        try:
            ds = datasets.MNIST(root=root, train=train, download=config.download)
        except RuntimeError as exc:
            raise AuditorInputError(
                "no MNIST files (expected MNIST/raw/*-idx?-ubyte); put them there or set "
                f"data.download = true where a network exists ({exc})",
                source=root,
                field="data.root",
            ) from None
        parts.append((ds.data.numpy(), ds.targets.numpy()))
    pixels = np.concatenate([p[0] for p in parts]).astype(np.float32) / 255.0
    digits = np.concatenate([p[1] for p in parts]).astype(np.int64)
    if config.max_rows is not None and config.max_rows < len(digits):
        rng = Rngs(seed).numpy("data/mnist/subsample")
        keep = np.sort(rng.choice(len(digits), size=config.max_rows, replace=False))
        pixels, digits = pixels[keep], digits[keep]
    ink = pixels.reshape(len(pixels), -1).mean(axis=1)
    images = (pixels - 0.1307) / 0.3081
    return image_bundle(
        name="mnist",
        images=images[:, None, :, :],
        digits=digits,
        ink=ink,
        target=config.target,
        fractions=config.splits.model_dump(),
        seed=seed,
        description=f"MNIST handwritten digits (28x28), read through torchvision from {root}.",
        citation="LeCun, Y., Cortes, C. & Burges, C. J. C. The MNIST database of handwritten "
        "digits.",
        license="CC BY-SA 3.0",
        source_files={"root": root},
    )
