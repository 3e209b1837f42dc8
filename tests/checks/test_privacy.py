"""The privacy check on the trained digits context: schema, determinism, the null test, the
leakage test, DP-SGD, config errors."""

import dataclasses
import json
import random

import jsonschema
import numpy as np
import pytest
import torch
from pydantic import TypeAdapter

from auditor.checks import privacy as privacy_module
from auditor.config import DPConfig, FinetuneConfig, PrivacyConfig, validate_config
from auditor.errors import AuditorInputError
from auditor.io import to_json_text
from auditor.privacy.section import PrivacySection
from auditor.results import NotRun, dump
from auditor.seeding import Rngs
from auditor.training import finetune


def privacy_check(ctx, sections):
    """The section as audit.json holds it (the check returns the typed section)."""
    return dump(privacy_module.privacy_check(ctx, sections))


def _with(ctx, **changes):
    return dataclasses.replace(ctx, _cache={}, **changes)


def _privacy(ctx, **privacy):
    cfg = ctx.config.model_copy(update={"privacy": PrivacyConfig(**privacy)})
    return privacy_check(_with(ctx, config=cfg), {})


def _validate(section):
    """Against the schema generated from the section's types."""
    schema = TypeAdapter(PrivacySection | NotRun).json_schema(mode="serialization")
    jsonschema.Draft202012Validator(schema).validate(json.loads(to_json_text(section)))


# How the work was spread over the cores free at that moment (a 50 ms sample of the load), like
# the times: the numbers must not depend on it, the record of it may
MACHINE = ("timings_s", "n_jobs", "threads_per_job")


def _strip_times(obj):
    if isinstance(obj, dict):
        kept = {k: v for k, v in obj.items() if "seconds" not in k and k not in MACHINE}
        return {k: _strip_times(v) for k, v in kept.items()}
    if isinstance(obj, list):
        return [_strip_times(v) for v in obj]
    return obj


@pytest.fixture(scope="module")
def default_section(digits_context):
    return privacy_check(digits_context, {})


def test_all_probes_run_validate_and_report_counts(default_section):
    s = default_section
    assert s["status"] == "ok"
    _validate(s)
    assert set(s["attacks"]) == {"loss", "correctness", "lira_online", "lira_offline", "rmia"}
    loss = s["attacks"]["loss"]
    d = loss["tpr_at_fpr"]["0.001"]
    assert d["value"] == d["tp"] / d["n"] and d["ci_low"] <= d["value"] <= d["ci_high"]
    assert d["n"] == s["members"]["n"] and d["n_non_members"] == s["non_members"]["n"]
    assert not d["resolvable"] and s["notes"]  # 266 non-members cannot resolve 0.1% FPR
    # pooled over the references: resolvable by its distinct non-member rows (4fdc515), here
    # the 532 rows of the pool: 1% FPR (5.3 false positives' worth), not 0.1% (0.53)
    pooled = s["attacks"]["lira_online"]["pooled"]["tpr_at_fpr"]
    assert pooled["0.01"]["resolvable"] and not pooled["0.001"]["resolvable"]
    auc = loss["auc"]
    assert auc["n"] == s["members"]["n"] + s["non_members"]["n"]
    assert auc["ci_low"] <= auc["value"] <= auc["ci_high"]
    row = s["groups"]["features"]["digit"][0]
    assert set(row["tpr"]) >= {"value", "ci_low", "ci_high", "n"}
    assert set(s["canaries"]["kinds"]["mislabelled"]["loss_auc"]) >= {"value", "ci_low", "n"}
    assert s["references"]["k"] == 16
    assert s["canaries"]["status"] == "ok" and s["canaries"]["r"] == 40
    assert s["canaries"]["epsilon_lower_bound"] <= s["canaries"]["epsilon_ceiling"]
    assert s["stages"]["pretrained"]["applicable"]
    assert s["groups"]["status"] == "ok" and "digit" in s["groups"]["features"]
    assert 0 <= s["attacks"]["rmia"]["params"]["a"] <= 1
    assert s["canaries"]["claim_status"] == "no_claim" and s["canaries"]["exceeds_claim"] is None


def test_references_train_on_as_many_rows_as_the_target(digits_context, default_section):
    s, b = default_section, digits_context.bundle
    n = len(b["finetune_train"])
    assert s["members"]["n"] == s["non_members"]["n"] == len(b["holdout"]) == n
    assert s["references"]["n_train_each"] == n


def test_table_references_train_on_as_many_rows_as_the_target(table_context):
    """A user table with the default fractions: members = non-members, references on m rows
    (it was 0.20 vs 0.15 of the rows, references on 175 of 200)."""
    s = _privacy(table_context, probes=["loss", "groups"], n_reference=2)
    n = len(table_context.bundle["finetune_train"])
    assert s["members"]["n"] == s["non_members"]["n"] == s["references"]["n_train_each"] == n


def test_group_rows_show_the_realised_fpr_beside_the_nominal(default_section):
    g = default_section["groups"]
    for rows in g["features"].values():
        for r in rows:
            fpr = r["fpr"]
            assert r["fpr_nominal"] == g["fpr_level"] == 0.01
            assert fpr["n"] == r["n_non_members"] and fpr["value"] == r["fp"] / r["n_non_members"]
            assert fpr["ci_low"] <= fpr["value"] <= fpr["ci_high"] and fpr["ci_high"] > 0
    n_non = sum(r["n_non_members"] for r in g["features"]["digit"])
    assert n_non == default_section["non_members"]["n"]


def test_card_shows_realised_fpr_and_an_untestable_claim(default_section):
    """The privacy section of the card (HTML and Markdown) with a claim above the ceiling."""
    from auditor.privacy.canaries import OneRunAudit
    from auditor.privacy.canary_probe import claim_verdict
    from auditor.report.templating import environment

    c = default_section["canaries"]
    audit = OneRunAudit(**{k: c[k] for k in OneRunAudit.__dataclass_fields__ if k != "m"},
                        m=c["m"])  # fmt: skip
    status, exceeds, undefined = claim_verdict(9.0, audit)
    canaries = {**c, "claimed_epsilon": 9.0, "claim_status": status, "exceeds_claim": exceeds,
                "undefined": undefined}  # fmt: skip
    section = {**default_section, "canaries": canaries}
    _validate(section)
    row = default_section["groups"]["features"]["digit"][0]
    for markdown, name in ((False, "html"), (True, "md")):
        template = environment(markdown=markdown).get_template(f"sections/privacy.{name}.j2")
        text = template.render(audit={"privacy": section, "run": {}})
        assert "cannot be tested at this canary count" in text, name
        assert "Realised FPR" in text and "Nominal FPR" in text, name
        assert f"({row['fp']}/{row['n_non_members']})" in text, name
        assert "as many" in text and "each trained on" in text, name


def test_same_seed_gives_the_same_numbers_whatever_ran_before(digits_context, default_section):
    torch.manual_seed(123), np.random.seed(123), random.seed(123)  # draws of "earlier checks"
    torch.rand(7), np.random.rand(7), random.random()
    again = privacy_check(digits_context, {})
    a = json.dumps(_strip_times(json.loads(to_json_text(default_section))), sort_keys=True)
    b = json.dumps(_strip_times(json.loads(to_json_text(again))), sort_keys=True)
    assert a == b


def test_null_model_has_chance_auc(digits_context):
    """A model fine-tuned on rows that are neither members nor non-members (the test split):
    LOSS and LiRA AUC intervals contain 0.5."""
    ctx, b = digits_context, digits_context.bundle
    null, _ = finetune(
        ctx.pretrained, x=b["test"].x, y=b["test"].y, x_val=b["val"].x, y_val=b["val"].y,
        n_classes=2, config=ctx.config.finetune, rngs=Rngs(99), device=ctx.device,
        progress=False,
    )  # fmt: skip
    s = _privacy(_with(ctx, finetuned=null), probes=["loss", "lira"])
    for name in ("loss", "lira_online", "lira_offline"):
        a = s["attacks"][name]
        assert a["auc"]["ci_low"] <= 0.5 <= a["auc"]["ci_high"], (name, a["auc"])


@pytest.mark.slow
def test_mislabelled_canaries_leak(digits_context):
    """Fine-tuning that can memorise (last two backbone layers trained, no early stop):
    the LOSS attack finds inserted mislabelled canaries (AUC >= 0.8) and epsilon > 0."""
    ft = FinetuneConfig(epochs=60, patience=60, unfreeze_last=2)
    cfg = digits_context.config.model_copy(
        update={"finetune": ft, "privacy": PrivacyConfig(probes=["canaries"])}
    )
    s = privacy_check(_with(digits_context, config=cfg), {})
    mis = s["canaries"]["kinds"]["mislabelled"]
    assert mis["loss_auc"]["value"] >= 0.8
    assert mis["exposure_bits_mean_inserted"] > mis["exposure_bits_mean_not_inserted"]
    assert s["canaries"]["epsilon_lower_bound"] > 0


@pytest.mark.slow
def test_dp_sgd_reports_the_accountant_epsilon_beside_the_bound(digits_context):
    ctx, b = digits_context, digits_context.bundle
    dp = DPConfig(target_epsilon=1.0)
    model, record = finetune(
        ctx.pretrained, x=b["finetune_train"].x, y=b["finetune_train"].y, x_val=b["val"].x,
        y_val=b["val"].y, n_classes=2, config=ctx.config.finetune, rngs=Rngs(0), device=ctx.device,
        progress=False, dp=dp,
    )  # fmt: skip
    assert 0 < record.dp["epsilon"] <= 1.0 + 1e-6 and record.dp["noise_multiplier"] > 0
    cfg = ctx.config.model_copy(update={"privacy": PrivacyConfig(probes=["canaries"], dp=dp)})
    s = privacy_check(_with(ctx, config=cfg, finetuned=model, finetune_record=record), {})
    assert s["dp"]["enabled"] and s["dp"]["accountant_epsilon"] == record.dp["epsilon"]
    assert s["canaries"]["claimed_epsilon"] is not None
    c = s["canaries"]
    if c["claimed_epsilon"] >= c["epsilon_ceiling"]:  # no outcome could exceed the claim
        assert c["claim_status"] == "untestable" and c["exceeds_claim"] is None
        assert "cannot be tested" in c["undefined"]["exceeds_claim"]
    else:
        assert c["exceeds_claim"] == (c["epsilon_lower_bound"] > c["claimed_epsilon"])
    assert s["dp"]["lower_bound_exceeds_claim"] == c["exceeds_claim"]
    assert s["dp"]["canary_claim_status"] == c["claim_status"]
    _validate(s)


def test_disabled_or_empty_is_not_run(digits_context):
    assert _privacy(digits_context, enabled=False)["status"] == "not_run"
    assert _privacy(digits_context, probes=[])["status"] == "not_run"


@pytest.mark.parametrize(
    ("privacy", "field"),
    [
        ({"n_reference": 3}, "privacy.n_reference"),
        ({"probes": ["loss", "shadow"]}, "privacy.probes"),
        ({"n_canaries": 10, "canary_guesses": 6}, "privacy"),
        ({"fpr_levels": [0.0]}, "privacy.fpr_levels"),
    ],
)
def test_bad_privacy_config_names_the_field(privacy, field):
    with pytest.raises(AuditorInputError) as err:
        validate_config({"privacy": privacy}, source="audit.toml")
    assert field in str(err.value)


def test_roc_plot_escapes_labels():
    from auditor.report.plots import roc_loglog_svg

    svg = str(roc_loglog_svg([{"label": "<script>x</script>", "fpr": [0.01, 1], "tpr": [0.1, 1]}]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert np.isfinite(len(svg))


def test_too_many_canaries_for_the_source_rows_is_not_run_not_a_crash(digits_context):
    s = _privacy(digits_context, probes=["canaries"], n_canaries=2000)
    assert s["status"] == "ok" and s["canaries"]["status"] == "not_run"
    assert "n_canaries" in s["canaries"]["reason"]
    _validate(s)
