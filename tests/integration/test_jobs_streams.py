"""The job protocol's streams on a real Redis: enqueue within the limit, position, ack,
retries put back atomically, claims of dead workers, trimming acknowledged entries only."""

from __future__ import annotations

import asyncio
import time

import pytest
from redis.asyncio import Redis

import jobs.consumer
from jobs.consumer import JobConsumer, defer
from jobs.events import event_reader, publish
from jobs.heartbeat import alive_workers, beat, forget
from jobs.messages import EventType, JobEvent, JobMessage
from jobs.names import NOTIFIERS_GROUP, WORKERS_GROUP, Keys
from jobs.queue import JobQueue, QueueFull, trim_acknowledged
from settings import Settings
from storage.status import Stage
from tests.support.redis_watch import commands_sent
from tests.support.waiting import eventually


@pytest.fixture
def keys(settings: Settings) -> Keys:
    return Keys(settings.stream_prefix)


def consumer(redis: Redis, keys: Keys, name: str, idle: float = 60) -> JobConsumer:
    return JobConsumer(redis, keys, name, claim_idle_s=idle, heartbeat_s=0.01)


async def queued_for_a_worker(redis: Redis, keys: Keys, jobs: int) -> tuple[JobQueue, JobConsumer]:
    """Jobs j0, j1… queued, and a live worker "w1" ready to take them."""
    queue = JobQueue(redis, keys, limit=10)
    for i in range(jobs):
        await queue.enqueue(JobMessage(job_id=f"j{i}", chat_id=1))
    worker = consumer(redis, keys, "w1")
    await worker.start()
    await beat(redis, keys, "w1", {}, ttl_s=60)
    return queue, worker


async def test_positions_count_jobs_ahead_and_leave_out_those_taken(redis, keys):
    queue = JobQueue(redis, keys, limit=10)
    assert await queue.positions() == {}  # no stream yet
    for i in range(3):
        await queue.enqueue(JobMessage(job_id=f"j{i}", chat_id=1))
    assert await queue.positions() == {"j0": 1, "j1": 2, "j2": 3}
    assert await queue.waiting() == 3
    worker = consumer(redis, keys, "w1")
    await worker.start()
    await beat(redis, keys, "w1", {}, ttl_s=60)
    taken = await worker.take(count=1, block_ms=100)
    assert [d.message.job_id for d in taken] == ["j0"]
    assert await queue.positions() == {"j1": 1, "j2": 2}
    assert await queue.waiting() == 2


async def test_counting_and_adding_jobs_take_one_round_trip_each(redis, keys):
    """The stream and its group are made inside the scripts, not by an XGROUP (and an
    XINFO) of their own before each count and each XADD. MONITOR shows what the clients
    sent apart from what the scripts ran."""
    queue = JobQueue(redis, keys, limit=10)
    await queue.waiting()  # from an empty Redis: the stream and the group are made
    assert await queue.enqueue(JobMessage(job_id="j0", chat_id=1))
    async with commands_sent(redis, keys.jobs) as sent:
        assert await queue.waiting() == 1
        await queue.enqueue(JobMessage(job_id="j1", chat_id=1))
    assert sent == ["EVALSHA", "EVALSHA"]
    assert await queue.waiting() == 2


async def test_the_queue_limit_holds_when_many_enqueue_at_once(redis, keys):
    queue = JobQueue(redis, keys, limit=5)
    await queue.ensure_group()
    results = await asyncio.gather(
        *(queue.enqueue(JobMessage(job_id=f"j{i}", chat_id=i)) for i in range(20)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, str) for r in results) == 5
    assert sum(isinstance(r, QueueFull) for r in results) == 15
    assert await redis.xlen(keys.jobs) == 5


async def test_acked_job_is_not_delivered_again(redis, keys):
    queue = JobQueue(redis, keys, limit=10)
    await queue.enqueue(JobMessage(job_id="a", chat_id=7))
    worker = consumer(redis, keys, "w1", idle=0.05)
    await worker.start()
    await beat(redis, keys, "w1", {}, ttl_s=60)
    [claim] = await worker.take(count=5, block_ms=100)
    assert claim.message == JobMessage(job_id="a", chat_id=7)
    await worker.ack(claim)
    await asyncio.sleep(0.1)
    assert await worker.take(count=5, block_ms=50) == []


async def test_a_retry_deferred_by_an_older_worker_comes_back_too(redis, keys):
    """Its member in the delayed set names no photo: the job is served all the same."""
    await redis.zadd(keys.delayed, {"b -1001234567890": time.time() - 1})
    worker = consumer(redis, keys, "w1")
    await worker.start()
    [claim] = await worker.take(count=1, block_ms=100)
    assert claim.message == JobMessage(job_id="b", chat_id=-1001234567890)


async def test_a_deferred_retry_comes_back_once_when_due(redis, keys):
    deferred = JobMessage(job_id="a", chat_id=-1001234567890, photo_id="p1")
    await JobQueue(redis, keys, limit=10).enqueue(deferred)
    first, second = consumer(redis, keys, "w1"), consumer(redis, keys, "w2")
    await first.start()
    for name in ("w1", "w2"):
        await beat(redis, keys, name, {}, ttl_s=60)
    [claim] = await first.take(count=1, block_ms=100)
    await defer(redis, keys, claim, due=time.time() + 0.2)
    assert await first.take(count=1, block_ms=10) == []  # still backing off
    await asyncio.sleep(0.3)
    taken = await asyncio.gather(first.take(1, 100), second.take(1, 100))
    messages = [c.message for batch in taken for c in batch]
    assert messages == [deferred]
    assert await redis.zcard(keys.delayed) == 0


async def test_jobs_taken_one_after_another_put_due_retries_back_once_an_interval(
    redis, keys, monkeypatch
):
    """Not a round trip before every take: a retry waits its back-off anyway."""
    monkeypatch.setattr(jobs.consumer, "RELEASE_EVERY_S", 3600)  # however slow the machine
    _, worker = await queued_for_a_worker(redis, keys, 5)
    async with commands_sent(redis, keys.delayed) as sent:
        taken = [await worker.take(count=1, block_ms=10) for _ in range(5)]
    assert [[c.message.job_id for c in t] for t in taken] == [[f"j{i}"] for i in range(5)]
    assert sent == ["EVALSHA"]


async def test_entries_of_a_worker_whose_heartbeat_expired_are_taken_over_at_once(redis, keys):
    await JobQueue(redis, keys, limit=10).enqueue(JobMessage(job_id="a", chat_id=1))
    crashed = consumer(redis, keys, "crashed", idle=3600)
    await crashed.start()
    await beat(redis, keys, "crashed", {}, ttl_s=0.5)
    assert len(await crashed.take(count=1, block_ms=100)) == 1  # never acked
    survivor = consumer(redis, keys, "survivor", idle=3600)
    await beat(redis, keys, "survivor", {}, ttl_s=60)
    assert await survivor.take(count=1, block_ms=10) == []  # its holder is alive
    # The holder stops beating: its entry goes to the survivor long before the claim timeout.
    taken = await eventually(lambda: survivor.take(count=1, block_ms=10), timeout=30)
    assert [(c.message.job_id, c.reclaimed) for c in taken] == [("a", True)]


async def test_a_live_worker_keeps_its_claim(redis, keys):
    await JobQueue(redis, keys, limit=10).enqueue(JobMessage(job_id="a", chat_id=1))
    slow = consumer(redis, keys, "slow", idle=0.3)
    await slow.start()
    await beat(redis, keys, "slow", {}, ttl_s=60)
    [claim] = await slow.take(count=1, block_ms=100)
    other = consumer(redis, keys, "other", idle=0.3)
    for _ in range(5):
        await asyncio.sleep(0.1)
        await slow.keep([claim])
        assert await other.take(count=1, block_ms=10) == []
    await asyncio.sleep(0.4)  # it stops keeping it (stuck): past the claim timeout it is taken
    assert [c.message.job_id for c in await other.take(count=1, block_ms=10)] == ["a"]


async def test_a_worker_takes_back_what_it_held_before_an_outage(redis, keys):
    await JobQueue(redis, keys, limit=10).enqueue(JobMessage(job_id="a", chat_id=1))
    worker = consumer(redis, keys, "w1", idle=3600)
    await worker.start()
    await beat(redis, keys, "w1", {}, ttl_s=60)
    [first] = await worker.take(count=1, block_ms=100)
    await asyncio.sleep(0.05)
    [again] = await worker.take(count=1, block_ms=10)  # its own, unacknowledged
    assert again.entry_id == first.entry_id


async def test_trimming_removes_acknowledged_entries_only(redis, keys):
    queue, worker = await queued_for_a_worker(redis, keys, 4)
    first, second = await worker.take(count=2, block_ms=100)
    await worker.ack(second)  # j0 still pending, j2 and j3 not yet taken
    await trim_acknowledged(redis, keys.jobs, WORKERS_GROUP)
    assert [f["job_id"] for _, f in await redis.xrange(keys.jobs)] == ["j0", "j1", "j2", "j3"]
    await worker.ack(first)
    await trim_acknowledged(redis, keys.jobs, WORKERS_GROUP)
    assert [f["job_id"] for _, f in await redis.xrange(keys.jobs)] == ["j2", "j3"]
    assert await queue.waiting() == 2


async def test_cancel_request_is_visible_to_workers(redis, keys):
    queue = JobQueue(redis, keys, limit=10)
    assert not await queue.is_cancelled("a")
    await queue.request_cancel("a")
    assert await queue.is_cancelled("a")


async def test_events_reach_one_notifier_of_the_group(redis, keys):
    first, second = event_reader(redis, keys, "bot-1"), event_reader(redis, keys, "bot-2")
    await first.ensure_group()
    event = JobEvent(
        type=EventType.PROGRESS, job_id="a", chat_id=5, stage=Stage.PAINTING, done=1, total=4
    )
    await publish(redis, keys, event)
    [entry] = await first.read(count=10, block_ms=100)
    assert JobEvent.from_fields(entry.fields) == event
    assert await second.read(count=10, block_ms=50) == []


async def test_heartbeat_expires_when_the_worker_stops_beating(redis, keys):
    await beat(redis, keys, "w1", {"engines": ["studio"]}, ttl_s=3)
    await beat(redis, keys, "w2", {}, ttl_s=300)
    assert {w["worker"] for w in await alive_workers(redis, keys)} == {"w1", "w2"}
    await forget(redis, keys, "w2")
    # w1 stops beating: its key expires by itself.
    assert await eventually(lambda: alive_workers_left(redis, keys, 0), timeout=60)


async def alive_workers_left(redis, keys, count: int) -> bool:
    return len(await alive_workers(redis, keys)) == count


async def test_a_reader_whose_stream_is_gone_makes_it_again_and_reads_on(redis, keys):
    """Redis lost its data (no persistence, or FLUSHALL): a reader makes the stream and
    its group again, from the first entry, instead of failing every round."""
    reader = event_reader(redis, keys, "n1")
    assert await reader.read(count=10, block_ms=10) == []  # neither exists yet: made
    first = JobEvent(type=EventType.DONE, job_id="j1", chat_id=1)
    await publish(redis, keys, first)
    assert [JobEvent.from_fields(e.fields).job_id for e in await reader.read(10, 100)] == ["j1"]

    await redis.delete(keys.events)
    assert await reader.reclaim(60_000, 10) == []
    await publish(redis, keys, JobEvent(type=EventType.DONE, job_id="j2", chat_id=1))
    assert [JobEvent.from_fields(e.fields).job_id for e in await reader.read(10, 100)] == ["j2"]


async def test_a_read_acknowledges_the_entries_handled_since_the_last(redis, keys):
    """In the read's own round trip, so an event costs its reader no round trip more."""
    reader = event_reader(redis, keys, "n1")
    await reader.ensure_group()
    for job_id in ("j1", "j2"):
        await publish(redis, keys, JobEvent(type=EventType.DONE, job_id=job_id, chat_id=1))
    handled = [e.id for e in await reader.read(count=10, block_ms=100)]
    assert (await redis.xpending(keys.events, NOTIFIERS_GROUP))["pending"] == 2
    async with commands_sent(redis, keys.events) as sent:
        assert await reader.read(count=10, block_ms=10, ack=handled) == []
    assert (await redis.xpending(keys.events, NOTIFIERS_GROUP))["pending"] == 0
    assert sent == ["XACK", "XREADGROUP"]
