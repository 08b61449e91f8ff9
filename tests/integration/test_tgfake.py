"""The Telegram fake speaks the Bot API the way a real aiogram Bot uses it."""

from __future__ import annotations

import asyncio
import gc
import io
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.methods import Response
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
)
from aiohttp import ClientSession
from PIL import Image

from bot.main import build_bot
from bot.response_types import KeepResponseTypes
from settings import Settings
from tests.support.tgfake import TelegramServer
from tests.support.waiting import eventually

TOKEN = "123456:TEST"
CHAT = 1001


def image_bytes(size: tuple[int, int], fmt: str = "PNG", color: str = "red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, fmt)
    return buf.getvalue()


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    row = [InlineKeyboardButton(text=text, callback_data=data) for text, data in pairs]
    return InlineKeyboardMarkup(inline_keyboard=[row])


@pytest.fixture
async def server() -> AsyncIterator[TelegramServer]:
    async with TelegramServer(token=TOKEN) as fake:
        yield fake


def make_bot(server: TelegramServer, token: str = TOKEN) -> Bot:
    api = TelegramAPIServer.from_base(server.api_url)
    return Bot(token, session=AiohttpSession(api=api))


@pytest.fixture
async def bot(server: TelegramServer) -> AsyncIterator[Bot]:
    client = make_bot(server)
    yield client
    await client.session.close()


async def test_get_me_and_wrong_token(server: TelegramServer, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "vitrina_test_bot")
    intruder = make_bot(server, "999:WRONG")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await intruder.get_me()
    finally:
        await intruder.session.close()


async def test_unknown_method_is_404(server: TelegramServer) -> None:
    async with ClientSession() as http:
        resp = await http.post(f"{server.api_url}/bot{TOKEN}/sendTelepathy", data={"a": "1"})
        body = await resp.json()
    assert resp.status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}


async def test_replies_can_be_held_back_by_a_round_trip_errors_too():
    """The benchmark's stand-in for Telegram across the internet: every reply, an error's
    too, leaves `reply_after_s` after its request; the request is logged on arrival."""
    async with TelegramServer(token=TOKEN, reply_after_s=0.3) as far, ClientSession() as http:
        for method in ("getMe", "sendTelepathy"):
            started = time.monotonic()
            resp = await http.post(f"{far.api_url}/bot{TOKEN}/{method}")
            await resp.read()
            assert time.monotonic() - started >= 0.3, method
        assert [c.method for c in far.requests] == ["getMe", "sendTelepathy"]


async def test_send_message_and_edits(server: TelegramServer, bot: Bot) -> None:
    user = server.user(CHAT, first_name="Anna", language_code="ru")
    sent = await bot.send_message(
        CHAT, "<b>Hi</b> there", parse_mode="HTML", reply_markup=keyboard(("Go", "go"))
    )
    assert sent.chat.first_name == "Anna" and sent.chat.type == "private"
    assert sent.text == "Hi there" and sent.entities[0].type == "bold"
    stored = user.messages[-1]
    assert stored.message_id == sent.message_id and stored.buttons[0]["callback_data"] == "go"

    edited = await bot.edit_message_text("Done", chat_id=CHAT, message_id=sent.message_id)
    assert edited.text == "Done" and edited.edit_date is not None
    assert stored.text == "Done" and stored.edits[0]["text"] == "Hi there"
    assert stored.reply_markup is None  # omitting reply_markup removes the keyboard

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Done", chat_id=CHAT, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=CHAT, message_id=999)
    assert [c.error_code for c in server.calls("editMessageText")] == [None, 400, 400]


async def test_bad_requests_have_telegram_descriptions(server: TelegramServer, bot: Bot) -> None:
    server.user(CHAT)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "x", reply_markup=keyboard(("Long", "x" * 65)))
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(42, "nobody here")
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(CHAT, "<b>open", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="too much messages"):
        photo = BufferedInputFile(image_bytes((20, 20)), "p.png")
        await bot.send_media_group(CHAT, [InputMediaPhoto(media=photo)] * 11)


async def test_send_photo_keeps_bytes_and_sizes(server: TelegramServer, bot: Bot) -> None:
    user = server.user(CHAT)
    png = image_bytes((1000, 500))
    sent = await bot.send_photo(CHAT, BufferedInputFile(png, "out.png"), caption="Result")
    assert [(p.width, p.height) for p in sent.photo] == [
        (90, 45),
        (320, 160),
        (800, 400),
        (1000, 500),
    ]
    assert sent.caption == "Result"
    assert user.messages[-1].photo_bytes == png
    downloaded = await bot.download(sent.photo[-1].file_id)
    assert downloaded is not None and downloaded.read() == png

    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(CHAT, BufferedInputFile(b"not an image", "x.png"))


async def test_send_document(server: TelegramServer, bot: Bot) -> None:
    user = server.user(CHAT)
    data = image_bytes((64, 64))
    sent = await bot.send_document(CHAT, BufferedInputFile(data, "full.png"))
    assert sent.document.file_name == "full.png" and sent.document.mime_type == "image/png"
    assert sent.document.file_size == len(data)
    assert user.messages[-1].document_bytes == data


async def test_send_media_group(server: TelegramServer, bot: Bot) -> None:
    user = server.user(CHAT)
    first, second = image_bytes((300, 200), color="blue"), image_bytes((200, 300), color="green")
    album = [
        InputMediaPhoto(media=BufferedInputFile(first, "1.png"), caption="Two variants"),
        InputMediaPhoto(media=BufferedInputFile(second, "2.png")),
    ]
    sent = await bot.send_media_group(CHAT, album)
    assert len(sent) == 2 and sent[0].media_group_id == sent[1].media_group_id is not None
    assert sent[0].caption == "Two variants" and sent[1].caption is None
    assert [m.photo_bytes for m in user.messages] == [first, second]
    assert (sent[1].photo[-1].width, sent[1].photo[-1].height) == (200, 300)


async def test_retry_after_surfaces_as_telegram_retry_after(
    server: TelegramServer, bot: Bot
) -> None:
    server.user(CHAT)
    server.fail_next("sendMediaGroup", retry_after=1)
    album = [
        InputMediaPhoto(media=BufferedInputFile(image_bytes((10, 10)), f"{i}.png"))
        for i in range(2)
    ]
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_media_group(CHAT, album)
    assert caught.value.retry_after == 1
    assert "Too Many Requests: retry after 1" in caught.value.message
    assert len(await bot.send_media_group(CHAT, album)) == 2  # only the next call fails


async def test_get_updates_long_polls_and_honours_offset(server: TelegramServer, bot: Bot) -> None:
    user = server.user(CHAT, first_name="Anna", language_code="ru")

    async def type_later() -> None:
        await asyncio.sleep(0.3)
        await user.send_text("/start")

    typing = asyncio.create_task(type_later())
    started = time.monotonic()
    updates = await bot.get_updates(timeout=10)
    await typing
    assert 0.2 < time.monotonic() - started < 9  # waited, then returned on arrival, not at 10 s
    message = updates[0].message
    assert message.text == "/start" and message.from_user.language_code == "ru"
    assert message.entities[0].type == "bot_command"
    assert len(await bot.get_updates(timeout=0)) == 1  # not confirmed yet
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == []

    await user.send_text("ignored")
    assert await bot.get_updates(timeout=0, allowed_updates=["callback_query"]) == []


async def test_user_photo_downloads_through_bot(server: TelegramServer, bot: Bot) -> None:
    user = server.user(CHAT)
    jpeg = image_bytes((1600, 1200), "JPEG")
    await user.send_photo(jpeg, caption="my product")
    [update] = await bot.get_updates(timeout=1)
    photo = update.message.photo
    assert len(photo) > 1 and (photo[-1].width, photo[-1].height) == (1600, 1200)
    assert update.message.caption == "my product"
    downloaded = await bot.download(photo[-1])
    assert downloaded is not None and downloaded.read() == jpeg
    thumb = await bot.download(photo[0])
    assert thumb is not None and Image.open(thumb).size == (90, 67)


async def test_press_arrives_as_callback_query(server: TelegramServer, bot: Bot) -> None:
    user = server.user(CHAT)
    sent = await bot.send_message(
        CHAT, "Pick", reply_markup=keyboard(("Yes", "pick:yes"), ("No", "pick:no"))
    )
    query_id = await user.press(user.messages[-1], "pick:no")
    [update] = await bot.get_updates(timeout=1)
    query = update.callback_query
    assert isinstance(query, CallbackQuery)
    assert (query.id, query.data, query.message.message_id) == (
        query_id,
        "pick:no",
        sent.message_id,
    )
    await query.answer("Saved", show_alert=True)  # shortcut bound to this bot
    answer = await user.wait_callback_answer(query_id)
    assert answer["text"] == "Saved" and answer["show_alert"] is True
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(LookupError, match="pick:yes"):
        await user.press(sent.message_id, "pick:maybe")


async def test_dispatcher_round_trip_and_wait_for_dump(server: TelegramServer, bot: Bot) -> None:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        reply = await message.answer("Hello!", reply_markup=keyboard(("Go", "go")))
        await reply.edit_text("Hello, Anna!", reply_markup=keyboard(("Go", "go")))

    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False, polling_timeout=1)
    )
    try:
        user = server.user(CHAT, first_name="Anna")
        await user.send_text("/start")
        greeting = await user.wait_for(lambda m: m.text == "Hello, Anna!", timeout=10)
        assert greeting.edits[0]["text"] == "Hello!" and greeting.buttons[0]["text"] == "Go"
        await user.send_text("/unknown")  # no handler: the bot stays silent
        with pytest.raises(
            TimeoutError, match=r"\(nothing\)\n.*\n  #2 text='Hello, Anna!'"
        ) as dump:
            await user.wait_for(timeout=0.5)
        assert "editMessageText(text='Hello, Anna!'" in str(dump.value)
    finally:
        await dp.stop_polling()
        await polling


async def test_commands_actions_logging_and_blocking(server: TelegramServer, bot: Bot) -> None:
    user = server.user(CHAT)
    await bot.set_my_commands(
        [BotCommand(command="start", description="Begin")], language_code="ru"
    )
    assert server.my_commands("ru") == [{"command": "start", "description": "Begin"}]
    assert [c.command for c in await bot.get_my_commands(language_code="ru")] == ["start"]
    assert await bot.get_my_commands() == []
    await bot.send_chat_action(CHAT, "upload_photo")
    assert user.chat_actions == ["upload_photo"]

    png = image_bytes((40, 40))
    await bot.send_photo(CHAT, BufferedInputFile(png, "a.png"), caption="c")
    logged = server.calls("sendPhoto")[-1].params
    assert logged["chat_id"] == CHAT and logged["photo"].data == png and logged["caption"] == "c"

    user.block_bot()
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "anyone there?")


async def test_second_poller_terminates_the_first(server: TelegramServer, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=60))
    await eventually(lambda: server.calls("getUpdates"))
    assert await bot.get_updates(timeout=0) == []
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await first


async def test_other_kinds_of_message_parse_as_aiogram_types(
    server: TelegramServer, bot: Bot
) -> None:
    user = server.user(CHAT)
    await user.send_sticker()
    await user.send_video()
    await user.send_voice()
    shop = {"id": -1001, "type": "channel", "title": "Shop"}
    origin = {"type": "channel", "date": 1, "message_id": 5, "chat": shop}
    photo = await user.send_photo(image_bytes((320, 240), "JPEG"), forward_origin=origin)
    await user.edit_photo(photo, image_bytes((400, 300), "JPEG"))
    sticker, video, voice, forwarded, edited = [
        u.message or u.edited_message for u in await bot.get_updates(timeout=0)
    ]
    assert sticker.sticker.type == "regular" and video.video.duration == 3
    assert voice.voice.mime_type == "audio/ogg"
    assert forwarded.forward_origin.chat.title == "Shop"
    assert edited.edit_date is not None and edited.photo[-1].width == 400


async def test_a_document_without_its_size_and_a_failing_download(
    server: TelegramServer, bot: Bot
) -> None:
    user = server.user(CHAT)
    await user.send_document(b"abc", file_name="a.png", mime_type="image/png", size_known=False)
    [update] = await bot.get_updates(timeout=0)
    document = update.message.document
    assert document.file_size is None
    file = await bot.get_file(document.file_id)
    assert file.file_size is None
    server.fail_download(document.file_id, status=502)
    with pytest.raises(aiohttp.ClientResponseError) as failure:
        await bot.download(document.file_id)
    assert failure.value.status == 502


async def test_a_group_with_the_bot_added_and_left(server: TelegramServer, bot: Bot) -> None:
    group = server.group(-100_555, member=CHAT, title="Shop team")
    server.add_bot_to(group)
    await group.send_text("/start")
    joined, message = await bot.get_updates(timeout=0)
    assert joined.my_chat_member.new_chat_member.status == "member"
    assert (message.message.chat.type, message.message.chat.title) == ("supergroup", "Shop team")
    assert message.message.from_user.id == CHAT
    await bot.send_message(group.chat_id, "bye")
    assert await bot.leave_chat(group.chat_id)
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(group.chat_id, "still here?")
    with pytest.raises(TelegramBadRequest):
        await bot.leave_chat(CHAT)  # a private chat cannot be left


async def test_the_bots_session_keeps_its_response_models(server: TelegramServer) -> None:
    """aiogram builds `Response[<return type>]` for each reply and pydantic keeps it only
    weakly; the bot's session holds each one it used, so pydantic finds it again."""
    server.user(CHAT, first_name="Anna")
    bot = build_bot(Settings(bot_token=TOKEN, telegram_api_url=server.api_url))
    try:
        await bot.send_chat_action(CHAT, "typing")
        await bot.send_message(CHAT, "hi")
        gc.collect()
        keepers = [m for m in bot.session.middleware if isinstance(m, KeepResponseTypes)]
        assert len(keepers) == 1
        kept = keepers[0].kept
        assert kept[bool] is Response[bool] and kept[Message] is Response[Message]
    finally:
        await bot.session.close()
