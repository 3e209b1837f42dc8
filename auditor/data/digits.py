"""The 8x8 digit images that ship with scikit-learn (1,797 images, UCI optdigits test set).

Pretraining task: the 10 digits. Fine-tuning task: a binary target on a disjoint split
(default ``odd``: 1 for odd digits), so each binary class hides five digits (hidden
stratification). Slices: the original digit and the ink-density tertile of the image.
"""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits

from auditor.config import DigitsData
from auditor.data import DatasetBundle
from auditor.data._images import image_bundle


def load_digits_bundle(config: DigitsData, *, seed: int) -> DatasetBundle:
    raw = load_digits()
    pixels = raw.images.astype(np.float32)  # (n, 8, 8), values 0..16
    digits = raw.target.astype(np.int64)
    images = (pixels / 16.0 - 0.5) / 0.5  # to [-1, 1]
    return image_bundle(
        config,
        name="digits",
        pixels=pixels,
        images=images,
        digits=digits,
        seed=seed,
        description=(
            "scikit-learn's 8x8 handwritten digits (1,797 images, 16 grey levels), a copy of "
            "the test set of UCI 'Optical Recognition of Handwritten Digits'."
        ),
        citation="Alpaydin, E. & Kaynak, C. (1998). Optical Recognition of Handwritten Digits. "
        "UCI Machine Learning Repository. doi 10.24432/C50P49",
        license="CC BY 4.0",
        source_files={"sklearn.datasets.load_digits": "bundled with scikit-learn"},
    )
