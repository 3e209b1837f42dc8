"""Each gate verdict of an audit read back, judged again by the gate code, where that code
judged it (``gates.judged_by`` is this code's stamp; a file other code judged is checked
against its own numbers: :mod:`auditor.record.own_numbers`): a verdict edited by hand
(``"insufficient data"`` made ``"pass"``, with the counts and the verdict edited to match)
was shown as passing by the card and the diff, and ``auditor gate`` re-judged it.

The gates section is judged again from what the file holds, with the file's own gates
config (:func:`auditor.gates.judge_audit`: the built-in gates of its scenario, its rules, its
minimum count, each rule's severity and what insufficient data becomes), and each result
auditor wrote must be the one it gives: its id and metric path, rule, bound, mode, minimum
count, value, interval, count, outcome, relation, group and status, in the same order (a gate
removed, added or edited is refused). Not judged again: a result's name and message (text
whose wording changes with auditor's versions) and the gates' timing; a baseline comparison
is judged from its own baseline numbers (:mod:`auditor.record.baseline_verdicts`). The
forms an older 2.0 auditor wrote (an accuracy's interval by plain Wilson, before 30fc014; a
label written bare in a path, ``[10]`` for the group "10", before 3398015) predate the stamp
(88c4b5c): such a file is read against its own numbers, and here, where the stamp says
today's code judged it, they are refused as any other edit.
:func:`auditor.record.check_gates_read_back` calls it.
"""

from __future__ import annotations

from typing import Any

from auditor.errors import AuditorInputError
from auditor.gates import judge_audit
from auditor.gates.stamp import judged_by
from auditor.record.baseline_verdicts import check_baseline_verdicts
from auditor.record.baseline_verdicts import differs as _differs
from auditor.record.own_config import (
    BAD_CONFIG,
    DISABLED,
    check_own_config,
    gates_config,
)
from auditor.record.own_numbers import check_own_numbers

STATUS_NOT_OUTCOME = (
    "{status!r} does not follow the outcome {outcome!r} (pass: pass; any other: warn or fail)"
)
NOT_SECONDS = "{found!r} is not the time the gate took (seconds, 0 or more)"
NOT_JUDGED = "{found!r} is not what its own gates config gives this audit ({right!r}{why})"
WHY_MAX = 160  # the most characters of the gate's own message shown beside its verdict
MISSING = "holds {found} gates where its gates config gives {right} (a gate {what}: {gate!r})"
NOT_RUN = "the gates did not run, but its gates config enables them (gates.enabled = true)"
# The fields of a result judged again (name, message, seconds and baseline are not).
JUDGED = ("id", "metric", "rule", "source", "mode", "bound", "value", "ci_low", "ci_high",
          "interval", "n", "min_n", "outcome", "relation", "group", "status")  # fmt: skip


def _disagreement(r: dict[str, Any], right: dict[str, Any], tolerance: float) -> str | None:
    """The first field of the stored result ``r`` that the result judged again, ``right``,
    contradicts; None where they agree."""
    return next((f for f in JUDGED if _differs(r.get(f), right.get(f), tolerance)), None)


def _parted(own: list[Any], right: list[dict[str, Any]], tolerance: float) -> int:
    """The first position where the stored results ``own`` and those judged again ``right``
    are not the same gate (the shorter one's length where one ends first)."""
    pairs = zip(own, right, strict=False)  # of different lengths: where they part is sought
    same = (_disagreement(r, a, tolerance) not in ("id", "metric") for r, a in pairs)
    return next((j for j, ok in enumerate(same) if not ok), min(len(own), len(right)))


def _judged_again(data: dict[str, Any], source: str, *, held: int) -> dict[str, Any]:
    """The gates section the file's gates config gives its audit; ``held``: the gates the
    file holds."""
    from auditor.results._base import dump

    cfg = gates_config(data, source, held=held)
    if not cfg.enabled:
        raise AuditorInputError(DISABLED, source=source, field="gates/status")
    try:
        return dump(judge_audit(data, cfg, limit=held))  # more than held: refused anyway
    except AuditorInputError as exc:  # a rule of the file's config (anything else: a bug)
        why = BAD_CONFIG.format(why=str(exc.message)[:200])
        raise AuditorInputError(why, source=source, field="config/gates") from None


def check_gates_ran(data: dict[str, Any], *, source: str) -> None:
    """Raise :class:`AuditorInputError` where the gates section says the gates did not run
    while the file's gates config enables them (a failing section replaced by hand)."""
    if gates_config(data, source).enabled:
        raise AuditorInputError(NOT_RUN, source=source, field="gates/status")


def check_gate_verdicts(
    data: dict[str, Any], results: list[Any], *, source: str, tolerance: float
) -> None:
    """Raise :class:`AuditorInputError` naming the first of ``results`` (the gate results of
    ``data``) that the gate code, judging ``data`` again, does not give (see the module);
    ``tolerance``: relative, for a number beside the one judged again. A file other gate
    code judged (``gates.judged_by`` not this code's stamp, or absent) has each verdict
    checked against its own numbers instead (:mod:`auditor.record.own_numbers`) and against
    the gates config it records (:mod:`auditor.record.own_config`), and its
    baseline comparisons judged from their own numbers against its stored current results
    (as a file with this code's stamp has them judged against its results judged again)."""
    for i, r in enumerate(results):
        seconds = r.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            why = NOT_SECONDS.format(found=seconds)  # null (NaN) crashed junit.xml's sum
            raise AuditorInputError(why, source=source, field=f"gates/results/{i}/seconds")
        outcome, status = r.get("outcome"), r.get("status")
        if status not in (("pass",) if outcome == "pass" else ("warn", "fail")):
            why = STATUS_NOT_OUTCOME.format(status=status, outcome=outcome)
            raise AuditorInputError(why, source=source, field=f"gates/results/{i}/status")
    if data["gates"].get("judged_by") != judged_by():
        check_own_numbers(data, results, source=source, tolerance=tolerance)
        check_own_config(data, results, source=source, tolerance=tolerance)
        stored = [r for r in results if r.get("source") != "baseline"]  # checked just now
        check_baseline_verdicts(data["gates"], results, stored, source=source,
                                tolerance=tolerance)  # fmt: skip
        return
    held = sum(r.get("source") != "baseline" for r in results)
    section = _judged_again(data, source, held=held)
    for key in ("fail_on", "defaults"):
        if _differs(data["gates"].get(key), section.get(key), tolerance):
            why = NOT_JUDGED.format(found=data["gates"].get(key), right=section.get(key), why="")
            raise AuditorInputError(why, source=source, field=f"gates/{key}")
    own = [(i, r) for i, r in enumerate(results) if r.get("source") != "baseline"]
    right = list(section["results"])
    if len(own) != len(right):  # a gate removed or added: named where the lists part
        j = _parted([r for _, r in own], right, tolerance)
        what, gate = (("it lacks", right[j]["id"]) if len(own) < len(right)
                      else ("it does not give", own[j][1].get("id")))  # fmt: skip
        given = f"{len(right):,}" if len(right) <= len(own) else f"more ({len(right):,} at least)"
        why = MISSING.format(found=f"{len(own):,}", right=given, what=what, gate=gate)
        raise AuditorInputError(why, source=source, field="gates/results")
    for (i, r), again in zip(own, right, strict=True):
        field = _disagreement(r, again, tolerance)
        if field is not None:
            text = " ".join(str(again.get("message", "")).split())
            text = text if len(text) <= WHY_MAX else text[: WHY_MAX - 1] + "…"
            why = NOT_JUDGED.format(found=r.get(field), right=again.get(field),
                                    why=f": {text}" if text else "")  # fmt: skip
            raise AuditorInputError(why, source=source, field=f"gates/results/{i}/{field}")
    check_baseline_verdicts(data["gates"], results, [r for _, r in own], source=source,
                            tolerance=tolerance)  # fmt: skip
