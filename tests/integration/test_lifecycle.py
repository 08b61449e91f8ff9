"""The job lifecycle on real Redis and MongoDB protocol: conditional transitions, crash
attempts, the delivery lease, the quota script, the reaper."""

from __future__ import annotations

import asyncio
import time

import pytest
from pymongo import AsyncMongoClient

from jobs.consumer import Claim, JobConsumer
from jobs.delivery import DeliveryLeases, LeaseLost
from jobs.heartbeat import beat, beat_key
from jobs.lifecycle import Cancel, Lifecycle, Policy, Refused
from jobs.messages import EventType, JobEvent, JobMessage
from jobs.names import Keys
from storage.chats import ChatRepo
from storage.images import ImageStore
from storage.jobs import Delivery, Job, JobRepo
from storage.status import JobStatus
from storage.store import Storage
from tests.support.mongo_watch import Commands
from tests.support.redis_watch import commands_sent


@pytest.fixture
def lifecycle(redis, storage, settings) -> Lifecycle:
    policy = Policy(max_attempts=3, backoff_s=0.05, lease_s=0.5, queue_limit=10, reap_grace_s=0.2)
    return Lifecycle(redis, Keys(settings.stream_prefix), storage, policy)


def a_job(chat_id: int = 42, count: int = 2) -> Job:
    return Job(chat_id=chat_id, lang="en", style="loft", count=count, seed=1, input_image_id="x")


async def submitted(lc: Lifecycle, job: Job | None = None, user: int = 7, limit: int = 50) -> Job:
    async def post_status(position: int) -> int:
        return 100 + position

    return await lc.submit(job or a_job(), user_id=user, quota_limit=limit, post_status=post_status)


async def taken(lc: Lifecycle, name: str) -> Claim:
    consumer = JobConsumer(lc.redis, lc.keys, name, claim_idle_s=3600, heartbeat_s=0.01)
    await consumer.start()
    await beat(lc.redis, lc.keys, name, {}, ttl_s=60)
    [claim] = await consumer.take(1, 100)
    return claim


async def events(lc: Lifecycle, job_id: str) -> list[EventType]:
    entries = await lc.redis.xrange(lc.keys.events)
    return [e.type for e in (JobEvent.from_fields(f) for _, f in entries) if e.job_id == job_id]


async def test_submit_records_queues_and_posts_the_status_message(lifecycle):
    job = await submitted(lifecycle)
    stored = await lifecycle.storage.jobs.get(job.id)
    assert (stored.status, stored.status_message_id, stored.user_id) == (JobStatus.QUEUED, 101, 7)
    assert await lifecycle.queue.positions() == {job.id: 1}
    assert await lifecycle.quota.used(7, 42, stored.quota_day) == 2


async def test_a_job_is_queued_before_its_status_message_is_posted(lifecycle):
    """A worker may take the job while its status message is on its way to Telegram (a
    round trip across the internet); the message's id is noted on the record after, not
    as a change of the job (the worker's copy keeps its revision)."""
    seen: list[Job | None] = []

    async def post_status(position: int) -> int:
        seen.append(await lifecycle.storage.jobs.get(job.id))
        assert await lifecycle.queue.positions() == {job.id: position}
        return 555

    job = a_job()
    queued = await lifecycle.submit(
        job, user_id=7, quota_limit=50, post_status=post_status, poster="bot-1"
    )
    [while_posting] = seen
    assert (while_posting.status_posting, while_posting.status_message_id) == ("bot-1", None)
    [entry] = await lifecycle.redis.xrange(lifecycle.keys.jobs)
    copy = Job.model_validate_json(JobMessage.from_fields(entry[1]).record)
    assert (copy.status_posting, copy.status_message_id) == ("bot-1", None)
    stored = await lifecycle.storage.jobs.get(job.id)
    assert (stored.status_posting, stored.status_message_id) == ("", 555)
    assert stored.rev == copy.rev == while_posting.rev
    assert (queued.status_message_id, queued.rev) == (555, stored.rev)


async def test_a_submit_that_fails_before_the_job_is_queued_is_undone_as_a_unit(
    lifecycle, monkeypatch
):
    async def redis_down(message: JobMessage) -> str:
        raise ConnectionError("Redis is down")

    async def post_status(position: int) -> int:
        raise AssertionError("a status message for a job that is not queued")

    monkeypatch.setattr(lifecycle.queue, "enqueue", redis_down)
    job = a_job()
    with pytest.raises(ConnectionError):
        await lifecycle.submit(job, user_id=7, quota_limit=50, post_status=post_status)
    assert await lifecycle.storage.jobs.get(job.id) is None
    assert await lifecycle.quota.used(7, 42, _today()) == 0
    assert await lifecycle.redis.zcard(lifecycle.keys.active(42)) == 0


async def test_a_status_message_that_cannot_be_posted_calls_the_queued_job_off(lifecycle):
    """The caller tells the user what went wrong; the job ends without a word of its own
    in the chat, its quota given back, and its entry, taken later, does nothing."""

    async def broken(position: int) -> int:
        raise RuntimeError("Telegram is down")

    stored = await _refused_status(lifecycle, broken)
    assert (stored.status, stored.sent_status, stored.status_posting) == (
        JobStatus.CANCELLED,
        True,
        "",
    )
    assert await lifecycle.quota.used(7, 42, _today()) == 0
    assert await lifecycle.redis.zcard(lifecycle.keys.active(42)) == 0
    claim = await taken(lifecycle, "w1")
    assert await lifecycle.start(claim, "w1") is None


async def test_a_status_message_that_fails_after_the_job_started_stops_it(lifecycle):
    """A worker took the job while its status message was on its way: it is asked to
    stop, as a cancel would, its quota is given back, and its outcome will say nothing
    more in the chat."""
    started: list[Job] = []

    async def started_then_broken(position: int) -> int:
        claim = await taken(lifecycle, "w1")
        started.append(await lifecycle.start(claim, "w1"))
        raise RuntimeError("Telegram is down")

    stored = await _refused_status(lifecycle, started_then_broken)
    assert started[0] is not None
    assert (stored.status, stored.sent_status) == (JobStatus.RUNNING, True)
    assert await lifecycle.queue.is_cancelled(stored.id)
    assert await lifecycle.quota.used(7, 42, _today()) == 0  # the system failed, not the user


async def test_a_status_message_that_fails_after_the_job_was_done_leaves_its_album(lifecycle):
    """The job was painted before Telegram refused its status message: its album is
    still sent (the status line is not), and it is paid for."""

    async def done_then_broken(position: int) -> int:
        claim = await taken(lifecycle, "w1")
        running = await lifecycle.start(claim, "w1")
        assert await lifecycle.succeed(claim, running, "w1", result_image_ids=["a", "b"])
        raise RuntimeError("Telegram is down")

    stored = await _refused_status(lifecycle, done_then_broken)
    assert (stored.status, stored.delivery, stored.sent_status) == (
        JobStatus.DONE,
        Delivery.PENDING,
        True,
    )
    assert await lifecycle.quota.used(7, 42, _today()) == 2


async def _refused_status(lifecycle: Lifecycle, post_status) -> Job:
    """A job submitted with a status message whose posting raises; its record after."""
    job = a_job()
    with pytest.raises(RuntimeError):
        await lifecycle.submit(job, user_id=7, quota_limit=50, post_status=post_status)
    return await lifecycle.storage.jobs.get(job.id)


async def test_quota_counts_the_user_across_chats_and_the_chat_across_users(lifecycle):
    await submitted(lifecycle, a_job(chat_id=1, count=4), user=7, limit=6)
    with pytest.raises(Refused) as refused:  # a new group chat is no fresh quota
        await submitted(lifecycle, a_job(chat_id=2, count=4), user=7, limit=6)
    assert (refused.value.reason, refused.value.limit) == ("quota", 6)
    await submitted(lifecycle, a_job(chat_id=2, count=2), user=7, limit=6)  # what is left
    with pytest.raises(Refused):  # another user of a chat whose quota is spent
        await submitted(lifecycle, a_job(chat_id=1, count=4), user=8, limit=6)


async def test_a_chat_may_have_so_many_active_jobs(lifecycle):
    for _ in range(2):
        await submitted(lifecycle, a_job(count=1))
    with pytest.raises(Refused) as refused:
        await submitted(lifecycle, a_job(count=1))
    assert refused.value.reason == "busy"
    await submitted(lifecycle, a_job(chat_id=43, count=1))  # other chats are not held back


async def test_cancel_while_queued_gives_the_quota_back_and_frees_the_slot(lifecycle):
    job = await submitted(lifecycle)
    assert await lifecycle.cancel(job.id) == Cancel.CANCELLED
    assert await lifecycle.cancel(job.id) == Cancel.TOO_LATE
    stored = await lifecycle.storage.jobs.get(job.id)
    assert (stored.status, stored.delivery) == (JobStatus.CANCELLED, Delivery.PENDING)
    assert await lifecycle.quota.used(7, 42, stored.quota_day) == 0
    assert await events(lifecycle, job.id) == [EventType.CANCELLED]
    claim = await taken(lifecycle, "w1")  # its entry, taken later, does nothing
    assert await lifecycle.start(claim, "w1") is None


async def test_only_one_worker_starts_a_job(lifecycle):
    job = await submitted(lifecycle)
    claim = await taken(lifecycle, "w1")
    started = await asyncio.gather(*(lifecycle.start(claim, f"w{i}") for i in range(5)))
    runners = [j for j in started if j is not None]
    assert len(runners) == 1 and runners[0].attempts == 1
    again = await lifecycle.start(claim, runners[0].owner)  # its own, after an outage
    assert again.attempts == 1
    assert (await lifecycle.storage.jobs.get(job.id)).status == JobStatus.RUNNING


async def test_a_runnable_job_is_marked_only_by_run_and_by_one_worker(lifecycle):
    """The worker reads a job's photo between the two halves of `start`: the first
    writes nothing, the second is the compare-and-set only one worker wins."""
    job = await submitted(lifecycle)
    claim = await taken(lifecycle, "w1")
    seen = await asyncio.gather(*(lifecycle.runnable(claim, f"w{i}") for i in range(3)))
    stored = await lifecycle.storage.jobs.get(job.id)
    assert (stored.status, stored.rev) == (JobStatus.QUEUED, seen[0].rev)
    started = await asyncio.gather(*(lifecycle.run(claim, s, f"w{i}") for i, s in enumerate(seen)))
    assert [j.owner for j in started if j is not None] in (["w0"], ["w1"], ["w2"])


async def test_succeeding_twice_or_by_another_worker_changes_nothing(lifecycle):
    job = await submitted(lifecycle)
    claim = await taken(lifecycle, "w1")
    running = await lifecycle.start(claim, "w1")
    assert not await lifecycle.succeed(claim, running, "w2", result_image_ids=["bad"])
    assert await lifecycle.succeed(claim, running, "w1", result_image_ids=["a", "b"])
    assert not await lifecycle.succeed(claim, running, "w1", result_image_ids=["c"])
    done = await lifecycle.storage.jobs.get(job.id)
    assert (done.status, done.result_image_ids) == (JobStatus.DONE, ["a", "b"])
    assert done.delivery == Delivery.PENDING
    assert await events(lifecycle, job.id) == [EventType.DONE]
    assert await lifecycle.quota.used(7, 42, done.quota_day) == 2  # images made: paid


async def test_a_reclaimed_entry_of_a_finished_job_announces_it_again(lifecycle):
    job = await submitted(lifecycle)
    claim = await taken(lifecycle, "w1")
    running = await lifecycle.start(claim, "w1")
    await lifecycle.change(running, lambda j: lifecycle._final(JobStatus.DONE))  # no ack, no event
    assert await lifecycle.start(claim, "w2") is None
    assert await events(lifecycle, job.id) == [EventType.DONE]


async def test_attempts_of_crashed_workers_add_up_to_a_dead_letter(lifecycle):
    job = await submitted(lifecycle)
    claim = await taken(lifecycle, "w0")
    for attempt in range(1, 4):
        running = await lifecycle.start(claim, f"w{attempt}")
        assert running.attempts == attempt
        await lifecycle.change(running, lambda j: {"lease_until": 0.0})  # its worker died
    assert await lifecycle.start(claim, "w4") is None
    failed = await lifecycle.storage.jobs.get(job.id)
    assert (failed.status, failed.delivery) == (JobStatus.FAILED, Delivery.PENDING)
    assert "stopped" in failed.error
    assert [f["job_id"] for _, f in await lifecycle.redis.xrange(lifecycle.keys.dead)] == [job.id]
    assert await lifecycle.quota.used(7, 42, failed.quota_day) == 0  # the system failed it
    assert await events(lifecycle, job.id) == [EventType.FAILED]


async def test_a_live_lease_is_not_taken_over_and_keep_extends_it(lifecycle):
    await submitted(lifecycle)
    claim = await taken(lifecycle, "w1")
    running = await lifecycle.start(claim, "w1")
    for _ in range(4):
        await asyncio.sleep(0.2)
        assert await lifecycle.keep([running], "w1") == []
        assert await lifecycle.start(claim, "w2") is None
    await asyncio.sleep(0.6)  # w1 stopped keeping it
    assert (await lifecycle.start(claim, "w2")).attempts == 2
    assert await lifecycle.keep([running], "w1") == [running.id]


async def test_a_failed_attempt_is_retried_then_failed_for_good(lifecycle):
    job = await submitted(lifecycle)
    statuses = []
    for attempt in range(3):
        claim = await asyncio.wait_for(_next_claim(lifecycle, "w1"), 30)
        running = await lifecycle.start(claim, "w1")
        statuses.append(await lifecycle.fail_or_retry(claim, running, "w1", f"boom {attempt}"))
    assert statuses == [JobStatus.QUEUED, JobStatus.QUEUED, JobStatus.FAILED]
    failed = await lifecycle.storage.jobs.get(job.id)
    assert (failed.attempts, failed.error) == (3, "boom 2")


async def _next_claim(lc: Lifecycle, name: str) -> Claim:
    consumer = JobConsumer(lc.redis, lc.keys, name, claim_idle_s=3600, heartbeat_s=0.01)
    await beat(lc.redis, lc.keys, name, {}, ttl_s=60)
    while not (claims := await consumer.take(1, 50)):
        pass
    return claims[0]


async def test_one_notifier_leases_a_delivery_and_records_its_parts(lifecycle):
    job = await submitted(lifecycle)
    assert await lifecycle.cancel(job.id) == Cancel.CANCELLED
    first, second = DeliveryLeases(lifecycle, "bot-1"), DeliveryLeases(lifecycle, "bot-2")
    for name in ("bot-1", "bot-2"):
        await beat_key(lifecycle.redis, lifecycle.keys.bot_heartbeat(name), {}, ttl_s=60)
    leased = await asyncio.gather(first.take(job.id), second.take(job.id))
    assert [j is not None for j in leased] == [True, False]
    held = await first.record(leased[0], sent_status=True)
    with pytest.raises(LeaseLost):
        await second.record(held, sent_album_ids=[1, 2])
    assert await second.take(job.id) is None  # the first is alive and within its lease
    # The first notifier is killed: its heartbeat goes, and its delivery with it.
    await lifecycle.redis.delete(lifecycle.keys.bot_heartbeat("bot-1"))
    taken_over = await second.take(job.id)
    assert taken_over.sent_status  # what the first sent is not sent again
    with pytest.raises(LeaseLost):
        await first.record(held, sent_actions_id=3)
    await second.end(taken_over, ok=True)
    assert (await lifecycle.storage.jobs.get(job.id)).delivery == Delivery.DONE
    assert await first.take(job.id) is None


async def test_a_delivery_whose_lease_ran_out_is_taken_over(lifecycle):
    job = await submitted(lifecycle)
    await lifecycle.cancel(job.id)
    first = DeliveryLeases(lifecycle, "bot-1", lease_s=0.3)
    await beat_key(lifecycle.redis, lifecycle.keys.bot_heartbeat("bot-1"), {}, ttl_s=60)
    assert await first.take(job.id) is not None
    second = DeliveryLeases(lifecycle, "bot-2")
    assert await second.take(job.id) is None
    await asyncio.sleep(0.4)  # alive but stuck past its lease
    assert await second.take(job.id) is not None


async def test_a_delivery_told_to_wait_is_due_only_later(lifecycle):
    job = await submitted(lifecycle)
    await lifecycle.cancel(job.id)
    leases = DeliveryLeases(lifecycle, "bot-1")
    await leases.later(await leases.take(job.id), 0.3, failed_try=False, reason="429")
    assert await leases.due(10) == [] and await leases.take(job.id) is None
    await asyncio.sleep(0.35)
    assert [j.id for j in await leases.due(10)] == [job.id]


async def test_redeliver_sends_a_finished_outcome_again(lifecycle):
    job = await submitted(lifecycle)
    await lifecycle.cancel(job.id)
    leases = DeliveryLeases(lifecycle, "bot-1")
    await leases.end(await leases.record(await leases.take(job.id), sent_status=True), ok=True)
    assert await lifecycle.redeliver(job.id)
    again = await leases.take(job.id)
    assert again is not None and not again.sent_status


async def test_the_reaper_requeues_lost_jobs_and_fails_spent_ones(lifecycle):
    lost = await submitted(lifecycle)
    await lifecycle.redis.delete(lifecycle.keys.jobs)  # Redis lost the stream
    orphan = await lifecycle.storage.jobs.create(
        a_job(chat_id=44).model_copy(update={"status": JobStatus.RUNNING, "attempts": 3})
    )
    await asyncio.sleep(0.3)
    report = await lifecycle.reap()
    assert set(report.requeued) == {lost.id} and report.failed == [orphan.id]
    assert [f["job_id"] for _, f in await lifecycle.redis.xrange(lifecycle.keys.jobs)] == [lost.id]
    failed = await lifecycle.storage.jobs.get(orphan.id)
    assert (failed.status, failed.delivery) == (JobStatus.FAILED, Delivery.PENDING)
    assert (await lifecycle.reap()).requeued == []  # nothing left to repair


async def test_one_reaper_at_a_time(lifecycle):
    reports = await asyncio.gather(*(lifecycle.reap() for _ in range(4)))
    assert sum(r is not None for r in reports) >= 1
    await lifecycle.redis.set(lifecycle.keys.lock("reaper"), "someone else", ex=60)
    assert await lifecycle.reap() is None


async def test_retry_and_requeue_a_dead_letter(lifecycle):
    job = await submitted(lifecycle)
    claim = await taken(lifecycle, "w1")
    running = await lifecycle.start(claim, "w1")
    await lifecycle.fail_or_retry(claim, running, "w1", "bad", permanent=True)
    assert await lifecycle.retry(await _id_of_done(lifecycle)) is None  # only failed/cancelled
    again = await lifecycle.requeue_dead(job.id)
    assert (again.status, again.attempts, again.delivery) == (JobStatus.QUEUED, 0, Delivery.NONE)
    assert await lifecycle.redis.xlen(lifecycle.keys.dead) == 0
    claim = await taken(lifecycle, "w2")
    assert (await lifecycle.start(claim, "w2")).attempts == 1


async def _id_of_done(lc: Lifecycle) -> str:
    done = await lc.storage.jobs.create(a_job().model_copy(update={"status": JobStatus.DONE}))
    return done.id


def _today() -> str:
    return time.strftime("%Y-%m-%d", time.gmtime())


def test_messages_carry_no_attempt_counter():
    assert JobMessage(job_id="a", chat_id=1).to_fields() == {"job_id": "a", "chat_id": "1"}


def test_a_jobs_message_names_its_photo_and_carries_its_record():
    job = a_job().model_copy(update={"input_image_id": "p1"})
    fields = JobMessage.of(job).to_fields()
    assert fields == {
        "job_id": job.id,
        "chat_id": str(job.chat_id),
        "photo_id": "p1",
        "record": job.model_dump_json(),
    }
    assert JobMessage.from_fields(fields) == JobMessage.of(job)


@pytest.fixture
async def watched(lifecycle, settings):
    """The lifecycle on a client whose MongoDB commands are watched."""
    commands = Commands()
    client = AsyncMongoClient(settings.mongo_url, event_listeners=[commands])
    db = client[settings.mongo_db]
    storage = Storage(client, ChatRepo(db["chats"]), JobRepo(db["jobs"]), ImageStore(db))
    yield Lifecycle(lifecycle.redis, lifecycle.keys, storage, lifecycle.policy), commands
    await client.close()


async def test_a_queued_job_starts_in_one_write_from_its_entrys_copy(lifecycle, watched):
    watched_lc, commands = watched
    job = await submitted(lifecycle)
    claim = await taken(lifecycle, "w1")
    async with commands_sent(lifecycle.redis, job.id) as redis_sent:
        started = await watched_lc.start(claim, "w1")
    assert commands.sent == [("update", "jobs")], "the record is not read first"
    assert redis_sent == [], "nor its cancel request: a cancel moves the record"
    stored = await lifecycle.storage.jobs.get(job.id)
    assert (started.status, started.owner, started.attempts, started.rev) == (
        JobStatus.RUNNING,
        "w1",
        1,
        1,
    )
    assert (stored.status, stored.owner, stored.attempts, stored.rev) == (
        started.status,
        started.owner,
        started.attempts,
        started.rev,
    )
    assert started.queued_ts == stored.queued_ts
    # Copied before its status message was posted: the notifier reads the message's id.
    assert (started.status_message_id, stored.status_message_id) == (None, 101)


async def test_a_job_cancelled_before_its_start_is_not_started(lifecycle):
    job = await submitted(lifecycle)
    assert await lifecycle.cancel(job.id) == Cancel.CANCELLED
    assert await lifecycle.start(await taken(lifecycle, "w1"), "w1") is None
    stored = await lifecycle.storage.jobs.get(job.id)
    assert (stored.status, stored.attempts) == (JobStatus.CANCELLED, 0)
    pending = await lifecycle.redis.xpending(lifecycle.keys.jobs, "workers")
    assert pending["pending"] == 0


async def test_a_job_that_moved_since_it_was_queued_is_decided_on_its_record(lifecycle):
    failed = await submitted(lifecycle)
    record = await lifecycle.storage.jobs.get(failed.id)
    await lifecycle.change(record, lambda j: lifecycle._final(JobStatus.FAILED, error="admin"))
    moved = await submitted(lifecycle, a_job(chat_id=43))
    record = await lifecycle.storage.jobs.get(moved.id)
    await lifecycle.change(record, lambda j: {"position": 5})  # still queued, a new revision

    assert await lifecycle.start(await taken(lifecycle, "w1"), "w1") is None
    assert (await lifecycle.storage.jobs.get(failed.id)).attempts == 0
    assert await events(lifecycle, failed.id) == [EventType.FAILED], "its outcome announced"
    pending = await lifecycle.redis.xpending(lifecycle.keys.jobs, "workers")
    assert pending["pending"] == 0, "the finished job's entry is acknowledged"
    started = await lifecycle.start(await taken(lifecycle, "w1"), "w1")
    assert (started.status, started.attempts, started.rev) == (JobStatus.RUNNING, 1, 2)
