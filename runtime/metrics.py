"""Serving a process's Prometheus metrics on a private address of its own.

Each part (worker, bot, scheduler) defines its metrics in its own module and serves them
here; the panel serves its own behind its login. A busy port is no reason to stop a part:
it is logged, and the part runs without its metrics endpoint.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Histogram, start_http_server

log = logging.getLogger(__name__)

# Shared by the parts that time a job's stages: the worker (queue_wait, cutout, painting,
# saving) and the bot (delivery). Defined once: every part imports it from here.
STAGE_SECONDS = Histogram(
    "vitrina_stage_seconds",
    "Duration of a job's stages: queue_wait (created to taken), cutout (engine call to its "
    "first progress), painting (to the engine's return), saving (GridFS), delivery (album)",
    ["stage", "engine"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800),
)


@contextmanager
def metrics_served(part: str, host: str, port: int) -> Iterator[int | None]:
    """Serves the process's metrics on host:port while the block runs; yields the port,
    or None when it is turned off (port 0) or taken."""
    if port == 0:
        yield None
        return
    try:
        server, thread = start_http_server(port, addr=host)
    except OSError as exc:
        log.warning("%s: metrics not served on %s:%d: %s", part, host, port, exc)
        yield None
        return
    log.info("%s: metrics on http://%s:%d/metrics", part, host, port)
    try:
        yield port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
