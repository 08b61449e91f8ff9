"""Each Generate ends in exactly one album, or one clear message, whatever crashes between:
real bot and worker processes killed at named fault points (VITRINA_FAULTS), a real
append-only redis-server restarted, a real nx-27017 stopped, Telegram's flood control.

Every test counts what the fake Telegram server accepted for each chat, once nothing is
left to do (no job unfinished, no delivery pending, no stream entry unacknowledged).
The claim timeout is set to an hour: a job recovered here was recovered by the prompt
path (a dead worker's heartbeat), never by waiting for the claim to time out.
`pytest -k fault` runs them all.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from redis.asyncio import Redis

from cli.services import free_port, start_mongo, start_redis
from jobs.names import NOTIFIERS_GROUP, WORKERS_GROUP, Keys
from keyboards.callbacks import OptionCb
from storage.jobs import Delivery, Job
from storage.status import JobStatus
from storage.store import Storage
from tests.support.e2e import Service, albums, choose, order, press
from tests.support.ids import new_chat_id as chat_id
from tests.support.photos import product_photo
from tests.support.services import REPO_ROOT
from tests.support.waiting import eventually

# No claim ever times out in these tests: recovery must come from the heartbeats.
PROMPT_ONLY = {"JOB_CLAIM_IDLE_S": "3600"}
FAILED = "😔 Something went wrong while making the images."
# Generous: albums come after cold starts of fresh processes on a slow 2-core machine.
ALBUM_TIMEOUT_S = 300.0


def armed(*points: str) -> dict[str, str]:
    return {"VITRINA_FAULTS": ",".join(points)}


async def jobs_of(service: Service, chat: int) -> list[Job]:
    db = await Storage.open(service.settings.mongo_url, service.settings.mongo_db)
    try:
        return await db.jobs.for_chat(chat, 0, 20)
    finally:
        await db.close()


async def settled(service: Service, chats: list[int]) -> bool:
    """Nothing left to do: every job finished and its outcome delivered (or given up),
    every stream entry acknowledged."""
    for chat in chats:
        jobs = await jobs_of(service, chat)
        if not jobs or any(
            not j.status.finished or j.delivery not in (Delivery.DONE, Delivery.FAILED)
            for j in jobs
        ):
            return False
    redis = Redis.from_url(service.settings.redis_url, decode_responses=True)
    keys = Keys(service.settings.stream_prefix)
    try:
        for stream, group in ((keys.jobs, WORKERS_GROUP), (keys.events, NOTIFIERS_GROUP)):
            if not await redis.exists(stream):
                continue
            [info] = [g for g in await redis.xinfo_groups(stream) if g["name"] == group]
            if info["pending"] or info.get("lag"):
                return False
    finally:
        await redis.aclose()
    return True


async def quiet(service: Service, *chats: int) -> None:
    await eventually(lambda: settled(service, list(chats)), ALBUM_TIMEOUT_S, interval=0.5)


def actions_sent(service: Service, chat: int) -> int:
    return sum(
        1
        for call in service.telegram.calls("sendMessage")
        if call.ok
        and str(call.params.get("chat_id")) == str(chat)
        # With or without the hint of a doubtful cut-out after it.
        and str(call.params.get("text")).startswith("What next?")
    )


async def one_album(service: Service, user, count: int = 2) -> None:
    await eventually(
        lambda: albums(service.telegram, user.chat_id) >= 1,
        ALBUM_TIMEOUT_S,
        what=lambda: f"an album for chat {user.chat_id}:\n{service.log('worker')}",
    )
    await quiet(service, user.chat_id)
    assert albums(service.telegram, user.chat_id) == 1
    assert actions_sent(service, user.chat_id) == 1
    assert sum(1 for m in user.messages if m.photo) == count


@pytest.fixture
async def service(start_service):
    async with start_service(worker=False, extra_env=PROMPT_ONLY) as service:
        yield service


async def test_fault_worker_killed_mid_paint_another_worker_finishes_the_job(service):
    await service.start_worker(env=armed("worker.painting=kill"))
    user = service.telegram.user(chat_id())
    await order(user, product_photo(), count=4)
    assert await service.exited("worker") == -9  # killed in the engine's thread
    await service.start_worker("worker-2")
    await one_album(service, user, count=4)
    [job] = await jobs_of(service, user.chat_id)
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)


async def test_fault_worker_killed_after_storing_before_acking_sends_the_album_once(service):
    await service.start_worker(env=armed("worker.after_store=kill"))
    user = service.telegram.user(chat_id())
    await order(user, product_photo(), count=2)
    assert await service.exited("worker") == -9
    # The notifier finds the finished job in the outbox although its event never came.
    await eventually(lambda: albums(service.telegram, user.chat_id) == 1, ALBUM_TIMEOUT_S)
    # The next worker takes the dead one's entry: the job is done, so it is only announced.
    await service.start_worker("worker-2")
    await one_album(service, user)
    [job] = await jobs_of(service, user.chat_id)
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)


async def test_fault_bot_killed_after_send_media_group_sends_the_album_once(service):
    await service.start_worker()
    service.stop("bot")
    await service.start_bot(env=armed("notifier.after_album=kill"))
    user = service.telegram.user(chat_id())
    await order(user, product_photo(), count=2)
    assert await service.exited("bot") == -9
    assert albums(service.telegram, user.chat_id) == 1 and actions_sent(service, user.chat_id) == 0
    await service.start_bot()  # resumes the dead bot's delivery: only what is missing
    await one_album(service, user)


async def test_fault_bot_killed_after_queueing_before_the_status_message_sends_one_album(
    service,
):
    """A job is queued before its status message is posted: the bot killed in between
    leaves a job with no message. It is painted all the same, and its album is sent by
    the next bot at once (the dead bot's heartbeat is gone: no message will be noted)."""
    await service.start_worker()
    service.stop("bot")
    await service.start_bot(env=armed("lifecycle.before_status=kill"))
    user = service.telegram.user(chat_id())
    await user.send_photo(product_photo())
    await press(user, await choose(user, "minimal", 2), OptionCb(action="generate").pack())
    assert await service.exited("bot") == -9
    await service.start_bot()
    await one_album(service, user)
    assert not any("⏳" in (m.text or "") for m in user.messages)
    [job] = await jobs_of(service, user.chat_id)
    assert (job.status, job.delivery, job.status_message_id) == (
        JobStatus.DONE,
        Delivery.DONE,
        None,
    )


async def test_fault_two_bots_share_the_events_and_send_each_album_once(service):
    port = free_port()
    webhook = {
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
        "WEBHOOK_SECRET": "s3cret",
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }
    await service.start_bot("bot-2", env=webhook)  # its notifier joins the same group
    await service.start_worker()
    users = [service.telegram.user(chat_id()) for _ in range(4)]
    for user in users:
        await order(user, product_photo(), count=2)
    for user in users:
        await one_album(service, user)


async def test_fault_flood_control_on_the_album_and_the_follow_up_holds_back_no_other_chat(
    service,
):
    telegram = service.telegram
    await service.start_worker()
    flooded, other = telegram.user(chat_id()), telegram.user(chat_id())
    # Telegram keeps refusing the album in one chat until told otherwise.
    telegram.fail_next("sendMediaGroup", retry_after=1, times=10_000, chat_id=flooded.chat_id)
    await order(flooded, product_photo(), count=2)
    refused = lambda: [  # noqa: E731
        c for c in telegram.calls("sendMediaGroup") if c.error_code == 429
    ]
    await eventually(refused, ALBUM_TIMEOUT_S)
    await order(other, product_photo(), count=2)
    await one_album(service, other)  # while the first chat is still told to wait
    assert albums(telegram, flooded.chat_id) == 0
    telegram.fail_next("sendMessage", retry_after=1, chat_id=flooded.chat_id)  # the follow-up
    telegram.stop_failing("sendMediaGroup", chat_id=flooded.chat_id)
    await one_album(service, flooded)
    follow_ups = [c for c in telegram.calls("sendMessage") if c.error_code == 429]
    assert len(follow_ups) == 1


async def test_fault_sigterm_mid_batch_finishes_the_batch_before_exiting(service):
    await service.start_worker(env=armed("worker.painting=sleep:2"))
    user = service.telegram.user(chat_id())
    await order(user, product_photo(), count=1)
    await user.wait_for(lambda m: "Cutting" in (m.text or "") or "Painting" in (m.text or ""))
    service.processes["worker"].terminate()
    assert await service.exited("worker") == 0
    await one_album(service, user, count=1)  # no other worker: the stopping one finished it
    [job] = await jobs_of(service, user.chat_id)
    assert job.attempts == 1


async def test_fault_sigterm_past_the_deadline_hands_the_job_over_at_once(service):
    slow = {**armed("worker.painting=sleep:600"), "WORKER_STOP_TIMEOUT_S": "1"}
    await service.start_worker(env=slow)
    user = service.telegram.user(chat_id())
    await order(user, product_photo(), count=1)
    await user.wait_for(lambda m: "Cutting" in (m.text or ""))
    service.processes["worker"].terminate()
    assert await service.exited("worker") == 75  # gave its job up past the deadline
    await service.start_worker("worker-2")
    await one_album(service, user, count=1)


async def test_fault_a_job_that_always_kills_its_worker_is_dead_lettered_with_one_message(
    start_service,
):
    env = {**PROMPT_ONLY, "MAX_ATTEMPTS": "2"}
    async with start_service(worker=False, extra_env=env) as service:
        user = service.telegram.user(chat_id())
        await order(user, product_photo(), count=1)
        crash = armed("worker.painting=kill")
        for round in range(1, 4):
            key = service.start("worker", f"worker-{round}", crash)
            process = service.processes[key]
            await eventually(
                lambda p=process: p.poll() is not None or settled(service, [user.chat_id]),
                ALBUM_TIMEOUT_S,
                interval=0.3,
            )
            if process.poll() is None:
                break  # this one found the job spent and dead-lettered it
        await quiet(service, user.chat_id)
        [job] = await jobs_of(service, user.chat_id)
        assert (job.status, job.attempts) == (JobStatus.FAILED, 2)
        assert albums(service.telegram, user.chat_id) == 0
        told = [m for m in user.messages if (m.text or "").startswith(FAILED)]
        assert len(told) == 1
        redis = Redis.from_url(service.settings.redis_url, decode_responses=True)
        dead = await redis.xrange(Keys(service.settings.stream_prefix).dead)
        await redis.aclose()
        assert [f["job_id"] for _, f in dead] == [job.id]


async def test_fault_redis_restarted_with_jobs_queued_loses_nothing(start_service, tmp_path):
    port = free_port()
    redis = start_redis(tmp_path / "redis", port, persist=True)  # append-only, as deployed
    try:
        async with start_service(worker=False, extra_env=PROMPT_ONLY, redis_url=redis.url) as s:
            await s.start_worker()
            users = [s.telegram.user(chat_id()) for _ in range(3)]
            for user in users:
                await order(user, product_photo(), count=2)
            redis.stop()
            redis = start_redis(tmp_path / "redis", port, persist=True)
            late = s.telegram.user(chat_id())  # a new request right after the restart
            await order(late, product_photo(), count=2)
            for user in [*users, late]:
                await one_album(s, user)
                [job] = await jobs_of(s, user.chat_id)
                assert job.attempts == 1  # the outage cost no attempt
    finally:
        redis.stop()


async def test_fault_mongodb_stopped_for_30_s_is_told_and_then_served(start_service, tmp_path):
    port = free_port()
    mongo = start_mongo(tmp_path / "mongo", port)
    try:
        async with start_service(worker=True, extra_env=PROMPT_ONLY, mongo_url=mongo.url) as s:
            user = s.telegram.user(chat_id())
            await order(user, product_photo(), count=1)
            await one_album(s, user, count=1)
            mongo.stop()
            stopped = asyncio.get_running_loop().time()
            during = s.telegram.user(chat_id())
            await during.send_text("/help")
            reply = await during.wait_for(timeout=120)  # never silence
            assert reply.text == "I can't reach my storage right now. Please try again in a minute."
            await asyncio.sleep(max(0.0, 30 - (asyncio.get_running_loop().time() - stopped)))
            mongo = start_mongo(tmp_path / "mongo", port)
            await order(during, product_photo(), count=2)
            await one_album(s, during)
    finally:
        mongo.stop()


async def test_fault_a_stuck_engine_makes_the_worker_unhealthy_though_it_beats(service):
    stuck = {**armed("worker.painting=hang"), "WORKER_STALL_S": "3"}
    await service.start_worker(env=stuck)
    name = service.worker_name("worker")
    assert healthcheck(service, name).returncode == 0
    user = service.telegram.user(chat_id())
    await order(user, product_photo(), count=1)
    await user.wait_for(lambda m: "Cutting" in (m.text or ""))

    def unhealthy() -> bool:
        done = healthcheck(service, name)
        return done.returncode == 1 and "stuck" in done.stderr

    await eventually(unhealthy, 120, interval=1.0)
    assert service.processes["worker"].poll() is None  # up, and beating, but stuck


def healthcheck(service: Service, name: str) -> subprocess.CompletedProcess[str]:
    env = {**service.env(), "WORKER_STALL_S": "3"}
    env.pop("VITRINA_FAULTS", None)
    return subprocess.run(
        [sys.executable, "-m", "cli", "healthcheck", "worker", "--name", name],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_fault_points_are_named_in_the_code_they_arm():
    folders = [Path(REPO_ROOT, d) for d in ("inference", "bot", "jobs")]
    code = "\n".join(p.read_text() for folder in folders for p in folder.rglob("*.py"))
    points = ("worker.painting", "worker.after_store", "notifier.after_album")
    for point in (*points, "lifecycle.before_status"):
        assert f'fault_point("{point}")' in code
    assert os.environ.get("VITRINA_FAULTS") is None  # the suite itself never runs armed
