"""Transparency checklist: statuses from evidence and declared answers, placeholders, the
split-disjointness check (including a deliberately leaked test row), schema and gate paths."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from auditor.checks.transparency import (
    SPECS,
    build_checklist,
    is_placeholder,
    split_overlaps,
    transparency_check,
)
from auditor.config import DeclaredAnswers, TransparencyConfig
from auditor.config.transparency import CHECKLIST_IDS
from auditor.errors import AuditorInputError
from auditor.results import NotRun
from tests.checks.sections import validate_section

DECLARED_IDS = [s.id for s in SPECS if s.kind == "declared"]


def _with_transparency(ctx, **changes):
    cfg = ctx.config.transparency.model_copy(update=changes)
    return dataclasses.replace(ctx, config=ctx.config.model_copy(update={"transparency": cfg}))


def leaked_bundle(bundle, *, n: int = 1):
    """The bundle with its first ``n`` test rows replaced by finetune_train rows (same image,
    same source id): the leak a careless split or a copied file produces."""
    test, train = bundle["test"], bundle["finetune_train"]
    x, y, ids = test.x.copy(), test.y.copy(), test.ids.copy()
    x[:n], y[:n], ids[:n] = train.x[:n], train.y[:n], train.ids[:n]
    sens = test.sensitive.copy()
    sens.iloc[:n] = train.sensitive.iloc[:n].to_numpy()
    leaked = dataclasses.replace(test, x=x, y=y, ids=ids, sensitive=sens)
    return dataclasses.replace(bundle, splits={**bundle.splits, "test": leaked})


@pytest.mark.parametrize(
    "text", [None, "", "   ", "TBD", "tbd.", "TODO", "n/a", "N/A", "-", "...", "?", "<your name>",
             "[fill in]", "To be determined", "placeholder", "Lorem ipsum dolor", "x", "none"],
)  # fmt: skip
def test_placeholders_are_missing(text):
    assert is_placeholder(text)


@pytest.mark.parametrize("text", ["MIT", "Apache-2.0", "Classify digits for teaching.", "ML team"])
def test_real_answers_are_not_placeholders(text):
    assert not is_placeholder(text)


def test_checklist_ids_match_config():
    assert tuple(s.id for s in SPECS) == CHECKLIST_IDS
    for spec in SPECS:
        f = spec.frameworks
        assert f.model_card or f.datasheets or f.nist_ai_rmf or f.eu_ai_act, spec.id
        assert all(c.startswith("MEASURE 2.") for c in f.nist_ai_rmf), spec.id
        assert all(c.startswith("Annex IV") for c in f.eu_ai_act), spec.id


def test_automatic_items_are_met_on_digits(digits_context):
    items = {i.id: i for i in build_checklist(digits_context, {"performance": NotRun(reason="x")})}
    for key in ("data_provenance", "split_disjointness", "data_license", "seeds",
                "software_environment", "training_recipe", "parameter_count"):  # fmt: skip
        assert items[key].status == "met", (key, items[key].evidence)
    assert items["split_disjointness"].details["status"] == "met"
    assert items["parameter_count"].details["parameters"] > 0
    # Sections that did not run are missing, never met.
    assert items["performance_evaluated"].status == "missing"
    assert items["fairness_coverage"].status == "missing"
    assert items["privacy_probes"].status == "missing"
    assert items["explanations"].status == "missing"
    # Nothing declared: every declared item is missing.
    assert all(items[k].status == "missing" for k in DECLARED_IDS)


def test_declared_placeholder_and_not_applicable(digits_context):
    ctx = _with_transparency(
        digits_context,
        declared=DeclaredAnswers(intended_use="Teaching odd/even digits.", limitations="TBD",
                                 owners="  ", license="MIT"),
        not_applicable={"contact": "internal teaching model, no external contact"},
    )  # fmt: skip
    items = {i.id: i for i in build_checklist(ctx, {})}
    assert items["intended_use"].status == "declared"
    assert items["intended_use"].evidence == "Teaching odd/even digits."
    assert items["license"].status == "declared"
    assert items["limitations"].status == "missing"
    assert "placeholder" in items["limitations"].evidence
    assert items["owners"].status == "missing"
    assert items["contact"].status == "not_applicable"
    assert items["contact"].reason == "internal teaching model, no external contact"


def test_fairness_coverage_names_uncovered_features(digits_context):
    feats = list(digits_context.bundle.sensitive_features)
    partial = {"status": "ok", "sensitive_features": feats[:1]}
    items = {i.id: i for i in build_checklist(digits_context, {"fairness": partial})}
    assert items["fairness_coverage"].status == "missing"
    assert items["fairness_coverage"].details["uncovered"] == feats[1:]
    full = {"status": "ok", "sensitive_features": feats}
    items = {i.id: i for i in build_checklist(digits_context, {"fairness": full})}
    assert items["fairness_coverage"].status == "met"


def test_a_feature_without_two_groups_of_enough_rows_is_no_coverage_met(digits_context):
    """Audited, but every group but one below min_group_size: no gap between its groups has a
    verdict, so the item warns naming it (it said 'met')."""
    feats = list(digits_context.bundle.sensitive_features)
    nodes = {f: {"n_groups": 4, "n_insufficient": 1} for f in feats}
    nodes[feats[0]] = {"n_groups": 3, "n_insufficient": 2}
    fairness = {"status": "ok", "sensitive_features": feats, "features": nodes}
    item = {i.id: i for i in build_checklist(digits_context, {"fairness": fairness})}[
        "fairness_coverage"]
    assert item.status == "warn" and item.details["no_gap_verdict"] == [feats[0]]
    assert f"no gap verdict on {feats[0]}" in item.evidence and "min_group_size" in item.evidence
    nodes[feats[0]] = {"n_groups": 3, "n_insufficient": 1}
    item = {i.id: i for i in build_checklist(digits_context, {"fairness": fairness})}[
        "fairness_coverage"]
    assert item.status == "met"


def test_leaked_test_row_fails_and_names_the_rows(digits_context):
    bundle = leaked_bundle(digits_context.bundle, n=2)
    result = split_overlaps(bundle)
    assert result.status == "fail"
    pair = next(p for p in result.pairs if (p.train, p.eval) == ("finetune_train", "test"))
    assert pair.n_content_overlap == 2 and pair.n_id_overlap == 2
    train_ids = digits_context.bundle["finetune_train"].ids[:2].tolist()
    assert sorted(pair.shared_ids) == sorted(train_ids)
    assert sorted(r.eval_ids[0] for r in pair.rows) == sorted(train_ids)
    # Every other pair stays clean.
    assert all(p.n_content_overlap == 0 for p in result.pairs if p is not pair)

    ctx = dataclasses.replace(digits_context, bundle=bundle, _cache={})
    section = transparency_check(ctx, {})
    item = next(i for i in section.items if i.id == "split_disjointness")
    assert item.status == "fail"
    assert str(train_ids[0]) in item.evidence
    assert section.summary.fail == 1
    assert section.disjointness == result


def test_same_image_under_a_new_id_also_fails_for_images(digits_context):
    bundle = digits_context.bundle
    test = bundle["test"]
    x = test.x.copy()
    x[0] = bundle["pretrain"].x[5]  # same content, the test row keeps its own id
    splits = {**bundle.splits, "test": dataclasses.replace(test, x=x)}
    leaked = dataclasses.replace(bundle, splits=splits)
    result = split_overlaps(leaked)
    pair = next(p for p in result.pairs if p.train == "pretrain" and p.eval == "test")
    assert (pair.n_content_overlap, pair.n_id_overlap) == (1, 0)
    assert pair.rows[0].train_ids == [int(bundle["pretrain"].ids[5])]
    assert pair.rows[0].eval_ids == [int(test.ids[0])]
    assert result.status == "fail"
    assert split_overlaps(leaked, content_overlap="report").status == "warn"


def test_section_validates_and_gate_path_resolves(digits_context):
    from auditor.audit_tree import resolve

    section = validate_section("transparency", transparency_check(digits_context, {}))
    matches = resolve({"transparency": section}, "transparency.items[intended_use].status")
    assert len(matches) == 1
    ids = [i["id"] for i in section["items"]]
    assert ids == list(CHECKLIST_IDS)
    assert sum(section["summary"][s] for s in ("met", "declared", "missing", "not_applicable",
                                                "warn", "fail")) == len(ids)  # fmt: skip


def test_disabled_is_not_run(digits_context):
    ctx = _with_transparency(digits_context, enabled=False)
    assert transparency_check(ctx, {}).status == "not_run"


def test_config_refuses_unknown_or_empty_not_applicable():
    from auditor.config import validate_config

    with pytest.raises(AuditorInputError, match="transparency.not_applicable"):
        validate_config({"transparency": {"not_applicable": {"nope": "x"}}}, source="c.toml")
    with pytest.raises(AuditorInputError, match="needs a reason"):
        validate_config({"transparency": {"not_applicable": {"contact": " "}}}, source="c.toml")
    assert TransparencyConfig(not_applicable={"contact": "why"}).not_applicable["contact"] == "why"


def test_tabular_duplicates_are_reported_not_failed():
    from auditor.config import default_config
    from auditor.data import load_bundle

    bundle = load_bundle(default_config("adult").data, seed=0)
    result = split_overlaps(bundle)
    assert result.mode == "report"
    assert result.status == "warn"  # distinct census records share feature vectors
    assert all(p.n_id_overlap == 0 for p in result.pairs)
    assert np.sum([p.n_content_overlap for p in result.pairs]) > 0


def test_evidence_text_holds_no_wall_time(digits_context):
    """Same seed, same audit.json (timings aside): the recipe's times stay in its details."""
    items = {i.id: i for i in build_checklist(digits_context, {})}
    recipe = items["training_recipe"]
    assert f"{digits_context.pretrain_record.seconds:.1f} s" not in recipe.evidence
    assert recipe.details["pretrain"]["seconds"] == digits_context.pretrain_record.seconds


def test_a_tables_data_license_is_missing_with_its_fix_until_written(table_context):
    """A user's table carried no license or citation and no key could write them: the item
    was 'missing' and the built-in gate failed every own-table run with no way to mend it."""
    from auditor.checks.transparency import NO_DATA_LICENSE

    items = {i.id: i for i in build_checklist(table_context, {"performance": NotRun(reason="x")})}
    assert items["data_license"].status == "missing"
    assert items["data_license"].evidence == NO_DATA_LICENSE and "data.license" in NO_DATA_LICENSE
    assert "data_license=" in NO_DATA_LICENSE  # a Python user's argument too
    bundle = dataclasses.replace(table_context.bundle, license="CC BY 4.0", citation="Survey")
    written = dataclasses.replace(table_context, bundle=bundle)
    items = {i.id: i for i in build_checklist(written, {"performance": NotRun(reason="x")})}
    assert items["data_license"].status == "met"
    assert "CC BY 4.0" in items["data_license"].evidence


@pytest.mark.parametrize(("license_", "citation"), [("TODO", "TBD"), ("CC BY 4.0", "n/a"),
                                                    ("<license>", "Survey 2020")])
def test_a_placeholder_data_license_or_citation_is_missing_not_met(table_context, license_,
                                                                   citation):
    """data.license = "TODO" with citation = "TBD" counted as met: only strip() was checked."""
    from auditor.checks.transparency import NO_DATA_LICENSE

    bundle = dataclasses.replace(table_context.bundle, license=license_, citation=citation)
    ctx = dataclasses.replace(table_context, bundle=bundle)
    items = {i.id: i for i in build_checklist(ctx, {"performance": NotRun(reason="x")})}
    assert items["data_license"].status == "missing"
    assert items["data_license"].evidence == NO_DATA_LICENSE


@pytest.mark.parametrize("reason", ["TODO", "tbd", "n/a", "<why>", "..."])
def test_config_refuses_a_placeholder_not_applicable_reason(reason):
    """transparency.not_applicable.data_license = "TODO" passed the gate as a reason."""
    from auditor.config import validate_config

    with pytest.raises(AuditorInputError, match="needs a reason"):
        validate_config({"transparency": {"not_applicable": {"data_license": reason}}},
                        source="c.toml")


def test_a_section_that_did_not_run_says_how_to_mark_its_item_not_applicable(digits_context):
    """privacy.enabled = false failed the "privacy probes" item with no way on."""
    from auditor.checks.privacy import DISABLED

    sections = {"privacy": NotRun(reason=DISABLED), "fairness": NotRun(reason="off"),
                "explanations": NotRun(reason="off")}  # fmt: skip
    items = {i.id: i for i in build_checklist(digits_context, sections)}
    for key in ("privacy_probes", "fairness_coverage", "explanations"):
        assert items[key].status == "missing"
        assert items[key].evidence.endswith(f"transparency.not_applicable.{key} with why)")
    assert DISABLED in items["privacy_probes"].evidence


def test_the_recipe_says_which_stages_trained_in_bf16(digits_context):
    """[training] precision = "bf16" changes the weights: the recipe item says so (an fp32
    run's text is as before), and its details hold each stage's precision."""
    items = {i.id: i for i in build_checklist(digits_context, {})}
    assert "bf16" not in items["training_recipe"].evidence
    assert items["training_recipe"].details["finetune"]["precision"] == "fp32"
    ft = dataclasses.replace(digits_context.finetune_record, precision="bf16")
    bf16 = dataclasses.replace(digits_context, finetune_record=ft)
    recipe = {i.id: i for i in build_checklist(bf16, {})}["training_recipe"]
    assert "bf16 autocast in finetune steps" in recipe.evidence
    assert recipe.details["finetune"]["precision"] == "bf16"


def test_an_answer_copied_from_another_item_is_missing_not_declared(digits_context):
    """The same text pasted under every question made each 'declared': a pasted block (a
    sentence or more, or one text under most questions) answers the first question it is
    under at most. Owners and contact may be one team and address."""
    pasted = "Teaching odd/even digits to students in a first course on machine learning."
    same = "The ML platform team, ml@acme.com"
    ctx = _with_transparency(digits_context, declared=DeclaredAnswers(
        model_name="Digits CNN", intended_use=pasted, out_of_scope_uses=f" {pasted.upper()} ",
        users="Digits CNN", limitations="Digits CNN", ethical_considerations="Digits CNN.",
        mitigations="digits cnn", license="Digits CNN", owners=same, contact=same))  # fmt: skip
    items = {i.id: i for i in build_checklist(ctx, {})}
    assert items["intended_use"].status == "declared"
    copies = [("out_of_scope_uses", "intended_use")] + [  # a short text under most questions
        (k, "model_name") for k in ("users", "limitations", "ethical_considerations",
                                    "mitigations", "license")]  # fmt: skip
    for key, first in copies:
        assert items[key].status == "missing", key
        assert items[key].evidence == f"the same text as transparency.declared.{first}, not counted"
        assert items[key].reason == f"set transparency.declared.{key} in the config"
    assert items["owners"].status == items["contact"].status == "declared"


def test_a_short_stock_answer_may_stand_under_several_questions(digits_context):
    """'None identified' under ethics and mitigations, 'Not for clinical use' under out-of-
    scope uses and limitations, one link under owners, contact and license: each but the
    first was 'missing | the same text as ...', and limitations, license, contact gated."""
    link = "See https://acme.com/model-doc"
    ctx = _with_transparency(digits_context, declared=DeclaredAnswers(
        intended_use="Teaching.", out_of_scope_uses="Not for clinical use",
        limitations="Not for clinical use.", ethical_considerations="None identified",
        mitigations="None identified", owners=link, contact=link, license=link))  # fmt: skip
    items = {i.id: i for i in build_checklist(ctx, {})}
    for key in ("out_of_scope_uses", "limitations", "ethical_considerations", "mitigations",
                "owners", "contact", "license"):
        assert items[key].status == "declared", (key, items[key].evidence)


@pytest.mark.parametrize("keys", [("intended_use",),
                                  ("intended_use", "users", "limitations", "license")])
def test_an_answer_that_repeats_the_model_name_is_missing(digits_context, keys):
    """A model name under up to 4 questions was 'declared' there: a model's name answers
    no question, at any length."""
    ctx = _with_transparency(digits_context, declared=DeclaredAnswers(
        model_name="Acme Scorer", contact="ml@acme.com", **{k: "acme scorer." for k in keys}))
    items = {i.id: i for i in build_checklist(ctx, {})}
    for key in keys:
        assert items[key].status == "missing", key
        assert items[key].evidence == (
            "the same text as transparency.declared.model_name, not counted")
    assert items["contact"].status == "declared"


def test_owners_and_contact_may_repeat_the_model_name(digits_context):
    """Many organisations give a model their own name ('OpenChat' by OpenChat): owners and
    contact equal to model_name were 'missing', a gate warning, for a fair answer."""
    ctx = _with_transparency(digits_context, declared=DeclaredAnswers(
        model_name="OpenChat", owners="OpenChat", contact="openchat.", users="OpenChat"))
    items = {i.id: i for i in build_checklist(ctx, {})}
    assert items["owners"].status == items["contact"].status == "declared"
    assert items["users"].status == "missing"


def test_a_pasted_block_in_a_script_without_spaces_counts_by_its_characters(digits_context):
    """Words were counted by spaces, so a pasted Chinese block of any length was one word and
    never a copy. Such text counts about 4 characters a word (PASTED_WORDS x 4 = 40)."""
    block = "本模型仅用于研究目的，不得用于临床诊断或任何医疗决策，也不得用于信贷审批或招聘筛选。"
    short = "本模型仅用于研究目的"  # 10 characters: a short stock answer, may stand twice
    sentence = "Not for clinical use or credit decisions anywhere."  # 8 words, 2 questions
    ctx = _with_transparency(digits_context, declared=DeclaredAnswers(
        out_of_scope_uses=block, limitations=block, intended_use=short, users=short,
        ethical_considerations=sentence, mitigations=sentence))  # fmt: skip
    items = {i.id: i for i in build_checklist(ctx, {})}
    assert items["out_of_scope_uses"].status == "declared"
    assert items["limitations"].status == "missing"
    assert items["limitations"].evidence == (
        "the same text as transparency.declared.out_of_scope_uses, not counted")
    for key in ("intended_use", "users", "ethical_considerations", "mitigations"):
        assert items[key].status == "declared", key


def test_a_link_or_a_mixed_run_counts_only_its_characters_without_spaces():
    """A run holding one CJK character counted all its characters at 4 a word: a link to a
    Chinese page (41 characters) was 10 words, a pasted block, while a Latin link is one."""
    from auditor.checks.transparency import _words

    assert _words("https://zh.wikipedia.org/wiki/人工智能伦理问题与风险") == 1
    assert _words("www.acme.cn/模型说明书/信用评分模型的局限性") == 1
    assert _words("Acme信用评分模型（Acme-Credit-Scorer-v2）") == 4  # 8 characters, 2 words
    block = "本模型仅用于研究目的，不得用于临床诊断或任何医疗决策，也不得用于信贷审批或招聘筛选。"
    assert _words(block) == 42 // 4  # its punctuation is written without spaces too


def test_one_link_to_a_page_in_chinese_may_answer_two_questions(digits_context):
    link = "https://zh.wikipedia.org/wiki/人工智能伦理问题与风险"
    ctx = _with_transparency(digits_context, declared=DeclaredAnswers(users=link, limitations=link))
    items = {i.id: i for i in build_checklist(ctx, {})}
    assert items["users"].status == items["limitations"].status == "declared"


def test_a_data_citation_that_copies_its_license_is_missing(table_context):
    """data.license = data.citation = "CC BY 4.0" met the item: no citation was written. It
    said 'no data license or citation', with both written: it names the copy."""
    from auditor.checks.transparency import CITATION_REPEATS_LICENSE

    bundle = dataclasses.replace(table_context.bundle, license="CC BY 4.0", citation="CC BY 4.0")
    ctx = dataclasses.replace(table_context, bundle=bundle)
    items = {i.id: i for i in build_checklist(ctx, {"performance": NotRun(reason="x")})}
    assert items["data_license"].status == "missing"
    assert items["data_license"].evidence == CITATION_REPEATS_LICENSE
    assert CITATION_REPEATS_LICENSE.startswith("the data citation repeats data.license")


def _supplied_without_members(ctx):
    """``ctx`` as a supplied model's audit given its evaluation rows only: every other split
    empty (no members, no non-members), the model trained elsewhere."""
    from types import SimpleNamespace

    def empty(split):
        return dataclasses.replace(split, x=split.x[:0], y=split.y[:0], ids=split.ids[:0],
                                   sensitive=split.sensitive.iloc[:0],
                                   y_pretrain=None if split.y_pretrain is None
                                   else split.y_pretrain[:0])  # fmt: skip

    bundle = ctx.bundle
    splits = {n: s if n == "test" else empty(s) for n, s in bundle.splits.items()}
    model = SimpleNamespace(architecture="LogisticRegression", kind="python", source_files={},
                            n_parameters=None, differentiable=True)  # fmt: skip
    return dataclasses.replace(ctx, bundle=dataclasses.replace(bundle, splits=splits),
                               supplied=model, _cache={})  # fmt: skip


def test_no_training_rows_given_is_no_disjointness_met(digits_context):
    """A supplied model audited on its evaluation rows alone: 'no shared input between 0
    training/evaluation split pairs' was met, a check against nothing."""
    from auditor.checks.transparency import NO_TRAINING_ROWS

    ctx = _supplied_without_members(digits_context)
    item = {i.id: i for i in build_checklist(ctx, {})}["split_disjointness"]
    assert item.status == "missing"
    assert item.evidence == NO_TRAINING_ROWS
    assert item.evidence.endswith("transparency.not_applicable.split_disjointness with why)")


def test_provenance_hashes_no_empty_split_and_says_the_training_data_is_unknown(digits_context):
    """Empty splits were 'met' with the hash of nothing ('pretrain: 0 rows, sha256 2ef44b…, ;'),
    and a supplied model's training data, never given, passed as identified."""
    from auditor.checks.transparency import TRAINING_DATA_UNKNOWN

    ctx = _supplied_without_members(digits_context)
    item = {i.id: i for i in build_checklist(ctx, {})}["data_provenance"]
    assert item.status == "warn"
    n = len(ctx.bundle["test"])
    assert item.evidence.startswith(f"evaluation rows: {n} rows, sha256 ")
    assert item.evidence.endswith(f"; no rows: members, non-members; "
                                  f"{TRAINING_DATA_UNKNOWN}")  # fmt: skip
    assert "2ef44bcbe8a1" not in item.evidence  # sha256 of no bytes
    trained = {i.id: i for i in build_checklist(digits_context, {})}["data_provenance"]
    assert trained.status == "met" and "no rows" not in trained.evidence


def test_performance_on_a_test_split_that_shares_training_rows_is_no_evaluation_met(
    digits_context,
):
    """Test rows also in training failed split disjointness, yet 'evaluated on a test split it
    never trained on' said met beside it: it warns, naming why."""
    from auditor.checks.section_items import SEEN_IN_TRAINING

    perf = {"status": "ok", "finetuned": {"test": {"n": 445, "n_correct": 400, "accuracy": 0.9}}}
    clean = {i.id: i for i in build_checklist(digits_context, {"performance": perf})}
    assert clean["performance_evaluated"].status == "met"
    ctx = dataclasses.replace(digits_context, bundle=leaked_bundle(digits_context.bundle),
                              _cache={})  # fmt: skip
    items = {i.id: i for i in build_checklist(ctx, {"performance": perf})}
    assert items["split_disjointness"].status == "fail"
    item = items["performance_evaluated"]
    assert item.status == "warn"
    assert item.evidence == f"{clean['performance_evaluated'].evidence}; {SEEN_IN_TRAINING}"


def test_a_failed_item_marked_not_applicable_stays_failed(digits_context):
    """transparency.not_applicable.split_disjointness = "not relevant" turned a leaked test row
    (fail) into 'not applicable' and the gate passed: marking applies to an item the run could
    not establish (missing), never over its evidence."""
    from auditor.checks.transparency import MARK_NOT_TAKEN

    why = "the evaluation rows are synthetic and cannot repeat a training row"
    ctx = _with_transparency(digits_context, not_applicable={"split_disjointness": why,
                                                             "privacy_probes": why})  # fmt: skip
    ctx = dataclasses.replace(ctx, bundle=leaked_bundle(ctx.bundle), _cache={})
    section = transparency_check(ctx, {"privacy": NotRun(reason="disabled")})
    items = {i.id: i for i in section.items}
    item = items["split_disjointness"]
    assert item.status == "fail"
    assert item.evidence.endswith("; " + MARK_NOT_TAKEN.format(status="fail"))
    assert section.disjointness is not None and section.disjointness.status == "fail"
    # an item the run could not establish takes the mark, with its reason
    assert (items["privacy_probes"].status, items["privacy_probes"].reason) == (
        "not_applicable", why)


def test_the_word_patterns_compile_only_when_an_answer_is_counted():
    # ``auditor audit`` without a config counts no declared answer: it must not compile them
    import subprocess
    import sys

    code = (
        "import auditor.checks.transparency as t\n"
        "assert t._patterns.cache_info().currsize == 0\n"
        "assert t._words('Acme信用评分模型（Acme-Credit-Scorer-v2）') == 4\n"
        "assert t._patterns.cache_info().currsize == 1\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
