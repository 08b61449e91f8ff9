"""Hostile and broken input through the real bot process and the fake Telegram server:
every file of the corpus and everything else people send gets its own answer in the
user's language, or is taken; the bot never goes silent and never falls over."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from keyboards.callbacks import StyleCb
from locales import Translator
from storage.store import Storage
from tests.support.corpus import corpus, sample
from tests.support.e2e import Service, has_button
from tests.support.ids import new_chat_id
from tests.support.photos import product_photo
from tests.support.waiting import eventually

RTL_EMOJI = "أريكة زرقاء على رخام أبيض 🛋️✨ שלום 👩🏽‍🎨"
REFUSALS = {
    "empty": ("error-empty", {}),
    "corrupt": ("error-corrupt", {}),
    "not-image": ("error-not-image", {}),
    "too-many-pixels": ("error-too-many-pixels", {"limit": 50}),
    "svg": ("error-svg", {}),
    "no-decoder": ("error-no-decoder", {"format": "HEIC"}),
}


@pytest.fixture(scope="module")
async def service(start_service) -> AsyncIterator[Service]:
    async with start_service(worker=False, extra_env={"MAX_UPLOAD_MB": "1"}) as service:
        yield service


def new_user(service: Service, lang: str = "en"):
    return service.telegram.user(new_chat_id(), language_code=lang)


def styles_keyboard(message) -> bool:
    return has_button(message, StyleCb(style="loft").pack())


async def originals(service: Service, chat_id: int) -> list[str]:
    db = await Storage.open(service.settings.mongo_url, service.settings.mongo_db)
    try:
        return await db.images.ids(chat_id=chat_id)
    finally:
        await db.close()


@pytest.mark.parametrize("lang", ["ru", "en"])
async def test_every_file_of_the_corpus(service: Service, lang: str):
    t = Translator.load(lang)
    for s in corpus():
        user = new_user(service, lang)
        await user.send_document(s.data, file_name=s.file_name, mime_type=s.mime_type)
        if s.outcome == "refused":
            key, args = REFUSALS[s.reason]
            reply = await user.wait_for()
            assert reply.text == t.get(key, **args), s.name
            assert await originals(service, user.chat_id) == [], s.name
            continue
        if s.animated:
            assert (await user.wait_for()).text == t.get("note-animated"), s.name
        keyboard = await user.wait_for(styles_keyboard)
        assert keyboard.text == t.get("style-choose"), s.name
        [original] = await originals(service, user.chat_id)
        assert original, s.name


async def test_a_phone_photo_sent_as_a_photo(service: Service):
    user = new_user(service)
    await user.send_photo(sample("exif-rotated").data)
    await user.wait_for(styles_keyboard)
    assert "typing" in user.chat_actions


async def test_files_over_the_limit_with_and_without_their_size(service: Service):
    user = new_user(service)
    big = product_photo((400, 300)) + b"\0" * (2 * 1024 * 1024)
    await user.send_document(big, file_name="big.jpg", mime_type="image/jpeg")
    assert (await user.wait_for()).text == "The file is too large: the limit is 1 MB."
    await user.send_document(big, file_name="big.jpg", mime_type="image/jpeg", size_known=False)
    assert (await user.wait_for()).text == "The file is too large: the limit is 1 MB."
    assert await originals(service, user.chat_id) == []


async def test_stickers_videos_and_voice(service: Service):
    user = new_user(service, "ru")
    t = Translator.load("ru")
    await user.send_sticker()
    assert (await user.wait_for()).text == t.get("error-sticker")
    await user.send_video()
    assert (await user.wait_for()).text == t.get("error-video")
    await user.send_voice()
    assert (await user.wait_for()).text == t.get("error-voice")


async def test_a_long_rtl_caption_and_a_forwarded_photo_are_photos(service: Service):
    user = new_user(service)
    await user.send_photo(product_photo(), caption=(RTL_EMOJI * 40)[:1024])
    await user.wait_for(styles_keyboard)
    origin = {"type": "hidden_user", "date": 1, "sender_user_name": "Someone ‮evil"}
    await user.send_photo(product_photo(), forward_origin=origin)
    await user.wait_for(styles_keyboard)
    assert len(await originals(service, user.chat_id)) == 2


async def test_an_album_of_ten_photos_gets_one_clear_answer(service: Service):
    user = new_user(service)
    sent = await user.send_album([product_photo() for _ in range(10)])
    note = await user.wait_for()
    assert note.text == Translator.load("en").get("note-album")
    keyboard = await user.wait_for(styles_keyboard)
    taken = keyboard["reply_to_message"]["message_id"]
    assert taken in {m.message_id for m in sent}
    await user.expect_silence(1.5)
    assert len(await originals(service, user.chat_id)) == 1


async def test_an_edited_photo_is_taken_anew_and_a_caption_edit_is_not(service: Service):
    user = new_user(service)
    photo = await user.send_photo(product_photo())
    await user.wait_for(styles_keyboard)
    await user.edit_caption(photo, "only the caption")
    await user.expect_silence(1.5)
    await user.edit_photo(photo, product_photo((400, 300)))
    await user.wait_for(styles_keyboard)
    assert len(await originals(service, user.chat_id)) == 2


async def test_a_failed_download_is_answered_kindly(service: Service):
    user = new_user(service)
    message = await user.send_document(product_photo(), file_name="p.jpg", mime_type="image/jpeg")
    service.telegram.fail_download(message.document["file_id"])
    # Set before this test yields again: the bot asks for the file only after that.
    reply = await user.wait_for()
    assert reply.text == "I couldn't download your file from Telegram. Please send it again."


async def test_a_group_is_told_and_left(service: Service):
    member = new_chat_id()
    group = service.telegram.group(-1_000_000_000_000 - member, member=member, language_code="ru")
    service.telegram.add_bot_to(group)
    refusal = await group.wait_for()
    assert refusal.text.startswith("Я работаю только в личных чатах")
    assert refusal.text.endswith("@vitrina_test_bot")
    await eventually(lambda: group.chat.left, what="the bot leaving the group")


async def test_the_menu_is_there_for_every_language(service: Service):
    default = service.telegram.my_commands(language_code="")
    assert [c["command"] for c in default][:2] == ["start", "help"]
    assert default[0]["description"] == "Start"
    assert service.telegram.my_commands(language_code="ru")[0]["description"] == "Начать"
    assert service.telegram.my_commands(language_code="uk")[0]["description"] == "Начать"
    assert "forget" in [c["command"] for c in default]
