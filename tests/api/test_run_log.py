"""``run.log``: one line as each stage of a run starts and one as it ends, with its seconds,
written into the run folder with the rest (and sent to the ``auditor`` logger)."""

from __future__ import annotations

import logging
import re

from auditor.config import PrivacyConfig
from auditor.run_folder import RUN_LOG
from auditor.runtime import LOG
from tests.builders import small_digits_config

STAGES = ["data", "pretrain", "finetune", "check.performance", "check.fairness",
          "check.privacy", "check.explanations", "check.transparency", "gates"]  # fmt: skip
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO stage (\S+): (started|done in "
                  r"(\d+\.\d) s)$")  # fmt: skip


def test_every_stage_has_a_start_and_an_end_line(tmp_path, caplog):
    from auditor.api import run

    config = small_digits_config(privacy=PrivacyConfig(enabled=False))
    with caplog.at_level(logging.INFO, logger="auditor"):
        result = run(config, out_dir=tmp_path / "run", progress=False)
    lines = (result.run_dir / RUN_LOG).read_text().splitlines()
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), [line for line, m in zip(lines, parsed, strict=True) if not m]
    events = [(m[1], m[2] == "started") for m in parsed]
    assert [name for name, start in events if start] == STAGES
    assert [name for name, start in events if not start] == STAGES
    timings = result.data["run"]["timings_s"]
    for m in parsed:
        if m[3] is not None:  # "done in S s" agrees with audit.json's timings
            assert abs(float(m[3]) - timings[m[1]]) <= 0.05 + 1e-9
    assert [r.getMessage() for r in caplog.records if r.name == "auditor"] == [
        line.split(" INFO ", 1)[1] for line in lines
    ]
    # the collecting handler is gone after the run
    assert all(type(h).__name__ != "_Lines" for h in LOG.handlers)
