"""The metric-path language: parsing, wildcards, quoted keys, selectors, errors."""

from __future__ import annotations

import pytest

from auditor.audit_tree import parse_path, resolve
from tests.gates.builders import make_audit


def test_parse_path_forms():
    steps = parse_path('fairness.features."age band".groups[group=F].metrics[*]')
    assert [s.kind for s in steps] == ["key", "key", "key", "key", "match", "key", "any"]
    assert steps[2].key == "age band" and (steps[4].key, steps[4].value) == ("group", "F")
    for bad in ("", "a..b", "a.", "a[", "a.[1]"):
        with pytest.raises(ValueError):
            parse_path(bad)


def test_wildcard_and_quoted_keys():
    audit = make_audit()
    matches = resolve(audit, "fairness.features.*.disparities.equalized_odds_difference")
    assert [m.path for m in matches] == [
        "fairness.features.sex.disparities.equalized_odds_difference",
        'fairness.features."age band".disparities.equalized_odds_difference',
    ]
    [m] = resolve(audit, 'fairness.features."age band".disparities.equalized_odds_difference')
    assert m.node["value"] == 0.05


def test_unknown_area_and_missing_keys_say_what_exists():
    from auditor.audit_tree.paths import MSG_UNKNOWN_AREA

    with pytest.raises(ValueError) as err:
        resolve(make_audit(), "nonsense.x")
    assert str(err.value).startswith(MSG_UNKNOWN_AREA.split("{")[0])
    with pytest.raises(ValueError) as err:
        resolve(make_audit(), "performance.finetuned.test.acuracy")
    assert "acuracy" in str(err.value) and "accuracy" in str(err.value)
    with pytest.raises(ValueError):
        resolve(make_audit(), "transparency.items[nope]")


def test_section_not_run_is_a_match_that_says_why():
    [m] = resolve(make_audit(), "privacy.attacks.*.auc")
    assert m.not_run == "disabled in config" and m.path == "privacy.attacks.*.auc"


def test_index_and_list_selectors():
    audit = make_audit()
    [m] = resolve(audit, "fairness.features.sex.groups[-1].metrics.tpr")
    assert m.path == "fairness.features.sex.groups[M].metrics.tpr" and m.picked == ("M",)
    [m] = resolve(audit, "transparency.items[id=license].status")
    assert m.node == "met"
    # an enclosing group that lacks data marks the match
    assert m.insufficient is None
    [m] = resolve(audit, "fairness.features.sex.groups[M].metrics.tpr")
    assert m.insufficient and "groups[M]" in m.insufficient


@pytest.mark.parametrize("key", ["sex\\", "C:\\data\\", 'say "hi"', '\\"', "a.b]c", "x\\\\y"])
def test_every_concrete_path_parses_back_to_its_node(key):
    """A key ending in a backslash was written ``"sex\\"``, which does not parse (the quote
    read as escaped): a rule could not name that feature, and the gap check skipped it."""
    audit = {"fairness": {"features": {key: {"disparities": {"gap": {"value": 0.1}}}}}}
    [match] = resolve(audit, "fairness.features.*.disparities.gap")
    [again] = resolve(audit, match.path)
    assert again.node == {"value": 0.1} and again.path == match.path
    assert parse_path('x."a\\b"')[1].key == "a\\b"  # a lone backslash is itself, as before


def test_a_concrete_path_reads_back_the_item_it_names_whatever_its_label():
    """A group named "10" was written groups[10], which reads back as the item at position
    10 (group "107" among 0, 1, 10, 100, ...): a gate's value, a baseline comparison and the
    diff read another group. Every label now reads back as itself."""
    from auditor.audit_tree import estimate_paths

    names = ["0", "1", "10", "100", "-3", "*", "a=b", " pad ", "", "'q", "Female",
             "(25, 35]", "a]b", "[x", 'say "hi"', "back\\slash", '"', "]"] + [
        str(i) for i in range(101, 120)]  # fmt: skip; pd.cut's bins hold ]
    groups = [{"group": g, "acc": {"value": i / 100, "n": 10}} for i, g in enumerate(names)]
    audit = {"fairness": {"features": {"g": {"groups": groups}}}}
    paths = dict(estimate_paths(audit["fairness"], "fairness"))
    assert len(paths) == len(names)
    for path, node in paths.items():
        [match] = resolve(audit, path)
        assert match.node is node, path
    [match] = resolve(audit, "fairness.features.g.groups[10].acc")  # a position, as before
    assert match.node is groups[10]["acc"] and match.path.endswith("groups[Female].acc")
