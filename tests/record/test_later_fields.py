"""Schema 2.0 stays readable for every 2.0 file written: a field added to it later is listed
in ``auditor.audit_tree.later.ADDED_LATER`` (not required by the schema, required by the
typed record), and no field of a 2.0 file is taken away (``additionalProperties: false``
would refuse the files that hold it).

``shape_2_0.txt`` is the schema's shape as reviewed: one line per field path ("*": any key,
"[]": any item), R where it is required, O where not. A new required field fails here until
it is either listed in ADDED_LATER (older files lack it) or, in a kind of section no older
file can hold, added to the shape file; a new optional one until it is added there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.audit_tree.later import ADDED_LATER
from auditor.privacy.section import References
from auditor.record import SCHEMA_VERSION, audit_schema

SHAPE = Path(__file__).with_name("shape_2_0.txt")


def shape(schema: dict[str, Any]) -> dict[str, bool]:
    """Every field path of ``schema`` -> whether some object at that path requires it."""
    defs, out = schema.get("$defs", {}), {}
    stack: list[tuple[Any, str, frozenset]] = [(schema, "", frozenset())]
    while stack:
        node, path, seen = stack.pop()
        if not isinstance(node, dict):
            continue
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if (name, path) not in seen:
                stack.append((defs[name], path, seen | {(name, path)}))
            continue
        stack += [(b, path, seen) for k in ("anyOf", "oneOf", "allOf") for b in node.get(k, ())]
        required = set(node.get("required", ()))
        for key, sub in node.get("properties", {}).items():
            out[f"{path}/{key}"] = out.get(f"{path}/{key}", False) or key in required
            stack.append((sub, f"{path}/{key}", seen))
        for below, suffix in ((node.get("additionalProperties"), "/*"), (node.get("items"), "/[]")):
            stack.append((below, path + suffix, seen))
    return out


def _reviewed() -> dict[str, bool]:
    lines = [ln.split(" ", 1) for ln in SHAPE.read_text().splitlines() if ln.strip()]
    return {path: flag == "R" for flag, path in lines}


def test_no_field_of_a_2_0_file_is_refused_and_every_new_required_one_is_listed():
    assert SCHEMA_VERSION == "2.0"  # a new version starts its own shape file and table
    now, reviewed = shape(audit_schema()), _reviewed()
    gone = sorted(p for p in reviewed if p not in now)
    assert not gone, f"fields older 2.0 files hold, no longer in the schema: {gone}"
    new = sorted(p for p, required in now.items() if required and not reviewed.get(p))
    assert not new, (
        f"required fields older 2.0 files lack: {new}; list each in "
        "auditor.audit_tree.later.ADDED_LATER, or (a kind of section no older file holds) "
        f"in {SHAPE.name}"
    )


def unlisted(now: dict[str, bool], reviewed: dict[str, bool]) -> list[str]:
    """What of the schema's shape ``now`` the shape file (``reviewed``) lacks, each with its
    fix: an optional field is added as O; a required one goes to ADDED_LATER first (adding
    it as R would silence the first test, and older 2.0 files, which lack it, be refused)."""
    said = []
    optional = sorted("O " + p for p in now if p not in reviewed and not now[p])
    if optional:
        said.append(f"optional fields of the schema {SHAPE.name} does not list: {optional}")
    required = sorted(p for p in now if p not in reviewed and now[p])
    if required:
        said.append(
            f"required fields older 2.0 files lack: {required}; list each in "
            "auditor.audit_tree.later.ADDED_LATER (the schema then takes it as optional: "
            f"add it to {SHAPE.name} as O), or, in a kind of section no older file holds, "
            "add it as R"
        )  # fmt: skip
    return said


def test_the_shape_file_lists_every_field_optional_ones_too():
    """The shape file listed a required field's path, and an optional one's only where it was
    there when the file was written: 12 optional fields (``bound_only``, ``gates.judged_by``,
    ...) came in unlisted, so the file was not the schema's shape it says it is."""
    now, reviewed = shape(audit_schema()), _reviewed()
    said = unlisted(now, reviewed)
    assert not said, "; ".join(said)
    changed = sorted(p for p in now if p in reviewed and reviewed[p] != now[p])
    assert not changed, f"fields required in one of the schema and {SHAPE.name} only: {changed}"
    paths = [ln.split(" ", 1)[1] for ln in SHAPE.read_text().splitlines() if ln.strip()]
    assert paths == sorted(paths), f"{SHAPE.name}: one line per path, in sorted order"


def test_an_unlisted_required_field_is_sent_to_added_later_not_to_the_shape_file():
    # it said "fields of the schema shape_2_0.txt does not list: ['R /x']": doing that also
    # silenced the first test's ADDED_LATER guard, and older 2.0 files would be refused
    said = unlisted({"/a": False, "/x": True, "/y": False}, {"/a": False})
    assert said[0] == "optional fields of the schema shape_2_0.txt does not list: ['O /y']"
    assert said[1].startswith("required fields older 2.0 files lack: ['/x']; list each in "
                              "auditor.audit_tree.later.ADDED_LATER")  # fmt: skip
    assert "'R /x'" not in said[1] and len(said) == 2


def test_a_field_added_later_is_optional_in_the_schema_and_required_of_a_new_audit():
    now = shape(audit_schema())
    for version, keys in ADDED_LATER:
        path = "/" + "/".join(keys)
        assert version == SCHEMA_VERSION and now.get(path) is False, path
    assert References.model_fields["strategy"].is_required()  # every new audit writes it


def test_a_training_stage_written_before_its_precision_reads_as_fp32_and_renders(tmp_path):
    """A trained run's training stages gained ``precision`` (0f340fa); a file written before
    it trained in fp32, which its absence says (KNOWN_WHEN_ABSENT, filled as the file is read
    back), so the strict templates render it (without it: UndefinedError, exit 2 'internal
    error' from ``auditor card`` / ``gate``). A predictions audit's training is not touched."""
    from auditor.audit_tree.later import fill_known_when_absent
    from auditor.report.html import render_html
    from auditor.report.markdown import render_markdown
    from auditor.results.info import StageRecord
    from tests.builders import predictions_audit

    assert StageRecord.model_fields["precision"].is_required()  # every new audit writes it
    audit = predictions_audit(tmp_path).data
    untouched = dict(audit["training"])
    fill_known_when_absent(audit)
    assert audit["training"] == untouched
    stage = {"stage": "finetune", "objective": "supervised", "n_train": 623, "n_val": 176,
             "epochs_run": 29, "best_epoch": 24, "best_val_loss": 0.075, "seconds": 0.84,
             "samples_per_second": 21405.0, "optimizer": "Adam", "lr": 0.002,
             "batch_size": 128, "trainable_parameters": 53002, "frozen": "none",
             "history": [], "dp": None}  # fmt: skip
    stages = {"pretrain": {**stage, "stage": "pretrain"}, "finetune": stage}
    audit["run"]["mode"], audit["training"] = "run", stages
    fill_known_when_absent(audit)
    assert [s["precision"] for s in audit["training"].values()] == ["fp32", "fp32"]
    for render in (render_html, render_markdown):
        page = render(audit)
        assert "Adam, lr 0.002" in page and "bf16" not in page
        bf16 = {**audit["training"], "finetune": {**stage, "precision": "bf16"}}
        assert "bf16 autocast" in render({**audit, "training": bf16})
