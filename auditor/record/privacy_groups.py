"""The sensitive groups' leakage of an audit read back: each group's counts tied to the splits
they are drawn from, and each number the group writer derives from others.

auditor splits the privacy section's members (``privacy.members.n``) and non-members
(``privacy.non_members.n``) by each sensitive feature's value, every group of either in one
row, so a feature's rows' ``n_members`` sum to the members and their ``n_non_members`` to the
non-members; their test rows (``n_test``) are of the test split (``data.splits.test.n_rows``).
A row's test accuracy is a share of its ``n_test`` rows (null where there are none), its
``accuracy_gap`` that accuracy less ``overall_test_accuracy``, its status ``ok`` exactly
where its members are ``min_group_members`` or more (else ``insufficient_data``, its TPR
null), the feature's ``tpr_gap`` the largest less the smallest TPR of its ``ok`` rows (null
under two), and ``fairness_gaps`` the fairness section's between-group gaps of the feature.
Each lies in [0, 1] (an accuracy gap in [-1, 1]). A group's tp and n_members of 10^15, an
n_test of 10^15, a gap of -0.9 beside an accuracy that gives 0.02, or a 26-member group
made ``insufficient_data`` was shown by the card.
:func:`check_group_numbers` is called by :func:`auditor.record.privacy_counts.check_attack_counts`.
"""

from __future__ import annotations

import json
from typing import Any

from auditor.audit_tree import count
from auditor.errors import AuditorInputError
from auditor.record.bounds import TOLERANCE, check_range, number, slack

ACCURACY = "an accuracy"
GAP = "a gap between groups"
ACCURACY_GAP = "a group's accuracy less the whole split's"
NOT_THE_TOTAL = "the rows' {key} sum to {found!r}, not privacy/{part}/n ({n!r})"
MORE_TEST_ROWS = "the rows' n_test sum to {found!r}, more than data/splits/test/n_rows ({n!r})"
NOT_A_SHARE = "{value!r} is not a share of n_test ({n!r}) rows"
NO_ACCURACY = "null, but n_test is {n!r}: an accuracy over them was written"
NOT_THE_DIFFERENCE = "{found!r} is not test_accuracy less overall_test_accuracy ({expected})"
NOT_THE_STATUS = "{found!r}, but n_members ({n!r}) against min_group_members ({k!r}) gives {want!r}"
A_SMALL_RATE = "{value!r} for a group under min_group_members: auditor writes null"
NOT_THE_SPREAD = "{found!r} is not the largest less the smallest TPR of the ok rows ({expected})"
NOT_THE_COPY = "{found!r} is not fairness/features/{feature}/disparities/{metric}'s ({want!r})"
NOT_THE_CONFIG = "{found!r} is not config/privacy/min_group_members ({want!r})"
NOT_CALIBRATED = "{found} is not privacy/attacks/{attack}/calibrated_at_fpr/{level}/{key} ({want})"
FAIRNESS_GAPS = ("demographic_parity_difference", "equalized_odds_difference")
WHERE = "privacy/groups"


def _part(node: Any, key: str) -> dict[str, Any]:
    part = node.get(key) if isinstance(node, dict) else None
    return part if isinstance(part, dict) else {}


def _close(found: Any, expected: float | None) -> bool:
    """``found`` is ``expected`` within rounding, or both are null."""
    if expected is None or found is None:
        return found is None and expected is None
    return number(found) and abs(found - expected) <= slack(expected)


def check_group_numbers(data: dict[str, Any], *, source: str) -> None:
    """Raise :class:`AuditorInputError` naming the first number of ``privacy.groups`` (an
    audit read back from ``source``) that breaks what the module lists."""
    privacy = _part(data, "privacy")
    groups = _part(privacy, "groups")
    if groups.get("status") != "ok":
        return
    overall = groups.get("overall_test_accuracy")
    check_range(overall, 0.0, 1.0, what=ACCURACY, field=f"{WHERE}/overall_test_accuracy",
                source=source)  # fmt: skip
    totals = {
        "n_members": ("members", _part(privacy, "members").get("n")),
        "n_non_members": ("non_members", _part(privacy, "non_members").get("n")),
    }
    test_rows = _part(_part(_part(data, "data"), "splits"), "test").get("n_rows")
    fewest = groups.get("min_group_members")
    for feature, rows in _part(groups, "features").items():
        rows = [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []
        at = f"{WHERE}/features/{feature}"
        for i, row in enumerate(rows):
            _row(row, overall, fewest, f"{at}/{i}", source)
        for key, (part, n) in totals.items():
            found = _total(rows, key)
            if count(n) is not None and found is not None and found != n:
                why = NOT_THE_TOTAL.format(key=key, found=found, part=part, n=n)
                raise AuditorInputError(why, source=source, field=at)
        found = _total(rows, "n_test")
        if count(test_rows) is not None and found is not None and found > test_rows:
            raise AuditorInputError(MORE_TEST_ROWS.format(found=found, n=test_rows),
                                    source=source, field=at)  # fmt: skip
    _tpr_gaps(groups, source)
    _fairness_gaps(groups, _part(data, "fairness"), source)
    _copies(groups, privacy, _part(_part(data, "config"), "privacy"), source)


def _total(rows: list[dict[str, Any]], key: str) -> int | None:
    values = [row.get(key) for row in rows]
    return sum(values) if all(count(v) is not None for v in values) else None


def _row(row: dict[str, Any], overall: Any, fewest: Any, at: str, source: str) -> None:
    accuracy, n_test = row.get("test_accuracy"), row.get("n_test")
    check_range(accuracy, 0.0, 1.0, what=ACCURACY, field=f"{at}/test_accuracy", source=source)
    check_range(row.get("accuracy_gap"), -1.0, 1.0, what=ACCURACY_GAP,
                field=f"{at}/accuracy_gap", source=source)  # fmt: skip
    if count(n_test) is not None:
        if accuracy is None and n_test > 0:
            raise AuditorInputError(NO_ACCURACY.format(n=n_test), source=source,
                                    field=f"{at}/test_accuracy")  # fmt: skip
        whole = accuracy * n_test if number(accuracy) else 0.0
        if number(accuracy) and (n_test == 0 or abs(whole - round(whole)) > TOLERANCE * n_test):
            raise AuditorInputError(NOT_A_SHARE.format(value=accuracy, n=n_test),
                                    source=source, field=f"{at}/test_accuracy")  # fmt: skip
    expected = accuracy - overall if number(accuracy) and number(overall) else None
    if not _close(row.get("accuracy_gap"), expected):
        shown = "null" if expected is None else f"{expected:.6g}"
        why = NOT_THE_DIFFERENCE.format(found=row.get("accuracy_gap"), expected=shown)
        raise AuditorInputError(why, source=source, field=f"{at}/accuracy_gap")
    n, status = row.get("n_members"), row.get("status")
    if count(n) is None or count(fewest) is None or status not in ("ok", "insufficient_data"):
        return
    want = "ok" if n >= fewest else "insufficient_data"
    if status != want:
        why = NOT_THE_STATUS.format(found=status, n=n, k=fewest, want=want)
        raise AuditorInputError(why, source=source, field=f"{at}/status")
    tpr = _part(row, "tpr").get("value")
    if want != "ok" and tpr is not None:
        raise AuditorInputError(A_SMALL_RATE.format(value=tpr), source=source,
                                field=f"{at}/tpr/value")  # fmt: skip


def _tpr_gaps(groups: dict[str, Any], source: str) -> None:
    for feature, gap in _part(groups, "tpr_gap").items():
        field = f"{WHERE}/tpr_gap/{feature}"
        check_range(gap, 0.0, 1.0, what=GAP, field=field, source=source)
        rows = _part(groups, "features").get(feature)
        if not isinstance(rows, list):
            continue
        rates = [_part(r, "tpr").get("value") for r in rows
                 if isinstance(r, dict) and r.get("status") == "ok"]  # fmt: skip
        rates = [rate for rate in rates if rate is not None]
        if not all(number(rate) for rate in rates):
            continue  # the schema holds their type
        expected = max(rates) - min(rates) if len(rates) >= 2 else None
        if not _close(gap, expected):
            shown = "null" if expected is None else f"{expected:.6g}"
            why = NOT_THE_SPREAD.format(found=gap, expected=shown)
            raise AuditorInputError(why, source=source, field=field)


def _fairness_gaps(groups: dict[str, Any], fairness: dict[str, Any], source: str) -> None:
    ran = fairness.get("status") == "ok"
    for feature, gaps in _part(groups, "fairness_gaps").items():
        for metric, found in gaps.items() if isinstance(gaps, dict) else ():
            field = f"{WHERE}/fairness_gaps/{feature}/{metric}"
            check_range(found, 0.0, 1.0, what=GAP, field=field, source=source)
            if not ran or metric not in FAIRNESS_GAPS:
                continue
            disparities = _part(_part(_part(fairness, "features"), feature), "disparities")
            want = _part(_part(disparities, metric), "between_groups").get("value")
            if found != want:
                why = NOT_THE_COPY.format(found=found, feature=feature, metric=metric, want=want)
                raise AuditorInputError(why, source=source, field=field)


def _copies(groups: dict[str, Any], privacy: dict[str, Any], config: dict[str, Any],
            source: str) -> None:  # fmt: skip
    """The minimum group size is the config's; the threshold and the overall TPR and FPR
    are the attack's operating point calibrated at ``fpr_level``."""
    fewest, want = groups.get("min_group_members"), config.get("min_group_members")
    if count(fewest) is not None and count(want) is not None and fewest != want:
        raise AuditorInputError(NOT_THE_CONFIG.format(found=fewest, want=want), source=source,
                                field=f"{WHERE}/min_group_members")  # fmt: skip
    attack, level = groups.get("attack"), groups.get("fpr_level")
    points = _part(_part(_part(privacy, "attacks"), attack), "calibrated_at_fpr")
    keys = [k for k in points if number(level) and _level(k) == level]
    if not keys:
        return
    point = _part(points, keys[0])
    for key, theirs in (("threshold", "threshold"), ("overall_tpr", "tpr"),
                        ("overall_fpr", "fpr")):  # fmt: skip
        if key in groups and theirs in point and groups[key] != point[theirs]:
            found, want = _shown(groups[key]), _shown(point[theirs])
            why = NOT_CALIBRATED.format(found=found, attack=attack, level=keys[0], key=theirs,
                                        want=want)  # fmt: skip
            raise AuditorInputError(why, source=source, field=f"{WHERE}/{key}")


def _level(key: str) -> float | None:
    try:
        return float(key)
    except ValueError:
        return None


def _shown(value: Any) -> str:
    """``value`` as JSON, cut to 60 characters (an estimate node is shown whole)."""
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 60 else text[:57] + "..."
