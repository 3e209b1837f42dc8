"""Headline tiles show only what the record resolves (helper B, session 13, round 3): the
membership TPR at 1% FPR is never a number the non-members cannot resolve (fewer than 100:
the TPR at zero false positives), the worst gap never one of a feature without enough rows;
where none is resolved the tile reads "insufficient data" with the counts. Each tile and
section caption names the level its interval was computed at, from the record."""

from __future__ import annotations

import pytest

from auditor.config import GatesConfig
from auditor.gates import evaluate_gates
from auditor.report import decision
from auditor.report.summary import render_summary
from auditor.report.templating import environment
from tests.gates.builders import make_audit, node, privacy_section, rate_at_fpr

UNRESOLVED = rate_at_fpr(0.05, 0.0, 0.2, members=60, resolvable=False)


def _audit(privacy=None, fairness_node=None, ci_level=None, confidence=None):
    audit = make_audit(privacy=privacy or privacy_section(tpr=0.02))
    part = audit["fairness"]
    part["features"]["sex"]["kind"] = "feature"
    between = fairness_node or node(0.30, 0.18, 0.42, pair=["F", "M"])
    disparities = part["features"]["sex"]["disparities"]
    disparities["equalized_odds_difference"] = {"between_groups": between}
    if ci_level is not None:
        part["ci_level"] = ci_level
    if confidence is not None:
        audit["privacy"]["confidence"] = confidence
    audit["gates"] = evaluate_gates(audit, GatesConfig())
    return audit


def _heads(audit):
    return {h.key: h for h in decision.headlines(audit)}


def test_an_unresolvable_tpr_is_no_headline_number_but_insufficient_data_with_its_counts():
    privacy = privacy_section(tpr=0.02)
    privacy["attacks"]["loss"]["tpr_at_fpr"]["0.01"] = UNRESOLVED
    tpr = _heads(_audit(privacy))["privacy"]
    assert (tpr.value, tpr.ci_low, tpr.ci_high) == (None, None, None)  # was 0.05 [0, 0.2]
    assert tpr.note.startswith("60 non-members cannot resolve FPR 1% (fewer than 100)")
    assert "tp 3/60 at fp 2/60" in tpr.note and tpr.status == "warn"


def test_a_resolved_tpr_wins_over_a_higher_unresolved_one():
    privacy = privacy_section(tpr=0.02)
    attacks = privacy["attacks"]
    attacks["lira_online"] = {"tpr_at_fpr": {"0.01": UNRESOLVED}}  # 0.05 > 0.02, unresolved
    tpr = _heads(_audit(privacy))["privacy"]
    assert tpr.value == 0.02 and tpr.note.startswith("LOSS, strongest attack; tp 5/266")


def test_a_gap_without_enough_rows_reads_insufficient_data_with_its_reason():
    why = "1 of the 3 groups has enough data (at least 30 rows); a gap needs 2"
    short = node(None, None, None, status="insufficient_data", reason=why)
    gap = _heads(_audit(fairness_node=short))["fairness"]
    assert gap.value is None and gap.note == f"sex: {why}"  # the tile was left out


@pytest.mark.parametrize(("markdown", "name"), [(False, "html"), (True, "md")])
def test_the_card_tile_says_insufficient_data_not_a_number(markdown, name):
    privacy = privacy_section(tpr=0.02)
    privacy["attacks"]["loss"]["tpr_at_fpr"]["0.01"] = UNRESOLVED
    audit = _audit(privacy)
    audit["transparency"] = {"status": "not_run", "reason": "not in this test"}
    template = f"sections/_decision.{name}.j2"
    text = environment(markdown=markdown).get_template(template).render(audit=audit)
    tile = text[text.index("Membership TPR at 1% FPR"):][:400]
    assert "insufficient data" in tile and "0.050" not in tile
    assert "insufficient data" in render_summary(audit).split("Membership TPR at 1% FPR")[1][:40]


def test_tiles_name_the_level_their_interval_was_computed_at():
    heads = _heads(_audit(ci_level=0.999, confidence=0.9))
    assert heads["fairness"].note.startswith(
        "sex (F vs M, n=250 vs 12); largest over features; 99.9% interval")
    assert "; 90% interval" in heads["privacy"].note
    assert "95% Wilson" in heads["accuracy"].note  # computed at 95% whatever the config says


@pytest.mark.parametrize(("level", "text"), [(0.95, "95%"), (0.9, "90%"), (0.999, "99.9%"),
                                             (0.975, "97.5%"), (None, ""), (True, "")])  # fmt: skip
def test_level_text(level, text):
    assert decision.level_text(level) == text


def test_a_run_at_non_default_levels_names_them_in_every_caption(tmp_path):
    """A real audit of a supplied model at privacy.confidence 0.9 and fairness.ci_level 0.999:
    no caption of the cards or summary.md says 95% for these intervals (they said "95% CI"
    and "[95% CI]" whatever the level, and "100% intervals" for 0.999)."""
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    from sklearn.linear_model import LogisticRegression

    import auditor
    from auditor.config import AuditConfig

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x1": rng.normal(size=900), "x2": rng.normal(size=900),
                       "group": rng.choice(["a", "b"], size=900)})  # fmt: skip
    df["label"] = (df.x1 + 0.5 * df.x2 + rng.normal(scale=0.5, size=900) > 0).astype(int)
    train, holdout, test = df[:150], df[300:450], df[600:]
    model = LogisticRegression().fit(train[["x1", "x2"]], train["label"])
    cfg = AuditConfig.model_validate({"privacy": {"confidence": 0.9, "n_reference": 2},
                                      "fairness": {"ci_level": 0.999}})  # fmt: skip
    result = auditor.audit_model(model, data=test, members=train, non_members=holdout,
                                 target="label", sensitive=["group"], config=cfg,
                                 data_license="CC0-1.0", data_citation="synthetic")  # fmt: skip
    out = tmp_path / "run"
    result.write(out)
    html, md = (out / "model_card.html").read_text(), (out / "model_card.md").read_text()
    summary = (out / "summary.md").read_text()
    for text in (html, md, summary):
        assert "100% interval" not in text
        assert "95%" not in text.replace("95% Wilson interval", "")  # accuracy's: at 95%
    assert html.count("[90% CI]") >= 3 and "90% Clopper-Pearson" in html
    assert "AUC [90% CI]" in md and "[90% CI] (tp/n)" in md and "99.9% intervals" in md
    assert "intervals at 90%)" in summary and "intervals at 99.9%)" in summary
    assert "numbers with 90% intervals" in summary and "numbers with 99.9% intervals" in summary
    tile = html[html.index("Membership TPR at 1% FPR"):][:600]
    assert "; 90% interval" in tile  # 150 non-members resolve 1%: a number, at 90%


def test_the_stage_table_gives_no_number_for_an_unresolvable_tpr_and_counts_beside_it():
    """It showed the TPR at zero false positives as a number, without interval or counts."""
    from tests.report.test_privacy_card import _audit as privacy_audit

    audit = privacy_audit(40)
    part = audit["privacy"]
    part["fpr_levels"], part["confidence"] = [0.001, 0.01], 0.9
    rates = {"0.001": rate_at_fpr(0.0451, 0.0, 0.1, resolvable=False),
             "0.01": rate_at_fpr(0.02, 0.0, 0.05)}  # fmt: skip
    for attack in part["attacks"].values():
        attack["tpr_at_fpr"] = rates
    stage = {"applicable": True, "members": "finetune_train", "non_members": ["holdout"],
             "score": "LOSS", "n_members": 266, "n_non_members": 266,
             "auc": node(0.55, 0.5, 0.6, 532), "tpr_at_fpr": rates}  # fmt: skip
    part["stages"] = {"status": "ok", "pretrained": stage, "finetuned": stage}
    html = environment().get_template("sections/privacy.html.j2").render(audit=audit)
    table = html[html.index("Pretraining versus fine-tuning</h3>"):]
    table = table[: table.index("</table>")]
    assert "0.045" not in table and table.count("insufficient data</span> (12/266; fp 2/266)") == 2
    assert "AUC [90% CI]" in table
