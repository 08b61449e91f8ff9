"""Turns the panel's notices into Telegram messages: the polite word to a banned chat, and
to an unbanned one. (A finished job's album sent again goes through the lifecycle's
outbox, as every album does.)

Reads the notices stream through a consumer group, like the notifier reads events, so
several bot replicas share the work and a notice is acknowledged once it was handled.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter

from bot.metrics import NOTICES_SENT
from bot.services.deps import BotDeps
from jobs.notices import Notice, NoticeKind, notice_reader
from locales import DEFAULT_LANGUAGE, Translator
from runtime.loops import pause_unless_stopped, run_until

log = logging.getLogger(__name__)
CLAIM_IDLE_MS = 60_000


class NoticeSender:
    def __init__(self, bot: Bot, deps: BotDeps, consumer: str) -> None:
        self._bot = bot
        self._deps = deps
        self._reader = notice_reader(deps.redis, deps.keys, consumer)
        self._stop = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        self._stop = stop
        await run_until(stop, "notices", self._step)

    async def _step(self) -> None:
        entries = await self._reader.reclaim(CLAIM_IDLE_MS, 10)
        entries += await self._reader.read(count=10, block_ms=1000)
        for entry in entries:
            await self._deliver(entry.id, Notice.from_fields(entry.fields))

    async def _deliver(self, entry_id: str, notice: Notice) -> None:
        while True:
            try:
                await self.handle(notice)
                break
            except TelegramRetryAfter as exc:
                await pause_unless_stopped(self._stop, exc.retry_after)
                if self._stop.is_set():
                    return  # left unacknowledged: the next bot sends it
            except (TelegramForbiddenError, TelegramBadRequest) as exc:
                log.warning("notice %s to chat %s not sent: %s", notice.kind, notice.chat_id, exc)
                break
            except Exception:
                # Left unacknowledged: reclaimed and tried again later.
                log.exception("notice %s to chat %s failed", notice.kind, notice.chat_id)
                return
        await self._reader.ack(entry_id)

    async def handle(self, notice: Notice) -> None:
        chat = await self._deps.db.chats.get(notice.chat_id)
        t = Translator.load(chat.lang if chat else DEFAULT_LANGUAGE)
        if notice.kind == NoticeKind.BANNED:
            await self._bot.send_message(notice.chat_id, t.get("notice-banned"))
        elif notice.kind == NoticeKind.UNBANNED:
            await self._bot.send_message(notice.chat_id, t.get("notice-unbanned"))
        NOTICES_SENT.labels(kind=notice.kind).inc()
