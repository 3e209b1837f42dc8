"""The table preprocessing record: typed in DataInfo (so the generated schema covers it) and
stated in the card's data section."""

import numpy as np

from auditor.config import TableData
from auditor.data import load_bundle
from auditor.report.templating import environment
from auditor.results import dump
from auditor.results.info import DataInfo
from tests.data.test_table import make_table


def table_audit(tmp_path, **changes):
    frame = make_table()
    frame.loc[[3, 7], "x1"] = np.nan
    frame.loc[[5], "group"] = None
    frame["applicant_id"] = np.arange(len(frame))
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    cfg = TableData(path=path, target="label", sensitive=["group"], missing_group=True,
                    drop=["applicant_id"], **changes)  # fmt: skip
    b = load_bundle(cfg, seed=0)
    data = {
        "name": b.name, "modality": b.modality, "description": b.description,
        "citation": b.citation, "license": b.license, "source_files": b.source_files,
        "finetune_task": {"name": "label", "class_names": list(b.finetune_task.class_names)},
        "pretrain_task": None, "sensitive_features": list(b.sensitive_features),
        "sensitive_kinds": dict(b.sensitive_kinds), "input_shape": list(b.input_shape),
        "feature_names": list(b.feature_names), "preprocessing": dump(b.preprocessing),
        "splits": b.provenance(),
    }  # fmt: skip
    return {"data": data, "run": {"mode": "run"}, "transparency": {"status": "not_run"}}


def test_record_validates_against_the_typed_data_info(tmp_path):
    audit = table_audit(tmp_path)
    info = DataInfo.model_validate(audit["data"])
    assert info.preprocessing.imputed[0].n_missing == 2
    assert info.preprocessing.missing_sensitive == {"group": 1}
    schema = DataInfo.model_json_schema(mode="serialization")
    assert "TablePreprocessing" in schema["$defs"]


def test_card_states_the_inputs(tmp_path):
    audit = table_audit(tmp_path)
    md = environment(markdown=True).get_template("sections/data.md.j2").render(audit=audit)
    assert "Sensitive columns are not model inputs: group" in md
    assert "Not inputs (`data.drop`): applicant\\_id" in md
    assert "Missing values of x1 replaced by the training mean" in md and ": 2 values" in md
    assert "One-hot encoded: cat, 3 levels" in md
    assert 'audited as the group "\\(missing\\)": group 1 rows' in md
    html = environment().get_template("sections/data.html.j2").render(audit=audit)
    assert "Sensitive columns are not model inputs: group" in html
    assert "applicant_id" in html and "Missing values of x1" in html


def test_card_says_when_sensitive_columns_are_inputs(tmp_path):
    audit = table_audit(tmp_path, sensitive_as_features=True)
    md = environment(markdown=True).get_template("sections/data.md.j2").render(audit=audit)
    assert "Sensitive columns are model inputs" in md


def test_image_card_has_no_inputs_list(tmp_path):
    audit = table_audit(tmp_path)
    audit["data"]["preprocessing"] = None
    md = environment(markdown=True).get_template("sections/data.md.j2").render(audit=audit)
    assert "Model inputs" not in md
