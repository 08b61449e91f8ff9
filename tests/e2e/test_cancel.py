"""Cancel while queued: the job never runs, even when a worker comes later."""

from __future__ import annotations

import pytest

from jobs.consumer import JobConsumer
from jobs.heartbeat import beat
from jobs.names import Keys
from storage.status import JobStatus
from storage.store import Storage
from tests.support.e2e import order
from tests.support.photos import product_photo
from tests.support.waiting import eventually


@pytest.fixture
async def service(start_service):
    """Each test its own service, with no worker yet: every job stays queued."""
    async with start_service(worker=False) as service:
        yield service


async def test_the_status_message_follows_the_queue(service, redis):
    user = service.telegram.user(20_002, language_code="en")
    first = await order(user, product_photo(), style="loft", count=1)
    second = await order(user, product_photo(), style="loft", count=1)
    assert (first.text, second.text) == (
        "⏳ In the queue, you are next.",
        "⏳ In the queue, position 2.",
    )
    keys = Keys(service.settings.stream_prefix)
    worker = JobConsumer(redis, keys, "w", claim_idle_s=300, heartbeat_s=10)
    await worker.start()
    await beat(redis, keys, "w", {}, ttl_s=300)
    [taken] = await worker.take(count=1, block_ms=1000)  # a worker takes the first job
    moved = await user.wait_for(lambda m: m.message_id == second.message_id, timeout=15)
    assert moved.text == "⏳ In the queue, you are next."
    assert [b["text"] for b in moved.buttons] == ["✖️ Cancel"]
    await worker.ack(taken)
    await user.send_text("/cancel")
    await user.wait_for(lambda m: m.text == "Cancelled." and m.message_id == second.message_id)


async def test_cancel_button_and_command_stop_queued_jobs_for_good(service):
    user = service.telegram.user(20_001, language_code="en")
    first = await order(user, product_photo(), style="loft", count=1)
    assert [b["text"] for b in first.buttons] == ["✖️ Cancel"]
    query = await user.press(first, text="✖️ Cancel")
    assert (await user.wait_callback_answer(query))["text"] == "Cancelled."
    edited = await user.wait_for(lambda m: m.message_id == first.message_id)
    assert edited.text == "Cancelled." and not edited.buttons

    second = await order(user, product_photo(), style="loft", count=1)
    await user.send_text("/cancel")
    # The reply and the status message's edit (by the notifier), in either order.
    await eventually(lambda: user.chat.messages[second.message_id].text == "Cancelled.")
    await eventually(
        lambda: any(
            m.text == "Cancelled." and m.message_id > second.message_id for m in user.messages
        )
    )

    await service.start_worker()
    await user.expect_silence(3.0)
    settings = service.settings
    db = await Storage.open(settings.mongo_url, settings.mongo_db)
    try:
        jobs = await db.jobs.for_chat(20_001, 0, 10)
    finally:
        await db.close()
    assert [j.status for j in jobs] == [JobStatus.CANCELLED, JobStatus.CANCELLED]
    assert all(not j.result_image_ids for j in jobs)
