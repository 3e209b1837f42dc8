"""Gates: thresholds over numbers in ``audit.json`` -> pass / fail / insufficient data.

Not implemented yet: the section says so (``not_run``) and the verdict is ``not_run``, so no
gate ever reports a pass it did not evaluate.
"""

from __future__ import annotations

from typing import Any


def evaluate_gates(
    audit: dict[str, Any], config, *, config_file: str | None = None
) -> dict[str, Any]:
    return {
        "status": "not_run",
        "reason": "gates are not implemented yet in this version of auditor",
    }
