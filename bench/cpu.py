"""CPU time spent by this process and everything it started, by part, read from /proc.

Latency on a shared 2-core VM moves with the neighbours; the CPU each job costs the bot,
the workers, the database and the harness moves much less, so a change to the path
shows there first.
"""

from __future__ import annotations

import os
from pathlib import Path

TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")
PARTS = (  # the first pattern found in a process's command line names its part
    ("nx-27017", "mongo"),
    ("redis-server", "redis"),
    ("cli bot", "bot"),
    ("sleep_worker", "workers"),
)


def cpu_by_part() -> dict[str, float]:
    """CPU seconds so far of this process ("harness") and its descendants, by part."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, ppid = _ids(stat.read_text())
        except (OSError, ValueError):
            continue  # gone meanwhile
        parents[pid] = ppid
    totals: dict[str, float] = {}
    for pid in _descendants(os.getpid(), parents):
        try:
            seconds = _cpu_s(Path(f"/proc/{pid}/stat").read_text())
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        part = "harness" if pid == os.getpid() else _part(command)
        totals[part] = totals.get(part, 0.0) + seconds
    return totals


def spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {part: after[part] - before.get(part, 0.0) for part in after}


def _ids(stat: str) -> tuple[int, int]:
    # The command name may hold spaces and parentheses: the fields follow its last ")".
    pid = int(stat.split(" ", 1)[0])
    return pid, int(stat.rsplit(")", 1)[1].split()[1])


def _cpu_s(stat: str) -> float:
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * TICK_S  # utime, stime


def _descendants(root: int, parents: dict[int, int]) -> list[int]:
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, ppid in parents.items() if ppid in frontier]
        found += frontier
    return found


def _part(command: str) -> str:
    return next((name for pattern, name in PARTS if pattern in command), "other")
