"""Messages to the admins in Telegram, each in the language of the admin's chat."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError

from locales import DEFAULT_LANGUAGE, Translator
from settings import Settings
from storage.store import Storage

log = logging.getLogger(__name__)


class Admins(Protocol):
    async def tell(self, key: str, **args: Any) -> None:
        """Sends the text `key` of locales to every admin."""
        ...


class TelegramAdmins:
    def __init__(self, bot: Bot, storage: Storage, admin_ids: list[int]) -> None:
        self._bot = bot
        self._storage = storage
        self._admin_ids = admin_ids

    async def tell(self, key: str, **args: Any) -> None:
        for admin_id in self._admin_ids:
            chat = await self._storage.chats.get(admin_id)
            text = Translator.load(chat.lang if chat else DEFAULT_LANGUAGE).get(key, **args)
            try:
                await self._bot.send_message(admin_id, text)
            except TelegramAPIError as exc:  # an admin who never started the bot, say
                log.warning("admin %s not told %s: %s", admin_id, key, exc)


class LoggedAdmins:
    """Without a bot token (or admins) the messages go to the log only."""

    async def tell(self, key: str, **args: Any) -> None:
        log.warning("for the admins: %s", Translator.load(DEFAULT_LANGUAGE).get(key, **args))


def admin_bot(settings: Settings) -> Bot | None:
    """A Bot used only to send the admins' messages; None without a token or admins."""
    if settings.bot_token is None or not settings.admin_ids:
        return None
    api = settings.telegram_api_url
    session = AiohttpSession(api=TelegramAPIServer.from_base(api)) if api else AiohttpSession()
    return Bot(settings.bot_token.get_secret_value(), session=session)
