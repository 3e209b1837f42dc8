"""Two writers into one run folder, many rounds, with a reader watching: the reader always
sees one whole run (audit.json, card, summary and junit.xml of the same audit)."""

from __future__ import annotations

import json
import os
import threading
import time

from auditor.config import AuditConfig, FairnessConfig
from auditor.run_folder import write_run
from tests.builders import leftovers, predictions_audit

ROUNDS = 20  # issue 12: 20 rounds of two concurrent writers
FILES = ("summary.md", "model_card.md", "junit.xml")


def _audits(tmp_path):
    out = {}
    for name in ("alpha-run", "bravo-run"):
        config = AuditConfig(name=name, fairness=FairnessConfig())
        out[name] = predictions_audit(tmp_path / name, n=400, config=config).data
    return out


def _read_whole(folder) -> dict[str, str] | None:
    """Every file of the run through one folder handle (what a careful reader does);
    None when the folder is being swapped at that instant."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        texts = {}
        for name in ("audit.json", *FILES):
            with open(os.open(name, os.O_RDONLY, dir_fd=fd), encoding="utf-8") as fh:
                texts[name] = fh.read()
        return texts
    except FileNotFoundError:
        return None
    finally:
        os.close(fd)


def test_two_writers_never_leave_a_mix(tmp_path):
    audits = _audits(tmp_path)
    out = tmp_path / "shared"
    stop = threading.Event()
    seen: list[tuple[str, dict[str, bool]]] = []

    def reader() -> None:
        while not stop.is_set():
            time.sleep(0.002)
            texts = _read_whole(out)
            if texts is None:
                continue
            name = json.loads(texts["audit.json"])["run"]["name"]
            seen.append((name, {f: name in texts[f] for f in FILES}))

    def writer(name: str) -> None:
        for _ in range(ROUNDS):
            write_run(audits[name], out)

    threads = [threading.Thread(target=writer, args=(n,)) for n in audits]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    watcher.join()
    final = _read_whole(out)
    assert final is not None
    name = json.loads(final["audit.json"])["run"]["name"]
    other = ({"alpha-run", "bravo-run"} - {name}).pop()
    assert all(name in final[f] and other not in final[f] for f in FILES)
    assert seen and all(all(match.values()) for _, match in seen), seen[:3]
    assert leftovers(tmp_path) == []
