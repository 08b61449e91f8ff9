"""The garbage collector's pauses, kept off the paths users wait on.

A process's start-up (imports, models, the Dispatcher, the clients) leaves hundreds of
thousands of objects that live as long as the process. CPython's full collection walks
every one of them each time: in the bot, a 150 ms stop of its one thread in the middle
of serving, holding back every chat's album at once (docs/BENCHMARKS.md). `gc.freeze()`
moves them to a generation the collector never walks again; what is made afterwards is
collected as before. Each process calls `settle_after_start` once, when it is set up and
before it serves.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)


def settle_after_start() -> int:
    """Collects start-up's garbage once, then freezes what is left; the count frozen."""
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    log.info("start-up's %d objects kept out of the collector's walks", frozen)
    return frozen
