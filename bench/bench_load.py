"""The digits run on an idle machine and with a busy process pinned to one core, one script.

    python bench/bench_load.py [--repeats 1] [--scenario digits]

For each thread setting (auditor's automatic choice, 1, and every core: torch's default), the
wall time of `auditor run` idle and with one core taken by a spinning process, and the ratio
loaded / idle. Targets (issue 15): automatic under load <= 1.5x its idle time, and never
slower than the same run with one thread. Run on a quiet machine: the script itself makes the
load it measures.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from multiprocessing.synchronize import Event
from pathlib import Path


def _spin(core: int, stop: Event) -> None:
    os.sched_setaffinity(0, {core})
    x = 0
    while not stop.is_set():
        for _ in range(100_000):
            x += 1


def _run(scenario: str, threads: str | None, out: Path) -> float:
    cmd = [sys.executable, "-m", "auditor", "run", "--scenario", scenario, "--quiet",
           "--exit-zero", "--out", str(out)]  # fmt: skip
    if threads is not None:
        cmd += ["--threads", threads]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--scenario", default="digits")
    args = parser.parse_args()
    cores = sorted(os.sched_getaffinity(0))
    settings: list[tuple[str, str | None]] = [
        ("auto", None), ("1 thread", "1"), (f"{len(cores)} threads", str(len(cores))),
    ]  # fmt: skip
    print(f"{args.scenario} run, {len(cores)} cores, best of {args.repeats}")
    print(f"{'threads':<12} {'idle s':>8} {'loaded s':>9} {'loaded/idle':>12}")
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, threads in settings:
            times = {}
            for loaded in (False, True):
                stop = mp.Event()
                spinner = mp.Process(target=_spin, args=(cores[-1], stop)) if loaded else None
                if spinner:
                    spinner.start()
                    time.sleep(0.5)
                try:
                    times[loaded] = min(
                        _run(args.scenario, threads, Path(tmp) / f"r{i}")
                        for i in range(args.repeats)
                    )
                finally:
                    if spinner:
                        stop.set()
                        spinner.join()
            rows[label] = times
            print(f"{label:<12} {times[False]:>8.1f} {times[True]:>9.1f} "
                  f"{times[True] / times[False]:>11.1f}x")  # fmt: skip
    auto, one = rows["auto"], rows["1 thread"]
    print(f"auto under load vs 1 thread under load: {auto[True] / one[True]:.2f}x")


if __name__ == "__main__":
    main()
