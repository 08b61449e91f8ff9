"""The job protocol on a real Redis: enqueue, position, ack, retry, dead-letter, reclaim."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from jobs.consumer import JobConsumer, RetryPolicy
from jobs.events import event_reader, publish
from jobs.heartbeat import alive_workers, beat, forget
from jobs.messages import EventType, JobEvent, JobMessage
from jobs.names import Keys
from jobs.queue import JobQueue, QueueFull
from settings import Settings
from storage.status import Stage
from tests.support.waiting import eventually


@pytest.fixture
def keys(settings: Settings) -> Keys:
    return Keys(settings.stream_prefix)


def consumer(
    redis: Redis, keys: Keys, name: str, attempts: int = 3, idle: float = 60
) -> JobConsumer:
    return JobConsumer(redis, keys, name, RetryPolicy(attempts, backoff_s=0.05), idle)


async def test_position_counts_jobs_ahead_and_drops_to_zero_when_taken(redis, keys):
    queue = JobQueue(redis, keys, limit=10)
    ids = [await queue.enqueue(JobMessage(job_id=f"j{i}", chat_id=1)) for i in range(3)]
    assert [await queue.position(i) for i in ids] == [1, 2, 3]
    assert await queue.waiting() == 3
    worker = consumer(redis, keys, "w1")
    await worker.start()
    taken = await worker.take(count=1, block_ms=100)
    assert [d.message.job_id for d in taken] == ["j0"]
    assert [await queue.position(i) for i in ids] == [0, 1, 2]
    assert await queue.waiting() == 2


async def test_queue_refuses_past_its_limit(redis, keys):
    queue = JobQueue(redis, keys, limit=2)
    await queue.enqueue(JobMessage(job_id="a", chat_id=1))
    await queue.enqueue(JobMessage(job_id="b", chat_id=1))
    with pytest.raises(QueueFull):
        await queue.enqueue(JobMessage(job_id="c", chat_id=1))


async def test_acked_job_is_not_delivered_again(redis, keys):
    queue = JobQueue(redis, keys, limit=10)
    await queue.enqueue(JobMessage(job_id="a", chat_id=7))
    worker = consumer(redis, keys, "w1", idle=0.05)
    await worker.start()
    [delivery] = await worker.take(count=5, block_ms=100)
    assert delivery.message == JobMessage(job_id="a", chat_id=7, attempt=1)
    await worker.ack(delivery)
    await asyncio.sleep(0.1)
    assert await worker.take(count=5, block_ms=50) == []


async def test_failed_job_comes_back_after_backoff_then_goes_to_dead_letters(redis, keys):
    queue = JobQueue(redis, keys, limit=10)
    await queue.enqueue(JobMessage(job_id="a", chat_id=1))
    worker = consumer(redis, keys, "w1", attempts=2)
    await worker.start()
    [first] = await worker.take(count=1, block_ms=100)
    assert await worker.retry(first, "boom") is True
    assert await worker.take(count=1, block_ms=10) == []  # still backing off
    await asyncio.sleep(0.15)
    [second] = await worker.take(count=1, block_ms=100)
    assert second.message.attempt == 2
    assert await worker.retry(second, "boom again") is False
    dead = await redis.xrange(keys.dead)
    assert [(f["job_id"], f["reason"]) for _, f in dead] == [("a", "boom again")]
    assert await worker.take(count=1, block_ms=10) == []


async def test_job_left_by_a_stopped_worker_is_reclaimed_as_a_new_attempt(redis, keys):
    queue = JobQueue(redis, keys, limit=10)
    await queue.enqueue(JobMessage(job_id="a", chat_id=1))
    crashed = consumer(redis, keys, "crashed", idle=0.05)
    await crashed.start()
    assert len(await crashed.take(count=1, block_ms=100)) == 1  # never acked
    await asyncio.sleep(0.1)
    survivor = consumer(redis, keys, "survivor", idle=0.05)
    [delivery] = await survivor.take(count=1, block_ms=100)
    assert (delivery.message.job_id, delivery.message.attempt) == ("a", 2)


async def test_job_that_keeps_killing_workers_is_dead_lettered(redis, keys):
    queue = JobQueue(redis, keys, limit=10)
    await queue.enqueue(JobMessage(job_id="poison", chat_id=1, attempt=3))
    crashed = consumer(redis, keys, "crashed", attempts=3, idle=0.05)
    await crashed.start()
    await crashed.take(count=1, block_ms=100)
    await asyncio.sleep(0.1)
    assert await consumer(redis, keys, "next", attempts=3, idle=0.05).take(1, 50) == []
    assert [f["job_id"] for _, f in await redis.xrange(keys.dead)] == ["poison"]


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
