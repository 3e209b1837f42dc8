"""Checklist items read from the sections before: what each says ran is what ran."""

from __future__ import annotations

from auditor.checks.transparency import build_checklist

NO_CANARIES = "canaries need auditor to train the model"
NO_STAGES = "a supplied model has no stages"


def _privacy(probes, attacks, **nodes):
    section = {"status": "ok", "probes": probes, "attacks": dict.fromkeys(attacks, {})}
    for name in ("groups", "canaries", "stages"):
        section[name] = nodes.get(name, {"status": "not_run", "reason": "not among the probes"})
    return section


def _item(ctx, privacy):
    return {i.id: i for i in build_checklist(ctx, {"privacy": privacy})}["privacy_probes"]


def test_privacy_probes_name_only_the_probes_that_ran(digits_context):
    """A supplied model's default probes listed canaries and stages as run: they were not
    (their nodes said why), and the item named them among 'probes run'."""
    privacy = _privacy(
        ["loss", "lira", "canaries", "stages"], ["loss", "correctness"],
        canaries={"status": "not_run", "reason": NO_CANARIES},
        stages={"status": "not_run", "reason": NO_STAGES},
    )  # fmt: skip
    item = _item(digits_context, privacy)
    assert item.status == "met"
    assert item.evidence == (
        f"probes run: loss; not run: lira (no attack of it reported), canaries ({NO_CANARIES}), "
        f"stages ({NO_STAGES})"
    )
    assert item.details == {"probes": ["loss"], "not_run": ["lira", "canaries", "stages"]}


def test_privacy_probes_none_of_which_ran_are_missing(digits_context):
    """Only canaries configured, and they did not run: 'met' with 'probes run: canaries'; an
    empty list said 'met' with 'probes run: none listed'."""
    privacy = _privacy(["canaries"], [], canaries={"status": "not_run", "reason": NO_CANARIES})
    item = _item(digits_context, privacy)
    assert item.status == "missing"
    assert item.evidence.startswith(f"no privacy probe ran: canaries ({NO_CANARIES})")
    assert item.evidence.endswith("(or mark transparency.not_applicable.privacy_probes with why)")
    assert _item(digits_context, _privacy([], [])).status == "missing"


def test_privacy_probes_that_all_ran_are_met(digits_context):
    privacy = _privacy(["loss", "rmia", "groups"], ["loss", "correctness", "rmia"],
                       groups={"features": {}})  # fmt: skip
    item = _item(digits_context, privacy)
    assert (item.status, item.evidence) == ("met", "probes run: loss, rmia, groups")
    # the canary audit alone is a probe that ran (no attack is reported beside it)
    item = _item(digits_context, _privacy(["canaries"], [], canaries={"r": 20, "m": 50}))
    assert (item.status, item.evidence) == ("met", "probes run: canaries")


def _attributions(steps: int, delta: float | None, gap: float | None) -> dict:
    return {"status": "ok", "kind": "attributions", "method": "Integrated Gradients (Captum)",
            "n_steps": steps, "n_rows_attributed": 445, "convergence_delta_mean_abs": delta,
            "score_gap_mean_abs": gap,
            "reliance": {"status": "not_run", "reason": "slices"}}  # fmt: skip


def _explained(ctx, explanations):
    return {i.id: i for i in build_checklist(ctx, {"explanations": explanations})}[
        "explanations"]


def test_attributions_that_do_not_add_up_to_the_score_difference_warn(digits_context):
    """transparency.ig_steps = 4 on digits: the attributions missed f(x) - f(baseline) by 34 %
    on average and the item said met (Sundararajan et al. check completeness within 5 %)."""
    from auditor.checks.section_items import COMPLETENESS

    item = _explained(digits_context, _attributions(4, 1.0012, 2.9827))
    assert item.status == "warn"
    assert ("the attributions add up to f(x) - f(baseline) within 33.6% only (mean |error| "
            "1.0012 against a mean |f(x) - f(baseline)| of 2.9827, over 5%): raise "
            "transparency.ig_steps") in item.evidence
    assert COMPLETENESS == 0.05
    item = _explained(digits_context, _attributions(32, 0.0977, 2.9827))
    assert item.status == "met"
    assert item.evidence.startswith("Integrated Gradients (Captum) (32 steps) on 445 test rows, "
                                    "adding up to f(x) - f(baseline) within 3.3%; ")
    # an older record holds no score difference: the item reads as it did
    item = _explained(digits_context, _attributions(32, 0.0977, None))
    assert item.status == "met"
    assert item.evidence.startswith("Integrated Gradients (Captum) (32 steps) on 445 test rows; ")


def test_privacy_probes_given_as_nodes_follow_the_same_rule(digits_context):
    """A section whose probes were a dict of nodes (a shape no run writes) said met with
    'probes run: none listed' where none had run: it reads the configured probes' results."""
    privacy = {**_privacy([], []), "probes": {"canaries": {"status": "not_run", "reason": "x"}}}
    item = _item(digits_context, privacy)
    assert item.status == "missing"
    assert item.evidence.startswith("no privacy probe ran: ")
    assert "none listed" not in item.evidence


def test_a_failure_elsewhere_does_not_say_the_test_rows_were_trained_on():
    """Disjointness failed on a validation pair (a shared source row) while the test pair
    shared content only in report mode: the performance item said the test rows were seen."""
    from auditor.checks.section_items import on_seen_rows

    def pair(eval_, content, ids):
        return {"train": "finetune_train", "eval": eval_, "n_content_overlap": content,
                "n_id_overlap": ids}  # fmt: skip

    performance = ("met", "test split: n=100, accuracy 0.900 (90/100)", None)
    report = {"mode": "report", "pairs": [pair("val", 2, 1), pair("test", 3, 0)]}
    assert on_seen_rows(performance, ("fail", "...", report)) == performance
    for mode, test_pair in (("report", pair("test", 3, 1)), ("fail", pair("test", 3, 0))):
        failed = {"mode": mode, "pairs": [pair("val", 0, 0), test_pair]}
        assert on_seen_rows(performance, ("fail", "...", failed))[0] == "warn", mode


def test_a_count_of_columns_left_out_is_written_as_its_other_count(digits_context):
    """'left out 5000 column(s) ... and 4,990 more': one count raw, the other with commas."""
    part = {"status": "ok", "kind": "permutation", "method": "Permutation importance",
            "n_repeats": 5, "n_rows": 100, "reliance": {"status": "not_run", "reason": "x"},
            "not_finite_columns": [f"c{i}" for i in range(5000)]}  # fmt: skip
    item = _explained(digits_context, part)
    assert "left out 5,000 column(s), outputs not finite: c0, " in item.evidence
    assert item.evidence.endswith("and 4,990 more")
    rows = _explained(digits_context, {**_attributions(32, 0.01, 1.0), "n_rows_not_finite": 1200})
    assert rows.evidence.endswith("left out 1,200 test row(s), gradients not finite on their path")


def test_every_count_on_an_evidence_line_has_commas(digits_context):
    """'on 5000 test rows ...; left out 1,200 test row(s)' and 'n=12000, accuracy 0.917
    (11000/12000)': one line mixed raw counts with comma'd ones."""
    from auditor.checks.section_items import performance_item

    part = {**_attributions(32, 0.01, 1.0), "n_rows_attributed": 5000, "n_rows_not_finite": 1200}
    item = _explained(digits_context, part)
    assert item.evidence.startswith("Integrated Gradients (Captum) (32 steps) on 5,000 test rows")
    permutation = {"status": "ok", "kind": "permutation", "method": "Permutation importance",
                   "n_repeats": 5, "n_rows": 12000,
                   "reliance": {"status": "not_run", "reason": "x"}}  # fmt: skip
    assert "(5 repeats) on 12,000 test rows" in _explained(digits_context, permutation).evidence
    perf = {"status": "ok", "finetuned": {"test": {"n": 12000, "n_correct": 11000,
                                                   "accuracy": 11000 / 12000}}}  # fmt: skip
    assert performance_item(perf)[1] == "test split: n=12,000, accuracy 0.917 (11,000/12,000)"
