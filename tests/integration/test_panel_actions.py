"""What admins do in the panel, over real HTTP: each action's effect on the data, the
queue and the notices to the bot, and that each goes through the job control."""

from __future__ import annotations

import aiohttp
import pytest

from jobs.messages import JobMessage
from jobs.names import Keys
from jobs.notices import Notice, NoticeKind
from settings import Settings
from storage.jobs import PANEL_CHAT_ID, Delivery
from storage.status import JobStatus
from tests.support.panel import panel_client, panel_settings, running_panel, seed_chat, seed_job
from tests.support.photos import product_photo


@pytest.fixture
async def client(settings: Settings, storage):
    async with running_panel(panel_settings(settings)) as (base, _), panel_client(base) as c:
        yield c


@pytest.fixture
def keys(settings: Settings) -> Keys:
    return Keys(settings.stream_prefix)


async def notices(redis, keys: Keys) -> list[Notice]:
    return [Notice.from_fields(f) for _, f in await redis.xrange(keys.notices)]


async def queued_ids(redis, keys: Keys) -> list[str]:
    return [f["job_id"] for _, f in await redis.xrange(keys.jobs)]


async def test_ban_stops_the_chats_jobs_and_tells_it_once(client, storage, redis, keys):
    chat = await seed_chat(storage, 6001)
    waiting = await seed_job(storage, chat.chat_id, JobStatus.QUEUED)
    done = await seed_job(storage, chat.chat_id)
    status, _, resp = await client.post(f"/chats/{chat.chat_id}/ban")
    assert status == 303 and resp.headers["Location"] == f"/chats/{chat.chat_id}"
    assert (await storage.chats.get(chat.chat_id)).banned
    assert (await storage.jobs.get(waiting.id)).status == JobStatus.CANCELLED
    assert (await storage.jobs.get(done.id)).status == JobStatus.DONE
    await client.post(f"/chats/{chat.chat_id}/ban")  # pressed twice: still one message
    assert await notices(redis, keys) == [Notice(kind=NoticeKind.BANNED, chat_id=chat.chat_id)]
    _, html, _ = await client.get(f"/chats/{chat.chat_id}")
    assert "The chat is banned" in html and "Unban" in html
    await client.post(f"/chats/{chat.chat_id}/unban")
    assert not (await storage.chats.get(chat.chat_id)).banned
    assert (await notices(redis, keys))[-1].kind == NoticeKind.UNBANNED


async def test_quota_is_set_reset_and_checked(client, storage):
    chat = await seed_chat(storage, 6002)
    await client.post(f"/chats/{chat.chat_id}/quota", {"quota": "7"})
    assert (await storage.chats.get(chat.chat_id)).daily_quota == 7
    for bad in ("-1", "many", "10000000"):
        _, _, resp = await client.post(f"/chats/{chat.chat_id}/quota", {"quota": bad})
        _, html, _ = await client.get(resp.headers["Location"])
        assert "whole number" in html
    assert (await storage.chats.get(chat.chat_id)).daily_quota == 7
    await client.post(f"/chats/{chat.chat_id}/quota", {"quota": ""})
    assert (await storage.chats.get(chat.chat_id)).daily_quota is None


async def test_deleting_a_chats_data_needs_its_id_typed(client, storage):
    chat = await seed_chat(storage, 6003)
    job = await seed_job(storage, chat.chat_id)
    other = await seed_job(storage, 6004)
    await client.post(f"/chats/{chat.chat_id}/forget", {"confirm": "yes"})
    assert (await storage.chats.get(chat.chat_id)).forgotten_at is None
    status, _, resp = await client.post(f"/chats/{chat.chat_id}/forget", {"confirm": "6003"})
    assert status == 303 and resp.headers["Location"] == "/chats"
    # The record stays, marked, with its ban and quota: forgetting is no way around either.
    assert (await storage.chats.get(chat.chat_id)).forgotten_at is not None
    _, page, _ = await client.get(f"/chats/{chat.chat_id}")
    assert "Deleted their data" in page
    _, dashboard, _ = await client.get("/")
    assert "deleted their data in 24 h: 1" in dashboard
    assert await storage.jobs.get(job.id) is None
    assert await storage.images.ids(chat_id=chat.chat_id) == []
    assert await storage.jobs.get(other.id) is not None
    await storage.images.get(other.input_image_id)  # another chat's images stay


async def test_retry_queues_the_failed_job_again_with_fresh_attempts(client, storage, redis, keys):
    failed = await seed_job(storage, 6005, JobStatus.FAILED, results=0)
    status, _, resp = await client.post(f"/jobs/{failed.id}/retry")
    assert status == 303 and resp.headers["Location"] == f"/jobs/{failed.id}"
    again = await storage.jobs.get(failed.id)
    assert (again.status, again.attempts, again.error) == (JobStatus.QUEUED, 0, None)
    assert (again.input_image_id, again.style, again.seed) == (
        failed.input_image_id,
        failed.style,
        failed.seed,
    )
    assert await queued_ids(redis, keys) == [failed.id]
    _, html, _ = await client.get("/audit")
    assert "retry" in html and failed.id in html


async def test_an_unfinished_job_cannot_be_retried_but_can_be_cancelled(client, storage, redis):
    job = await seed_job(storage, 6006, JobStatus.QUEUED)
    status, html, _ = await client.post(f"/jobs/{job.id}/retry")
    assert status == 409 and "has not finished" in html
    await client.post(f"/jobs/{job.id}/cancel")
    assert (await storage.jobs.get(job.id)).status == JobStatus.CANCELLED
    status, html, _ = await client.post(f"/jobs/{job.id}/cancel")
    assert status == 409 and "already finished" in html


async def test_resend_hands_the_album_to_the_notifiers_outbox_again(client, storage):
    done = await seed_job(storage, 6007)
    await client.post(f"/jobs/{done.id}/resend")
    again = await storage.jobs.get(done.id)
    assert again.delivery == Delivery.PENDING and not again.sent_album_ids
    failed = await seed_job(storage, 6007, JobStatus.FAILED, results=0)
    assert (await client.post(f"/jobs/{failed.id}/resend"))[0] == 409


async def test_a_dead_letter_is_requeued_with_fresh_attempts(client, storage, redis, keys):
    job = await seed_job(storage, 6008, JobStatus.FAILED, results=0, error="RuntimeError: boom")
    letter = JobMessage(job_id=job.id, chat_id=6008).to_fields()
    await redis.xadd(keys.dead, {**letter, "reason": "RuntimeError: boom"})
    _, html, _ = await client.get("/workers")
    assert "RuntimeError: boom" in html and f"/dead/{job.id}/requeue" in html
    status, _, _ = await client.post(f"/dead/{job.id}/requeue")
    assert status == 303
    assert await redis.xlen(keys.dead) == 0
    again = await storage.jobs.get(job.id)
    assert (again.status, again.attempts, again.error) == (JobStatus.QUEUED, 0, None)
    assert await queued_ids(redis, keys) == [job.id]
    assert (await client.post(f"/dead/{job.id}/requeue"))[0] == 409  # queued, not dead


async def test_try_it_queues_a_panel_job(client, storage, redis, keys):
    await client.get("/try")
    form = aiohttp.FormData()
    form.add_field("photo", product_photo(), filename="sofa.jpg", content_type="image/jpeg")
    form.add_field("style", "studio-white")
    form.add_field("count", "2")
    form.add_field("prompt", "")
    status, _, resp = await client.post("/try", form)
    assert status == 303
    job = await storage.jobs.get(resp.headers["Location"].removeprefix("/jobs/"))
    assert job.chat_id == PANEL_CHAT_ID and job.style == "studio-white" and job.count == 2
    assert await queued_ids(redis, keys) == [job.id]
    _, html, _ = await client.get(f"/jobs/{job.id}")
    assert 'http-equiv="refresh"' in html  # the page follows the job until it finishes


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"style": "nope"}, "Choose a style"),
        ({"count": "3"}, "Choose a number"),
        ({"style": "custom"}, "needs a description"),
        ({"photo": b"not an image"}, "not a JPEG"),
    ],
)
async def test_try_it_refuses_a_bad_form(client, storage, fields, message):
    await client.get("/try")
    values = {"photo": product_photo(), "style": "minimal", "count": "1", "prompt": "", **fields}
    form = aiohttp.FormData()
    form.add_field("photo", values.pop("photo"), filename="x.jpg", content_type="image/jpeg")
    for name, value in values.items():
        form.add_field(name, value)
    status, html, _ = await client.post("/try", form)
    assert status == 400 and message in html
