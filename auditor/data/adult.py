"""UCI Adult (census income), from the compressed copy shipped in ``auditor/data/adult/``.

Becker, B. & Kohavi, R. (1996). Adult. UCI Machine Learning Repository.
doi 10.24432/C5XW20. License CC BY 4.0 (see ``auditor/data/adult/SOURCE.md``).

Both files (48,842 rows) are pooled and re-split, stratified by the target. Target: income
> 50K. Pretraining is self-supervised (masked reconstruction) on the ``pretrain`` rows, whose
labels are never read; fine-tuning trains the head on ``finetune_train``. Sensitive
features: sex, race, age band (17-24, 25-44, 45-64, 65+).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from auditor.config import AdultData
from auditor.data import DatasetBundle, TaskInfo
from auditor.data._tables import InputSelection, table_bundle
from auditor.errors import AuditorInputError

COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
    "hours-per-week", "native-country", "income",
]  # fmt: skip
NUMERIC = ["age", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
CATEGORICAL = [
    "workclass", "marital-status", "occupation", "relationship", "race", "sex", "native-country",
]  # fmt: skip
SHIPPED = Path(__file__).parent / "adult"
AGE_BANDS = ("17-24", "25-44", "45-64", "65+")  # Adult's youngest are 17; labels sort in age order


def age_band(age: np.ndarray) -> np.ndarray:
    bins = np.digitize(age, [25, 45, 65])
    return np.array(AGE_BANDS, dtype=object)[bins]


def read_adult(folder: Path) -> pd.DataFrame:
    frames = []
    for fname, skip in (("adult.data.gz", 0), ("adult.test.gz", 1)):
        path = folder / fname
        if not path.is_file():
            raise AuditorInputError("missing Adult file", source=str(path), field="data.path")
        frame = pd.read_csv(
            path,
            header=None,
            names=COLUMNS,
            skiprows=skip,
            skipinitialspace=True,
            na_values=["?"],
            compression="gzip",
        )
        frames.append(frame.dropna(subset=["income"]))
    frame = pd.concat(frames, ignore_index=True)
    frame["income"] = frame["income"].str.rstrip(".")
    return frame


def load_adult_bundle(config: AdultData, *, seed: int) -> DatasetBundle:
    folder = Path(config.path) if config.path is not None else SHIPPED
    frame = read_adult(folder)
    y = (frame["income"] == ">50K").astype(np.int64).to_numpy()
    sensitive = pd.DataFrame(
        {
            "sex": frame["sex"].astype(str),
            "race": frame["race"].astype(str),
            "age_band": age_band(frame["age"].to_numpy()),
        }
    )
    categorical = list(CATEGORICAL)
    if not config.sensitive_as_features:
        categorical = [c for c in categorical if c not in ("sex", "race")]
    frame[categorical] = frame[categorical].fillna("?")
    frame["capital-gain"] = np.log1p(frame["capital-gain"])
    frame["capital-loss"] = np.log1p(frame["capital-loss"])
    return table_bundle(
        name="adult",
        frame=frame,
        y=y,
        task=TaskInfo("income_gt_50k", ("<=50K", ">50K"), "1 when yearly income exceeds $50K"),
        sensitive=sensitive,
        inputs=InputSelection(
            numeric=list(NUMERIC),
            categorical=categorical,
            sensitive_as_features=config.sensitive_as_features,
            dropped=["fnlwgt", "education"],
            sensitive_excluded=[] if config.sensitive_as_features else ["sex", "race"],
        ),
        fractions=config.splits.model_dump(),
        seed=seed,
        sensitive_input_columns={"sex": ["sex"], "race": ["race"], "age_band": ["age"]},
        description="UCI Adult census income: 48,842 people from the 1994 US Census "
        "(adult.data + adult.test pooled and re-split).",
        citation="Becker, B. & Kohavi, R. (1996). Adult. UCI Machine Learning Repository. "
        "doi 10.24432/C5XW20",
        license="CC BY 4.0",
        source_files={
            "adult.data": "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d",
            "adult.test": "a2a9044bc167a35b2361efbabec64e89d69ce82d9790d2980119aac5fd7e9c05",
        },
    )
