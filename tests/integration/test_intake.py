"""Hostile and broken input through the real Dispatcher: every file of the corpus, and
everything else people send instead of a product photo, gets a specific answer in the
user's language or is taken as sent; nothing refused is stored."""

from __future__ import annotations

import logging
import threading

import pytest
from aiogram.methods import GetFile, SendChatAction
from aiogram.types import (
    Audio,
    Document,
    MessageOriginChannel,
    MessageOriginUser,
    Sticker,
    Video,
    VideoNote,
    Voice,
)

from bot.services import uploads
from inference import intake
from locales import Translator
from tests.support.conversation import Conversation, next_id
from tests.support.corpus import Sample, corpus, sample
from tests.support.photos import product_photo

STYLE_CHOOSE = {"en": "Got the photo. Choose a style:", "ru": "Фото получено. Выберите стиль:"}
MB = 1024 * 1024


def document(chat: Conversation, s: Sample, file_size: int | None = -1) -> Document:
    file_id = f"doc-{next_id()}"
    chat.bot.add_file(file_id, s.data)
    return Document(
        file_id=file_id,
        file_unique_id=f"u-{file_id}",
        file_name=s.file_name,
        mime_type=s.mime_type,
        file_size=len(s.data) if file_size == -1 else file_size,
    )


def expected_refusal(s: Sample, lang: str) -> str:
    try:
        intake.inspect(s.data, max_pixels=intake.MAX_PIXELS, min_side=uploads.MIN_SIDE)
    except intake.UnusableImage as unusable:
        return Translator.load(lang).get(uploads.REASON_TEXTS[unusable.reason], **unusable.details)
    raise AssertionError(f"{s.name} was not refused")


async def stored_originals(chat: Conversation) -> list[str]:
    return await chat.deps.db.images.ids(chat_id=chat.chat_id)


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("s", corpus(), ids=lambda s: s.name)
async def test_every_file_is_taken_as_sent_or_refused_specifically(
    chat: Conversation, s: Sample, lang: str
):
    chat.lang = lang
    await chat.send(document=document(chat, s))
    originals = await stored_originals(chat)
    if s.outcome == "refused":
        assert s.reason is not None
        assert chat.texts() == [expected_refusal(s, lang)]
        assert originals == [], "a refused file must leave nothing behind"
        return
    assert chat.texts()[-1] == STYLE_CHOOSE[lang]
    [original] = originals
    assert await chat.deps.db.images.get(original) == s.data, "stored exactly as sent"
    if s.animated:
        assert chat.texts()[0] == Translator.load(lang).get("note-animated")


async def test_refusals_name_the_reason(chat: Conversation):
    """The texts themselves, so a wrong mapping cannot pass unnoticed."""
    for name, start in [
        ("zero-byte", "This file is empty"),
        ("truncated-jpeg", "I couldn't read this image"),
        ("text-named-jpg", "This doesn't look like an image"),
        ("decompression-bomb", "This picture has too many pixels for me: at most 50 megapixels"),
        ("huge-dimensions", "This picture has too many pixels"),
        ("svg", "SVG is a vector drawing"),
        ("heic", "I can't open HEIC images"),
    ]:
        await chat.send(document=document(chat, sample(name)))
        assert chat.texts()[-1].startswith(start), name


async def test_avif_without_a_decoder_is_refused_like_heic(
    chat: Conversation, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(intake, "_has_decoder", lambda fmt: False)
    await chat.send(document=document(chat, sample("avif")))
    assert chat.texts() == [Translator.load("en").get("error-no-decoder", format="AVIF")]
    assert await stored_originals(chat) == []


async def test_decoding_happens_off_the_event_loop(
    chat: Conversation, monkeypatch: pytest.MonkeyPatch
):
    threads: list[threading.Thread] = []
    check = uploads.check_image

    def recording(data: bytes) -> intake.Inspected:
        threads.append(threading.current_thread())
        return check(data)

    monkeypatch.setattr(uploads, "check_image", recording)
    await chat.send_photo(product_photo())
    assert threads and threads[0] is not threading.main_thread()
    assert chat.texts() == [STYLE_CHOOSE["en"]]


async def test_a_photo_is_answered_with_typing_while_it_is_checked(chat: Conversation):
    await chat.send_photo(product_photo())
    actions = [a.action for a in chat.bot.session.called(SendChatAction)]
    assert actions and actions[0] == "typing"


async def test_a_document_over_the_limit_is_refused_without_downloading(chat: Conversation):
    big = Document(
        file_id="huge", file_unique_id="uh", file_name="big.jpg", mime_type="image/jpeg",
        file_size=5 * MB,
    )  # fmt: skip
    await chat.send(document=big)
    assert chat.texts() == ["The file is too large: the limit is 2 MB."]
    assert chat.bot.session.called(GetFile) == []


async def test_a_document_without_its_size_is_cut_off_at_the_limit(chat: Conversation):
    data = product_photo() + b"\0" * (3 * MB)  # an image with a long tail, no size given
    file_id = f"doc-{next_id()}"
    chat.bot.add_file(file_id, data)
    chat.bot.session.unsized.add(file_id)
    doc = Document(file_id=file_id, file_unique_id="u1", file_name="a.jpg", mime_type="image/jpeg")
    await chat.send(document=doc)
    assert chat.texts() == ["The file is too large: the limit is 2 MB."]
    assert await stored_originals(chat) == []


async def test_a_document_without_its_size_within_the_limit_is_taken(chat: Conversation):
    s = sample("exif-rotated")
    doc = document(chat, s, file_size=None)
    chat.bot.session.unsized.add(doc.file_id)
    await chat.send(document=doc)
    assert chat.texts() == [STYLE_CHOOSE["en"]]


@pytest.mark.parametrize(
    ("content", "start"),
    [
        (
            {"sticker": Sticker(file_id="s", file_unique_id="s", type="regular", width=512,
                                height=512, is_animated=False, is_video=False)},
            "Stickers can't become product images",
        ),
        (
            {"video": Video(file_id="v", file_unique_id="v", width=640, height=480, duration=3)},
            "I work with photos, not videos",
        ),
        (
            {"video_note": VideoNote(file_id="n", file_unique_id="n", length=240, duration=2)},
            "I work with photos, not videos",
        ),
        ({"voice": Voice(file_id="o", file_unique_id="o", duration=2)}, "I can't listen to audio"),
        ({"audio": Audio(file_id="a", file_unique_id="a", duration=2)}, "I can't listen to audio"),
    ],
    ids=["sticker", "video", "video-note", "voice", "audio"],
)  # fmt: skip
async def test_other_kinds_of_message_get_their_own_answer(
    chat: Conversation, content: dict, start: str
):
    await chat.send(**content)
    [reply] = chat.texts()
    assert reply.startswith(start)
    assert chat.bot.session.called(GetFile) == []


async def test_a_gif_sent_as_an_animation_is_a_video_in_telegram(chat: Conversation):
    from aiogram.types import Animation

    animation = Animation(
        file_id="g", file_unique_id="g", width=160, height=120, duration=1, mime_type="video/mp4"
    )
    doc = Document(file_id="g", file_unique_id="g", file_name="spin.gif.mp4", mime_type="video/mp4")
    await chat.send(animation=animation, document=doc)
    assert chat.texts() == [Translator.load("en").get("error-video")]


async def test_a_video_sent_as_a_file_is_refused_before_download(chat: Conversation):
    doc = Document(file_id="m", file_unique_id="m", file_name="clip.mp4", mime_type="video/mp4")
    await chat.send(document=doc)
    assert chat.texts()[0].startswith("This doesn't look like an image")
    assert chat.bot.session.called(GetFile) == []


RTL_EMOJI = "أريكة زرقاء على رخام أبيض 🛋️✨ שלום 👩🏽‍🎨"


async def test_a_very_long_caption_in_rtl_and_emoji_does_not_matter(chat: Conversation):
    caption = (RTL_EMOJI + " ") * 30
    await chat.send_photo(product_photo(), caption=caption[:1024])
    assert chat.texts() == [STYLE_CHOOSE["en"]]


async def test_rtl_and_emoji_text_is_a_fine_background_description(chat: Conversation):
    await chat.send_photo(product_photo())
    await chat.press_button("st:custom:")
    await chat.send(text=RTL_EMOJI * 200)  # far over the limit, still one polite line
    assert chat.texts()[-1] == "That is too long: please keep it under 300 characters."
    await chat.send(text=RTL_EMOJI)
    assert f"Background: {RTL_EMOJI}" in chat.texts()


async def test_rtl_and_emoji_text_out_of_turn_gets_the_hint(chat: Conversation):
    await chat.send(text=RTL_EMOJI)
    assert chat.texts() == ["Send me a product photo to start, or /help."]


@pytest.mark.parametrize(
    "origin",
    [
        MessageOriginUser(date=0, sender_user={"id": 5, "is_bot": False, "first_name": "Bo"}),
        MessageOriginChannel(
            date=0, chat={"id": -1001, "type": "channel", "title": "Shop"}, message_id=7
        ),
    ],
    ids=["from-a-user", "from-a-channel"],
)
async def test_a_forwarded_photo_is_a_photo(chat: Conversation, origin):
    await chat.send_photo(product_photo(), forward_origin=origin)
    assert chat.texts() == [STYLE_CHOOSE["en"]]
    assert len(await stored_originals(chat)) == 1


async def test_an_album_of_ten_photos_gets_one_clear_answer(chat: Conversation):
    photos = [chat.message(photo=chat.photo_sizes(product_photo()), media_group_id="a1")
              for _ in range(10)]  # fmt: skip
    from aiogram.types import Update

    for message in photos:
        await chat.dp.feed_update(chat.bot, Update(update_id=next_id(), message=message))
    assert chat.texts() == [Translator.load("en").get("note-album"), STYLE_CHOOSE["en"]]
    [keyboard] = [m for m in chat.sent() if m.reply_markup]
    assert keyboard.reply_parameters.message_id == photos[0].message_id
    assert len(await stored_originals(chat)) == 1
    assert len(chat.bot.session.called(GetFile)) == 1


async def test_a_photo_replaced_by_an_edit_is_taken_as_new(chat: Conversation):
    sent = await chat.send_photo(product_photo())
    await chat.edit(sent, caption="new caption only")
    assert len(chat.texts()) == 1, "a caption edit changes nothing"
    await chat.edit(sent, photo=chat.photo_sizes(product_photo((400, 300))))
    assert chat.texts() == [STYLE_CHOOSE["en"]] * 2
    assert len(await stored_originals(chat)) == 2


async def test_an_edited_text_is_ignored(chat: Conversation):
    sent = await chat.send(text="hello")
    await chat.edit(sent, text="hello again")
    assert chat.texts() == ["Send me a product photo to start, or /help."]


async def test_a_failed_download_is_said_kindly_and_never_logs_the_token(
    chat: Conversation, caplog: pytest.LogCaptureFixture
):
    from tests.support.mocked_bot import MockedBot

    token = "4242424242:AAF" + "x" * 32
    chat.bot = MockedBot(token=token)
    caplog.set_level("DEBUG")
    [size] = chat.photo_sizes(product_photo())
    chat.bot.session.broken.add(size.file_id)
    await chat.send(photo=[size])
    assert chat.texts() == ["I couldn't download your file from Telegram. Please send it again."]
    everything = "\n".join(logging.Formatter().format(r) for r in caplog.records)
    assert token not in everything, "tracebacks included"
    assert "ClientResponseError 502" in caplog.text
    assert await stored_originals(chat) == []


async def test_names_and_texts_lose_direction_overrides_but_keep_their_letters(chat):
    chat_user = chat.user.model_copy(update={"first_name": "\u202eAnna\u202c أريكة"})
    message = chat.message(text="/start").model_copy(update={"from_user": chat_user})
    from aiogram.types import Update

    await chat.dp.feed_update(chat.bot, Update(update_id=next_id(), message=message))
    greeting = chat.texts()[0]
    assert greeting.startswith("Hello, Anna أريكة!") and "\u202e" not in greeting
