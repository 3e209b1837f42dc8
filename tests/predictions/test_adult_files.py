"""A scikit-learn model trained on auditor's own Adult copy, its test predictions written as users
write them (pandas with its index, R's write.csv, a Spark folder, adult.test's labels), audited
with ``auditor audit``: every rate equals scikit-learn's and fairlearn's MetricFrame on the same
rows, or the file is refused in one line that says what to do."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from auditor.cli import app

ADULT = Path(__file__).resolve().parents[2] / "auditor" / "data" / "adult"
NAMES = ["age", "workclass", "fnlwgt", "education", "education_num", "marital_status",
         "occupation", "relationship", "race", "sex", "capital_gain", "capital_loss",
         "hours_per_week", "native_country", "income"]  # fmt: skip
NUMBERS = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
GROUPS = ["--sensitive", "sex", "--sensitive", "race"]


@pytest.fixture(scope="module")
def adult() -> pd.DataFrame:
    """adult.test's first 4,000 rows: its labels (with their trailing '.'), a logistic
    regression's predictions and P(>50K) from adult.data."""
    from sklearn.linear_model import LogisticRegression

    read = dict(header=None, names=NAMES, skipinitialspace=True, na_values="?")
    train = pd.read_csv(ADULT / "adult.data.gz", **read)
    test = pd.read_csv(ADULT / "adult.test.gz", skiprows=1, nrows=4000, **read)
    model = LogisticRegression(max_iter=1000).fit(train[NUMBERS], train["income"])
    proba = model.predict_proba(test[NUMBERS])[:, 1]
    return pd.DataFrame({"income": test["income"], "pred": model.predict(test[NUMBERS]),
                         "proba": proba, "sex": test["sex"], "race": test["race"]})  # fmt: skip


def _audit(path: Path, *args: str) -> tuple[int, str, dict | None]:
    out = path.parent / f"run-{path.stem}"
    done = CliRunner().invoke(app, ["audit", "-p", str(path), *GROUPS, *args, "--out",
                                    str(out), "--exit-zero"])  # fmt: skip
    data = json.loads((out / "audit.json").read_text()) if done.exit_code == 0 else None
    return done.exit_code, done.output, data


def _check(data: dict, y: np.ndarray, pred: np.ndarray, score: np.ndarray,
           groups: pd.DataFrame) -> None:  # fmt: skip
    """Every number against scikit-learn's and fairlearn's on the same rows (y, pred 0/1)."""
    from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate
    from sklearn import metrics as skm

    test = data["performance"]["finetuned"]["test"]
    assert test["accuracy"] == pytest.approx(skm.accuracy_score(y, pred), rel=1e-12)
    assert test["f1_macro"] == pytest.approx(skm.f1_score(y, pred, average="macro"), rel=1e-12)
    assert test["roc_auc"] == pytest.approx(skm.roc_auc_score(y, score), rel=1e-12)
    assert test["log_loss"] == pytest.approx(skm.log_loss(y, score), rel=1e-9)
    assert test["brier"] == pytest.approx(skm.brier_score_loss(y, score), rel=1e-9)
    rates = {"selection_rate": selection_rate, "recall": skm.recall_score,
             "fpr": false_positive_rate, "accuracy": skm.accuracy_score}  # fmt: skip
    for feature in ("sex", "race"):
        frame = MetricFrame(metrics=rates, y_true=y, y_pred=pred,
                            sensitive_features=groups[feature]).by_group  # fmt: skip
        got = data["fairness"]["features"][feature]["groups"]
        assert sorted(g["group"] for g in got) == sorted(frame.index)
        for group in got:
            for name in rates:
                node = group["metrics"][name]
                assert node["value"] == pytest.approx(frame.loc[group["group"], name], rel=1e-12)
                assert node["ci_low"] <= node["value"] <= node["ci_high"]
        for group in data["fairness"]["scores"]["features"][feature]:
            rows = (groups[feature] == group["group"]).to_numpy()
            if len(set(y[rows])) == 2:
                want = skm.roc_auc_score(y[rows], score[rows])
                assert group["roc_auc"]["value"] == pytest.approx(want, rel=1e-12)


def test_pandas_r_and_spark_files_give_sklearns_and_fairlearns_numbers(adult, tmp_path):
    y = (adult["income"] == ">50K.").to_numpy().astype(int)
    pred = (adult["pred"] == ">50K").to_numpy().astype(int)
    score = adult["proba"].to_numpy()
    labels = adult.assign(income=adult["income"].str.rstrip(".")).rename(
        columns={"proba": "proba_>50K"})  # fmt: skip
    pandas_file = tmp_path / "pandas.csv"
    labels.to_csv(pandas_file)  # its index as an unnamed first column
    code, output, data = _audit(pandas_file, "--y-true", "income", "--y-pred", "pred",
                                "--y-score", "proba_>50K", "--positive-label", ">50K")  # fmt: skip
    assert code == 0, output
    _check(data, y, pred, score, adult)
    r_file = tmp_path / "r.csv"  # write.csv: row names, quoted text, TRUE/FALSE
    rows = [f'"{i}",{"TRUE" if a else "FALSE"},{"TRUE" if b else "FALSE"},{s:.17g},"{x}","{r}"'
            for i, (a, b, s, x, r) in enumerate(zip(y, pred, score, adult["sex"], adult["race"],
                                                    strict=True), 1)]  # fmt: skip
    r_file.write_text('"","truth","predicted","prob_1","sex","race"\n' + "\n".join(rows) + "\n")
    code, output, data = _audit(r_file, "--y-true", "truth", "--y-pred", "predicted",
                                "--y-score", "prob_1")  # fmt: skip
    assert code == 0, output
    _check(data, y, pred, score, adult)
    spark = tmp_path / "spark"
    spark.mkdir()
    frame = pd.DataFrame({"y_true": y, "y_pred": pred, "prob_1": score, "sex": adult["sex"],
                          "race": adult["race"]})  # fmt: skip
    order = []
    for i in range(3):  # rows dealt round-robin, as a shuffle writes them
        frame.iloc[i::3].to_parquet(spark / f"part-{i:05d}-1f.snappy.parquet", index=False)
        order.extend(range(i, len(frame), 3))
    (spark / "_SUCCESS").touch()
    code, output, data = _audit(spark, "--y-score", "prob_1")
    assert code == 0, output
    _check(data, y[order], pred[order], score[order], adult.iloc[order].reset_index(drop=True))


def test_files_that_cannot_be_audited_as_written_say_what_to_do(adult, tmp_path):
    raw = tmp_path / "adult_test.csv"  # adult.test's '>50K.' beside the model's '>50K'
    adult.to_csv(raw, index=False)
    code, output, _ = _audit(raw, "--y-true", "income", "--y-pred", "pred", "--y-score",
                             "proba", "--positive-label", ">50K")  # fmt: skip
    assert code == 2 and len(output.strip().splitlines()) == 1
    assert "income writes it '<=50K.'" in output and "write income and pred alike" in output
    both = tmp_path / "both.csv"  # both columns with adult.test's period, the label without
    adult.assign(pred=adult["pred"] + ".").to_csv(both, index=False)
    code, output, _ = _audit(both, "--y-true", "income", "--y-pred", "pred", "--y-score",
                             "proba", "--positive-label", ">50K")  # fmt: skip
    assert code == 2 and "did you mean '>50K.'?" in output
    negative = tmp_path / "negative.csv"  # P(<=50K) given as the score by mistake
    y = (adult["income"] == ">50K.").astype(int)
    pd.DataFrame({"y_true": y, "y_pred": (adult["pred"] == ">50K").astype(int),
                  "prob_0": 1 - adult["proba"], "sex": adult["sex"],
                  "race": adult["race"]}).to_csv(negative, index=False)  # fmt: skip
    code, output, _ = _audit(negative, "--y-score", "prob_0")
    assert code == 2 and "ranks the classes backwards" in output and "1 - y_score" in output
    yes_no = tmp_path / "yes_no.csv"
    pd.DataFrame({"y_true": np.where(y, "yes", "no"), "y_pred": np.where(y, "yes", "no"),
                  "sex": adult["sex"], "race": adult["race"]}).to_csv(yes_no, index=False)
    code, output, _ = _audit(yes_no)
    assert code == 2 and "selection rate and TPR" in output and "y_score" not in output
