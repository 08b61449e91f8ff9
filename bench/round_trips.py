"""Round trips per job, by part (`python -m bench.queue_load --count-calls`).

The bot's and the workers' processes load `bench/calls/sitecustomize.py`, which counts
their MongoDB commands, Redis commands and Bot API calls and writes the counts so far
on SIGUSR1. Unlike time, a count does not move with the VM's neighbours: a change to
the job's path shows in it exactly.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

PROBE_DIR = Path(__file__).resolve().parent / "calls"


def counting_env(calls_dir: Path) -> dict[str, str]:
    """What a process needs in its environment to be counted."""
    calls_dir.mkdir(parents=True, exist_ok=True)
    path = os.pathsep.join(p for p in (str(PROBE_DIR), os.environ.get("PYTHONPATH")) if p)
    return {"PYTHONPATH": path, "VITRINA_CALLS_DIR": str(calls_dir)}


def mark(processes: list[subprocess.Popen], calls_dir: Path) -> None:
    """Has each process write its counts so far, and waits until all have."""
    expected = {p.pid: _lines(calls_dir, p.pid) + 1 for p in processes}
    for process in processes:
        process.send_signal(signal.SIGUSR1)
    deadline = time.monotonic() + 60
    while any(_lines(calls_dir, pid) < n for pid, n in expected.items()):
        if time.monotonic() > deadline:
            raise SystemExit("the counted processes did not write their counts")
        time.sleep(0.05)


def per_job(calls_dir: Path, processes: list[subprocess.Popen], jobs: int) -> dict:
    """Calls per job between the last two marks, by part ("bot", "workers") and kind
    ("mongo", "redis", "telegram"), each with its commands."""
    parts: dict[str, Counter[str]] = {}
    for process in processes:
        before, after = (
            Counter(json.loads(line)["counts"])
            for line in (calls_dir / f"{process.pid}.jsonl").read_text().splitlines()[-2:]
        )
        part = "bot" if "bot" in process.args else "workers"
        parts.setdefault(part, Counter()).update(after - before)
    report = {}
    for part, counts in sorted(parts.items()):
        kinds: dict[str, dict] = {}
        for call, n in sorted(counts.items()):
            kind, command = call.split(" ", 1)
            entry = kinds.setdefault(kind, {"all": 0.0})
            entry[command] = round(n / jobs, 2)
            entry["all"] = round(entry["all"] + n / jobs, 2)
        report[part] = kinds
    return report


def _lines(calls_dir: Path, pid: int) -> int:
    path = calls_dir / f"{pid}.jsonl"
    return len(path.read_text().splitlines()) if path.exists() else 0
