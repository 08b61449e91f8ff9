"""A full queue refuses kindly, gives the quota back and keeps the user's photo and choices."""

from __future__ import annotations

import pytest

from keyboards.callbacks import OptionCb
from storage.store import Storage
from tests.support.e2e import choose, press
from tests.support.photos import product_photo


@pytest.fixture(scope="module")
async def service(start_service):
    """No worker, and room for one waiting job."""
    async with start_service(worker=False, extra_env={"QUEUE_LIMIT": "1"}) as service:
        yield service


async def test_a_full_queue_refuses_and_keeps_the_choices(service, redis):
    user = service.telegram.user(40_001, language_code="ru")
    options = []
    for said in ("⏳", "Очередь сейчас заполнена"):
        await user.send_photo(product_photo())
        options.append(await choose(user, "loft", 2))
        await press(user, options[-1], OptionCb(action="generate").pack())
        reply = await user.wait_for(lambda m, s=said: s in m.text)
    # Refused before any status message promised it a place: one status message in all.
    assert reply.text.startswith("Очередь сейчас заполнена")
    assert not reply.buttons
    assert sum("⏳" in (m.text or "") for m in user.messages) == 1
    kept = user.chat.messages[options[1].message_id].buttons
    assert any(b["callback_data"].startswith(OptionCb(action="generate").pack()) for b in kept)
    settings = service.settings
    db = await Storage.open(settings.mongo_url, settings.mongo_db)
    try:
        assert len(await db.jobs.for_chat(40_001, 0, 10)) == 1
    finally:
        await db.close()
    # The refused job's images were given back: only the queued one's are counted.
    for kind in ("user", "chat"):
        pattern = f"{settings.stream_prefix}:quota:{kind}:40001:*"
        quota = [k async for k in redis.scan_iter(match=pattern)]
        assert [list((await redis.hgetall(k)).values()) for k in quota] == [["2"]]
