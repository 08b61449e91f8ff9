"""The whole conversation: real bot and worker processes, real Redis and MongoDB protocol,
a fake Telegram server speaking the Bot API over HTTP."""

from __future__ import annotations

import pytest

from keyboards.callbacks import JobAction, JobCb, OptionCb
from storage.store import Storage
from tests.support.e2e import choose, order, press
from tests.support.ids import new_chat_id as chat_id
from tests.support.photos import decode, product_photo

DONE = {"en": "✅ Done.", "ru": "✅ Готово."}


@pytest.fixture(scope="module")
async def service(start_service):
    """One service for the journeys that do not depend on the queue's state."""
    async with start_service(worker=True, daily_quota=12) as service:
        yield service


async def album(user, count: int) -> tuple[list, object]:
    """The result photos, and the message with the actions under them."""
    first = await user.wait_for(lambda m: bool(m.photo), timeout=120)
    photos = [first]
    while len(photos) < count:
        photos.append(await user.wait_for(lambda m: bool(m.photo)))
    assert len({p.media_group_id for p in photos}) == 1
    regenerate = JobCb(action=JobAction.REGENERATE, job_id="").pack()
    actions = await user.wait_for(
        lambda m: any(b["callback_data"].startswith(regenerate) for b in m.buttons)
    )
    return photos, actions


async def test_start_greets_in_the_users_language(service):
    user = service.telegram.user(chat_id(), language_code="ru", first_name="Анна")
    await user.send_text("/start")
    greeting = await user.wait_for()
    assert greeting.text.startswith("Здравствуйте, Анна!")
    hint = await user.wait_for()
    assert "файлом" in hint.text


@pytest.fixture
async def own_service(start_service):
    """A service of the test's own, for what depends on the queue being empty."""
    async with start_service(worker=True) as service:
        yield service


async def test_photo_to_album_with_the_asked_number_of_images(own_service):
    service = own_service
    user = service.telegram.user(chat_id(), language_code="en")
    photo = product_photo()
    status = await order(user, photo, style="scandinavian", count=2)
    assert status.text == "⏳ In the queue, you are next."
    photos, actions = await album(user, 2)
    assert photos[0].caption == "Scandinavian · 2 images"
    for p in photos:
        assert decode(p.photo_bytes).size == decode(photo).size
    assert actions.text == "What next?"
    assert [b["text"] for b in actions.buttons] == [
        "🔁 Regenerate",
        "➕ More like this",
        "🎨 Change style",
        "📎 Send as files",
        "✂️ Check the cut-out",
    ]
    assert user.chat.messages[status.message_id].text == DONE["en"]


async def test_regenerate_and_send_as_files(service):
    user = service.telegram.user(chat_id(), language_code="en")
    await order(user, product_photo(), style="studio-white", count=1)
    [first], actions = await album(user, 1)
    await user.press(actions, text="🔁 Regenerate")
    await user.wait_for(lambda m: "⏳" in (m.text or ""))
    [second], again = await album(user, 1)
    assert second.message_id > first.message_id
    await user.press(again, text="📎 Send as files")
    document = await user.wait_for(lambda m: bool(m.document))
    assert user.chat_actions[-1] == "upload_document"
    assert document.document["file_name"].endswith(".png")
    assert decode(document.document_bytes).format == "PNG"


async def test_a_file_that_is_not_an_image_is_refused_kindly(service):
    user = service.telegram.user(chat_id(), language_code="en")
    await user.send_document(
        b"%PDF-1.4 not an image", file_name="spec.pdf", mime_type="application/pdf"
    )
    reply = await user.wait_for()
    assert reply.text == "This doesn't look like an image. Please send a JPEG, PNG or WEBP photo."
    await user.send_document(b"\x89PNG\r\n\x1a\n broken", file_name="x.png", mime_type="image/png")
    reply = await user.wait_for()
    assert reply.text.startswith("I couldn't read this image")


async def test_an_image_sent_as_a_file_keeps_its_size(service):
    user = service.telegram.user(chat_id(), language_code="ru")
    png = product_photo((400, 300), fmt="PNG")
    await user.send_document(png, file_name="sofa.png", mime_type="image/png")
    options = await choose(user, "loft", 1)
    assert options.edits[0]["text"] == "Фото получено. Выберите стиль:"
    await press(user, options, OptionCb(action="generate").pack())
    [result], _ = await album(user, 1)
    assert decode(result.photo_bytes).size == (400, 300)


async def test_album_survives_telegram_flood_control(service):
    user = service.telegram.user(chat_id(), language_code="en")
    service.telegram.fail_next("sendMediaGroup", retry_after=1)
    await order(user, product_photo(), count=2)
    photos, _ = await album(user, 2)
    assert len(photos) == 2
    failed = [c for c in service.telegram.calls("sendMediaGroup") if not c.ok]
    assert failed


async def test_history_lists_jobs_newest_first_and_resends(service):
    user = service.telegram.user(chat_id(), language_code="en")
    await user.send_text("/history")
    assert (await user.wait_for()).text.startswith("You have no jobs yet")
    for style in ("loft", "nature"):
        await order(user, product_photo(), style=style, count=1)
        await album(user, 1)
    await user.send_text("/history")
    page = await user.wait_for(lambda m: (m.text or "").startswith("Your jobs"))
    lines = page.text.splitlines()
    assert "Nature" in lines[1] and "Loft" in lines[2]
    await user.press(page, text="📨 Send again #2")
    [resent], _ = await album(user, 1)
    assert resent.caption.startswith("Loft")


async def test_language_switch(service):
    user = service.telegram.user(chat_id(), language_code="en")
    await user.send_text("/language")
    choose = await user.wait_for()
    await user.press(choose, text="🇷🇺 Русский")
    await user.wait_for(lambda m: m.text == "Язык: русский.")
    await user.send_text("/help")
    assert (await user.wait_for()).text.startswith("Как это работает")


async def with_db(service, action):
    settings = service.settings
    db = await Storage.open(settings.mongo_url, settings.mongo_db)
    try:
        return await action(db)
    finally:
        await db.close()


async def test_a_banned_chat_is_told_so_and_nothing_else(service):
    user = service.telegram.user(chat_id(), language_code="en")
    await user.send_text("/start")
    await user.wait_for()
    await with_db(service, lambda db: db.chats.set_banned(user.chat_id, True))
    await user.send_photo(product_photo())
    assert (await user.wait_for()).text == "Access to the bot is closed for this chat."
    await user.expect_silence(1.0)


async def test_the_daily_quota_is_kept_and_the_photo_is_not_lost(service):
    user = service.telegram.user(chat_id(), language_code="en")
    await user.send_text("/help")
    await user.wait_for()
    await with_db(service, lambda db: db.chats.set_daily_quota(user.chat_id, 3))
    await order(user, product_photo(), count=2)
    await album(user, 2)
    await user.send_photo(product_photo())
    options = await choose(user, "loft", 2)
    await press(user, options, OptionCb(action="generate").pack())
    refusal = await user.wait_for(lambda m: "limit" in (m.text or ""))
    assert refusal.text.startswith("You have used today's limit of 3 images")
    await with_db(service, lambda db: db.chats.set_daily_quota(user.chat_id, 10))
    await press(user, options, OptionCb(action="generate").pack())  # the same photo, kept
    photos, _ = await album(user, 2)
    assert len(photos) == 2


async def test_change_style_and_more_like_this_reuse_the_same_photo(service):
    user = service.telegram.user(chat_id(), language_code="en")
    await order(user, product_photo(), style="loft", count=1)
    _, actions = await album(user, 1)
    await user.press(actions, text="🎨 Change style")
    options = await choose(user, "nature", 1)
    assert options.edits[0]["text"] == "Got the photo. Choose a style:"
    await press(user, options, OptionCb(action="generate").pack())
    [nature], actions = await album(user, 1)
    assert nature.caption == "Nature · 1 image"
    await user.press(actions, text="➕ More like this")
    [more], _ = await album(user, 1)
    assert more.caption == "Nature · 1 image"
    jobs = await with_db(service, lambda db: db.jobs.for_chat(user.chat_id, 0, 5))
    assert [j.style for j in jobs] == ["nature", "nature", "loft"]
    assert len({j.input_image_id for j in jobs}) == 1
    assert jobs[0].parent_job_id == jobs[1].id
    assert jobs[0].seed == jobs[1].seed + jobs[1].count
