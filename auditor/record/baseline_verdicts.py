"""The baseline comparisons of an audit read back, judged again as far as the file can say:
the baseline's own numbers are in each comparison (``baseline``: its value, interval, count
and status), so the gate code (:func:`auditor.gates.baseline.baseline_result`) gives each
comparison's finding again from them and the current result judged again. A comparison
"worse" edited to "unchanged" (status pass, the verdict and counts edited to match) was read
as written. What the file cannot say is taken as written: which failed outcome a baseline's
warn or fail status had, and a comparison "new" where the baseline may have been found not
comparable (the baseline file says whether): the whole audit, where every comparison is
new, or a feature's gaps, where every comparison of its gaps is new. Any other "new" is
judged from its own baseline numbers too (one edited from "worse" was read as written).
Every current result with a verdict has its comparison, in order, where the gates name a
baseline, and none where they do not.
:func:`auditor.record.verdicts.check_gate_verdicts` calls it.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from auditor.audit_tree import num
from auditor.config.gates import GateRule
from auditor.errors import AuditorInputError
from auditor.gates.baseline import baseline_result
from auditor.gates.section import GateResult

NO_BASELINE = "a baseline comparison, where the gates name no baseline (gates/baseline is null)"
NOT_COMPARED = "holds {found} baseline comparisons where its gates with a verdict give {right}"
NOT_THE_FINDING = (
    "{found!r} is not what the gate code gives from this comparison's own numbers ({right})"
)
UNJUDGED = "the result it compares ({id!r}) cannot be judged again: {why}"
NOT_THE_TALLY = "{found!r} is not what its baseline comparisons hold ({right!r})"
# The fields a comparison copies from the current result it compares.
COPIED = ("metric", "group", "value", "ci_low", "ci_high", "interval", "n", "min_n")
# A baseline's status -> the outcomes it can have had.
OUTCOMES = {"pass": ("pass",), "warn": ("fail", "insufficient_data", "not_run"),
            "fail": ("fail", "insufficient_data", "not_run")}  # fmt: skip


def differs(a: Any, b: Any, tolerance: float) -> bool:
    """True where ``a`` and ``b`` differ: numbers by more than ``tolerance`` (relative),
    mappings and lists in any item, anything else by value (a boolean is not a number)."""
    x, y = num(a), num(b)
    if x is not None and y is not None:
        return abs(x - y) > tolerance * max(1.0, abs(x))
    if isinstance(a, dict) and isinstance(b, dict):
        keys = set(a) | set(b)
        return any(differs(a.get(k), b.get(k), tolerance) for k in keys)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) != len(b) or any(differs(x, y, tolerance) for x, y in zip(a, b, strict=True))
    return a != b or isinstance(a, bool) != isinstance(b, bool)


def _given(r: dict[str, Any], cur: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(status, finding, delta) of each comparison the gate code gives ``cur`` (a current
    result judged again) against the baseline numbers ``r`` holds, one per outcome the
    baseline's status allows."""
    bound = cur["bound"]
    rule = GateRule(metric=cur["metric"], min=bound.get("min"), max=bound.get("max"),
                    allowed=bound.get("allowed"), mode=cur["mode"])  # fmt: skip
    current = GateResult.model_validate(cur)
    info, tol = r.get("baseline") or {}, (r.get("bound") or {}).get("tolerance")
    if not isinstance(tol, int | float) or isinstance(tol, bool) or not info:
        return []
    olds = [current.model_copy(update={
        "value": info.get("value"), "ci_low": info.get("ci_low"), "ci_high": info.get("ci_high"),
        "n": info.get("n"), "status": info.get("status"), "outcome": outcome,
    }) for outcome in OUTCOMES.get(str(info.get("status")), ())] or [None]  # fmt: skip
    given = [baseline_result(current, old, rule, float(tol)) for old in olds]
    return [(g.status, g.baseline.finding, g.baseline.delta) for g in given if g.baseline]


def _first_error(exc: Exception) -> str:
    """One line of what is wrong in a result pydantic refused (its first error), else the
    exception's own words."""
    if isinstance(exc, ValidationError) and exc.errors():
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        return f"{where}: {first.get('msg', '')}" if where else str(first.get("msg", ""))
    return f"{type(exc).__name__}: {exc}"


def _apart(theirs: list[tuple[int, dict[str, Any]]]) -> set[str]:
    """The metric path prefixes whose comparisons may have been found not comparable with
    the baseline (:func:`auditor.gates.comparable.not_comparable`: the whole audit, ``""``,
    or a feature's gaps): those where every comparison is "new"."""
    parts: dict[str, bool] = {"": True}
    for _, r in theirs:
        new = (r.get("baseline") or {}).get("finding") == "new"
        parts[""] = parts[""] and new
        prefix = _gaps_prefix(r.get("metric"))
        if prefix is not None:
            parts[prefix] = parts.get(prefix, True) and new
    return {prefix for prefix, new in parts.items() if new}


def _gaps_prefix(metric: Any) -> str | None:
    """``fairness.features.<name>.disparities.`` of a metric path of a feature's gaps."""
    if not isinstance(metric, str) or not metric.startswith("fairness.features."):
        return None
    end = metric.find(".disparities.")
    return None if end < 0 else metric[: end + len(".disparities.")]


def _check_one(
    i: int, r: dict[str, Any], cur: dict[str, Any], source: str, tol: float, *, apart: bool
) -> None:  # fmt: skip
    where = f"gates/results/{i}"
    expected = {**{k: cur.get(k) for k in COPIED}, "id": f"{cur['id']} vs baseline",
                "mode": "no-worse", "outcome": r.get("status")}  # fmt: skip
    for key, right in expected.items():
        if differs(r.get(key), right, tol):
            why = NOT_THE_FINDING.format(found=r.get(key), right=repr(right))
            raise AuditorInputError(why, source=source, field=f"{where}/{key}")
    info = r.get("baseline") or {}
    found = (r.get("status"), info.get("finding"), info.get("delta"))
    if found[1] == "new" and found[0] == "pass" and apart:
        return  # a part not comparable with the baseline: only its file can say
    try:
        given = _given(r, cur)
    except (ValidationError, TypeError, ValueError, KeyError) as exc:  # a field edited by hand
        why = UNJUDGED.format(id=cur.get("id"), why=_first_error(exc))
        raise AuditorInputError(why, source=source, field=where) from None
    if not any(g[:2] == found[:2] and not differs(g[2], found[2], tol) for g in given):
        right = " or ".join(f"{s}, {f}" for s, f, _ in given) or "none"
        why = NOT_THE_FINDING.format(found=f"{found[0]}, {found[1]}", right=right)
        raise AuditorInputError(why, source=source, field=f"{where}/baseline/finding")


def check_baseline_verdicts(
    gates: dict[str, Any], results: list[Any], right: list[dict[str, Any]], *, source: str,
    tolerance: float,
) -> None:  # fmt: skip
    """Raise :class:`AuditorInputError` naming the first baseline comparison of ``results``
    (the gates section ``gates`` holds) that the current results judged again, ``right``,
    and its own baseline numbers do not give (see the module)."""
    theirs = [(i, r) for i, r in enumerate(results) if r.get("source") == "baseline"]
    if gates.get("baseline") is None:
        if theirs:
            raise AuditorInputError(NO_BASELINE, source=source,
                                    field=f"gates/results/{theirs[0][0]}/source")  # fmt: skip
        return
    compared = [c for c in right if c.get("outcome") in ("pass", "fail")]
    if len(theirs) != len(compared):
        why = NOT_COMPARED.format(found=len(theirs), right=len(compared))
        raise AuditorInputError(why, source=source, field="gates/results")
    parts = _apart(theirs)
    for (i, r), cur in zip(theirs, compared, strict=True):
        _check_one(i, r, cur, source, tolerance,
                   apart="" in parts or _gaps_prefix(cur.get("metric")) in parts)  # fmt: skip
    check_findings(gates, results, source=source)


def check_findings(gates: dict[str, Any], results: list[Any], *, source: str) -> None:
    """Raise :class:`AuditorInputError` where ``gates.baseline.findings`` is not the tally of
    the baseline comparisons among ``results``."""
    if not isinstance(gates.get("baseline"), dict):
        return
    findings = {"new": 0, "unchanged": 0, "worse": 0, "fixed": 0}
    for r in results:
        if r.get("source") == "baseline":
            finding = (r.get("baseline") or {}).get("finding")
            findings[finding] = findings.get(finding, 0) + 1
    if gates["baseline"].get("findings") != findings:
        why = NOT_THE_TALLY.format(found=gates["baseline"].get("findings"), right=findings)
        raise AuditorInputError(why, source=source, field="gates/baseline/findings")
