"""Group chats are refused politely: one message in the sender's language, then the bot
leaves. Vitrina is a private assistant: a user's photos, quota and history are theirs."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from locales import Translator

log = logging.getLogger(__name__)


async def refuse_group(bot: Bot, chat_id: int, t: Translator) -> None:
    """Says why, then leaves (a channel may not even let the bot write: then it only
    leaves). Nothing about the group is stored."""
    me = await bot.me()
    log.info("leaving a group chat")
    try:
        await bot.send_message(chat_id, t.get("group-refused", bot=me.username or ""))
    except TelegramAPIError as error:
        log.info("group refusal not sent: %s", error)
    try:
        await bot.leave_chat(chat_id)
    except TelegramAPIError as error:
        log.warning("could not leave the group: %s", error)
