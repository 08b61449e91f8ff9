"""The delivery record of a finished job: what of its outcome reached the chat.

A notifier takes a lease on a job's delivery before sending (owner and expiry, by
compare-and-set), records each part as soon as Telegram confirms it (the status
message's last edit, the album's message ids, the "What next?" message), and marks the
delivery done. A retry sends only what is missing; a second notifier never sends what
the first already sent, and takes over only once the first's lease has expired or the
first's heartbeat is gone (a killed bot's deliveries are resumed at once by its successor).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from jobs.lifecycle import Lifecycle
from storage.jobs import Delivery, Job

log = logging.getLogger(__name__)
LEASE_S = 60.0
MAX_TRIES = 8  # transient failures (network, Telegram's 5xx) before delivery gives up


class LeaseLost(RuntimeError):
    """Another notifier took this delivery over (this one was too slow or thought dead)."""


class DeliveryLeases:
    def __init__(self, lifecycle: Lifecycle, owner: str, lease_s: float = LEASE_S) -> None:
        self._lc = lifecycle
        self.owner = owner
        self._lease_s = lease_s

    async def due(self, limit: int) -> list[Job]:
        """Finished jobs whose outcome waits to be sent, and that nobody is sending now."""
        return await self._lc.storage.jobs.to_deliver(time.time(), limit)

    async def take(self, job_id: str, seen: Job | None = None) -> Job | None:
        """The job with its delivery leased to this notifier; None when there is nothing
        to send, it is not due yet, or another notifier holds it. `seen`, a copy of the
        record (a final event's), saves reading it: a stale copy fails the
        compare-and-set, and the record is then read and decided on again."""
        now = time.time()
        job = seen or await self._lc.storage.jobs.get(job_id)
        dead = job is not None and not await self.alive(job.delivery_owner)

        def decide(j: Job) -> dict[str, Any] | None:
            if j.delivery != Delivery.PENDING or j.delivery_due > now:
                return None
            held = j.delivery_owner not in ("", self.owner) and j.delivery_lease_until >= now
            if held and not (dead and job is not None and j.delivery_owner == job.delivery_owner):
                return None
            return {"delivery_owner": self.owner, "delivery_lease_until": now + self._lease_s}

        # Read back: the status message's id may have been noted since `seen` was copied.
        return await self._lc.change(job, decide, read_back=True)

    async def alive(self, owner: str) -> bool:
        """Whether the bot named `owner` is alive (its heartbeat); this one, or none, is."""
        if owner in ("", self.owner):
            return True
        return bool(await self._lc.redis.exists(self._lc.keys.bot_heartbeat(owner)))

    async def record(self, job: Job, **parts: Any) -> Job:
        """Records parts sent (and extends the lease); LeaseLost when another took over."""
        now = time.time()
        kept = await self._lc.change(
            job,
            lambda j: (
                {**parts, "delivery_lease_until": now + self._lease_s} if self._holds(j) else None
            ),
        )
        if kept is None:
            raise LeaseLost(job.id)
        return kept

    async def later(self, job: Job, delay_s: float, failed_try: bool, reason: str) -> None:
        """Sends the rest after `delay_s`, from whichever notifier looks then; a failed try
        counts towards the cap, Telegram's "retry after" does not."""
        tries = job.delivery_tries + (1 if failed_try else 0)
        if tries >= MAX_TRIES:
            await self.end(job, ok=False, reason=f"{tries} tries failed, last: {reason}")
            return
        fields = {
            "delivery_owner": "",
            "delivery_lease_until": 0.0,
            "delivery_due": time.time() + delay_s,
            "delivery_tries": tries,
        }
        await self._lc.change(job, lambda j: fields if self._holds(j) else None)

    async def end(self, job: Job, ok: bool, reason: str = "", **parts: Any) -> None:
        """Marks the delivery done (or failed), recording the last `parts` sent with it."""
        if not ok:
            log.warning("job %s chat %s: not delivered: %s", job.id, job.chat_id, reason)
        state = Delivery.DONE if ok else Delivery.FAILED
        fields = {**parts, "delivery": state, "delivery_owner": "", "delivery_lease_until": 0.0}
        if ok:
            fields["delivered_at"] = datetime.now(UTC)  # the panel's timeline
        await self._lc.change(job, lambda j: fields if self._holds(j) else None)

    def _holds(self, job: Job) -> bool:
        return job.delivery == Delivery.PENDING and job.delivery_owner == self.owner
