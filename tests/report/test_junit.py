"""junit.xml: one testcase per gate named by its human name (unique), the stable id and the
evidence as 'key: value' lines of <system-out> after its one-line message, warnings as
passing testcases with severity warning (never <skipped>), time in seconds."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from auditor.config import GateRule, GatesConfig
from auditor.gates import evaluate_gates
from auditor.report.junit import render_junit
from tests.gates.builders import make_audit

RULES = [
    GateRule(metric="performance.finetuned.test.accuracy", min=0.95, name="accuracy"),  # fail
    GateRule(metric="fairness.features.*.disparities.equalized_odds_difference", max=0.5),  # 2 pass
    GateRule(metric="fairness.features.sex.groups[*].metrics.tpr", min=0.1),  # pass + insufficient
    GateRule(metric="privacy.attacks.loss.auc", max=0.6),  # section not run -> warn
]


def evidence(case: ET.Element) -> dict[str, str]:
    """The ``key: value`` lines of a testcase's <system-out> (its first line is the message)."""
    lines = case.find("system-out").text.split("\n")[1:]
    return dict(line.split(": ", 1) if ": " in line else (line[:-1], "") for line in lines)


def audit_with_gates(**changes):
    audit = make_audit()
    audit["tool"] = {"version": "0.1.0"}
    audit["run"]["seed"] = 0
    cfg = GatesConfig(use_defaults=False, rules=RULES).model_copy(update=changes)
    audit["gates"] = evaluate_gates(audit, cfg, config_file="ci/audit.toml")
    return audit


def test_one_testcase_per_gate_with_evidence():
    audit = audit_with_gates()
    root = ET.fromstring(render_junit(audit).split("\n", 1)[1])
    suite = root.find("testsuite")
    cases = list(suite.iter("testcase"))
    results = audit["gates"]["results"]
    assert len(cases) == len(results) == 6
    assert (root.get("tests"), root.get("failures"), suite.get("skipped")) == ("6", "1", "0")
    assert [c.get("classname") for c in cases] == [r["area"] for r in results]
    assert [c.get("name") for c in cases] == [r["name"] for r in results]
    assert len({c.get("name") for c in cases}) == len(cases)  # unique test names
    failed = cases[0]
    assert failed.get("name") == "accuracy"
    message = failed.find("failure").get("message")
    assert message.startswith("failed: accuracy: 0.9 [0.8")
    assert "breaks >= 0.95" in message and "(95% Wilson interval, n=400)" in message
    assert failed.find("failure").get("type") == "fail"
    assert failed.find("properties") is None  # outside junit-10.xsd: the evidence lines instead
    props = evidence(failed)
    assert failed.find("system-out").text.startswith(message + "\n")
    assert props["id"] == "performance.finetuned.test.accuracy (>= 0.95, point)"
    assert props["severity"] == "error"
    assert props["value"] == "0.9" and props["n"] == "400" and props["interval"] == "wilson"
    assert props["group"] == "all" and props["gate"] == "accuracy"
    assert float(props["ci_low"]) < 0.9 < float(props["ci_high"])
    for case, r in zip(cases, results, strict=True):
        # time is how long the gate took, never a metric value
        assert float(case.get("time")) == round(r["seconds"], 6)
    assert not [c for c in cases if c.find("skipped") is not None]
    warned = [c for c in cases if evidence(c)["severity"] == "warning"]
    assert len(warned) == 2 and all(c.find("failure") is None for c in warned)
    for case in warned:
        assert case.find("system-out").text.startswith(f"warning: {case.get('name')}: ")
    passed = [c for c in cases if evidence(c)["severity"] == "none"]
    assert len(passed) == 3  # a passing gate's numbers are shown too, its count beside them
    for case in passed:
        text = case.find("system-out").text
        assert text.startswith(f"passed: {case.get('name')}: ") and "n=" in text.split("\n")[0]


def test_names_are_human_and_say_the_bound():
    names = [r["name"] for r in audit_with_gates()["gates"]["results"]]
    assert "sex: equalized-odds gap <= 0.50" in names
    assert "privacy attacks loss auc <= 0.60" not in names  # attack and metric in words
    assert "LOSS: membership AUC <= 0.60" in names


def test_warnings_fail_when_fail_on_warning():
    root = ET.fromstring(render_junit(audit_with_gates(fail_on="warning")).split("\n", 1)[1])
    assert (root.get("failures"), root.find("testsuite").get("skipped")) == ("3", "0")
    types = [f.get("type") for f in root.iter("failure")]
    assert types == ["fail", "warning", "warning"]
    words = {f.get("message").split(":")[0] for f in root.iter("failure")}
    assert words == {"failed", "warning"}


def test_user_strings_are_escaped():
    audit = make_audit()
    audit["tool"] = {"version": "0.1.0"}
    audit["run"]["seed"] = 0
    payload = '<script>alert("x")</script> & ]]>'
    audit["fairness"]["features"]["sex"]["groups"][0]["group"] = payload
    cfg = GatesConfig(
        use_defaults=False,
        rules=[GateRule(metric="fairness.features.sex.groups[*].metrics.tpr", min=0.1)],
    )
    audit["gates"] = evaluate_gates(audit, cfg)
    text = render_junit(audit)
    assert "<script>" not in text
    root = ET.fromstring(text.split("\n", 1)[1])
    assert any(payload in c.get("name") for c in root.iter("testcase"))


def test_control_characters_in_a_group_label_keep_the_file_well_formed():
    """An ESC or BEL in a group label (or run name) is not allowed in XML 1.0: it is written
    as visible text, and the file parses."""
    audit = make_audit()
    audit["run"]["name"] = "run\x07"
    audit["fairness"]["features"]["sex"]["groups"][0]["group"] = "F\x1b[31m\x00"
    cfg = GatesConfig(
        use_defaults=False,
        rules=[GateRule(metric="fairness.features.sex.groups[*].metrics.tpr", min=0.9)],
    )
    audit["gates"] = evaluate_gates(audit, cfg)
    text = render_junit(audit)
    assert "\x1b" not in text and "\x07" not in text and "\x00" not in text
    root = ET.fromstring(text.split("\n", 1)[1])
    names = [c.get("name") for c in root.iter("testcase")]
    assert any("F\\x1b[31m\\x00" in n for n in names)


def test_default_gates_of_a_digits_audit_have_unique_names():
    """Three checklist testcases once appeared twice (two rules on one item): each item is
    gated once, by name, and a missing required item is a warning, never a pass."""
    audit = make_audit()
    audit["run"]["scenario"] = "digits"
    audit["transparency"]["items"].append({"id": "limitations", "status": "declared"})
    audit["gates"] = evaluate_gates(audit, GatesConfig())
    root = ET.fromstring(render_junit(audit).split("\n", 1)[1])
    names = [c.get("name") for c in root.iter("testcase")]
    assert len(names) == len(set(names)) == len(audit["gates"]["results"])
    assert names.count("checklist: license declared") == 1
    statuses = {r["name"]: r["status"] for r in audit["gates"]["results"]}
    assert statuses["checklist: intended use declared"] == "warn"  # missing: never a pass
    assert statuses["checklist: split disjointness met"] == "pass"


def test_no_gates_no_junit():
    audit = make_audit()
    audit["gates"] = {"status": "not_run", "reason": "disabled"}
    assert render_junit(audit) is None


def test_testcase_names_and_evidence_lines_are_one_line():
    """A gate name from the config with line breaks (a TOML string may hold them): a CI page
    lists testcase names one per row, so the name is one line, and so is each ``key: value``
    line of the evidence (audit.json keeps the exact text)."""
    audit = make_audit()
    audit["run"]["name"] = "run\r\nname"
    name = "two\nlines\r\nand\ta tab"
    rule = GateRule(name=name, metric="performance.finetuned.test.accuracy", min=0.5)
    audit["gates"] = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=[rule]))
    root = ET.fromstring(render_junit(audit).split("\n", 1)[1])
    [case] = root.iter("testcase")
    # R9 #5: the name's breaks and tab were spaces: columns 'se x' and 'se\tx' gave two
    # testcases of one name, which a CI page lists as one
    assert case.get("name") == "two\\x0alines\\x0d\\x0aand\\x09a tab"
    [suite] = root.iter("testsuite")
    assert suite.get("name") == "auditor gates: run\\x0d\\x0aname"
    # each line break and tab shown, as the terminal shows it: 'a\nb' and 'a b' are two names
    assert evidence(case)["gate"] == "two\\x0alines\\x0d\\x0aand\\x09a tab"
    assert audit["gates"]["results"][0]["name"] == name


def test_names_alike_once_shown_are_numbered_apart():
    """R14 #1: a tab shows as '\\x09', so gates named 'a\\tb' and 'a\\x09b' (a backslash
    written) were one testcase name, which GitLab merges. The written backslash now shows
    doubled ('a\\\\x09b'): every name is shown apart, none numbered."""
    rules = [GateRule(name=name, metric="performance.finetuned.test.accuracy", min=bound)
             for name, bound in (("a\tb", 0.5), ("a\\x09b", 0.6), ("a\\x09b #2", 0.7),
                                 ("c", 0.8))]  # fmt: skip
    audit = make_audit()
    audit["gates"] = evaluate_gates(audit, GatesConfig(use_defaults=False, rules=rules))
    root = ET.fromstring(render_junit(audit).split("\n", 1)[1])
    names = [c.get("name") for c in root.iter("testcase")]
    assert names == ["a\\x09b", "a\\\\x09b", "a\\\\x09b #2", "c"]
    # the evidence keeps the gate's own name, shown
    assert [evidence(c)["gate"] for c in root.iter("testcase")][:2] == names[:2]


def test_columns_alike_once_shown_are_testcases_apart_through_the_cli(tmp_path):
    """R14 #1 as a user meets it: columns 'se x', 'se<TAB>x' and 'se\\x09x' (a backslash
    written) gave three testcases named twice each; every (classname, name) is one now."""
    from typer.testing import CliRunner

    from auditor.cli import app

    columns = ["se x", "se\tx", "se\\x09x"]
    lines = ["y_true,y_pred," + ",".join(f'"{c}"' for c in columns)]
    lines += [f"{i % 2},{i % 3 % 2},{'AB'[i % 2]},{'AB'[i // 2 % 2]},{'AB'[i // 3 % 2]}"
              for i in range(400)]  # fmt: skip
    (tmp_path / "tabs.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["audit", "-p", str(tmp_path / "tabs.csv"), "--exit-zero", "-o", str(tmp_path / "r")]
    for column in columns:
        args += ["--sensitive", column]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    root = ET.parse(tmp_path / "r" / "junit.xml").getroot()
    pairs = [(c.get("classname"), c.get("name")) for c in root.iter("testcase")]
    assert len(pairs) == len(set(pairs)) > 6
    fairness = [name for area, name in pairs if area == "fairness"]
    assert "se\\x09x: equalized-odds gap <= 0.20" in fairness
    assert "se\\\\x09x: equalized-odds gap <= 0.20" in fairness  # a backslash written
