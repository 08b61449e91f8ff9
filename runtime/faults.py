"""Named fault points, for tests that kill a process at an exact step (in the manner of
etcd's failpoints).

`fault_point("worker.after_store")` does nothing unless the environment variable
VITRINA_FAULTS arms that name, e.g. `VITRINA_FAULTS="worker.after_store=kill"`.
Modes: `kill` (SIGKILL this process, as an out-of-memory kill or a power cut would),
`raise` (raise FaultInjected), `exit` (exit at once with code 3), `hang` (block the
calling thread for good, as a deadlocked driver would), `sleep:S` (block it S seconds,
as a slow batch would). Several points are separated by
commas. Production never sets the variable, so every point is inert there.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

log = logging.getLogger(__name__)
VARIABLE = "VITRINA_FAULTS"
MODES = ("kill", "raise", "exit", "hang", "sleep:S")


class FaultInjected(RuntimeError):
    """Raised by a fault point armed with the `raise` mode."""


def armed() -> dict[str, str]:
    """The armed points and their modes, read from the environment on each call (a test
    arms them in a child process's environment; nothing is cached)."""
    spec = os.environ.get(VARIABLE, "")
    points = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, mode = item.partition("=")
        points[name.strip()] = mode.strip() or "kill"
    return points


def fault_point(name: str) -> None:
    """Fails here, as armed; a no-op when VITRINA_FAULTS does not name this point."""
    if VARIABLE not in os.environ:
        return
    mode = armed().get(name)
    if mode is None:
        return
    log.warning("fault point %s: %s", name, mode)
    if mode == "raise":
        raise FaultInjected(name)
    if mode == "exit":
        os._exit(3)
    if mode == "hang":
        threading.Event().wait()
    if mode.startswith("sleep:"):
        time.sleep(float(mode.removeprefix("sleep:")))
        return
    os.kill(os.getpid(), signal.SIGKILL)
