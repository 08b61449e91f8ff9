"""The bot turns the panel's notices into messages: the ban's one polite word, albums again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import SendMessage

from bot.main import open_deps
from bot.notices import NoticeSender
from bot.services.deps import BotDeps
from jobs.notices import Notice, NoticeKind, send_notice
from settings import Settings
from tests.support.mocked_bot import MockedBot, MockedSession
from tests.support.panel import seed_chat
from tests.support.waiting import eventually


@pytest.fixture
async def deps(settings: Settings) -> AsyncIterator[BotDeps]:
    async with open_deps(settings) as opened:
        yield opened
        await opened.db.client.drop_database(settings.mongo_db)


@pytest.fixture
async def sender(deps: BotDeps) -> AsyncIterator[MockedBot]:
    bot = MockedBot()
    stop = asyncio.Event()
    running = asyncio.create_task(NoticeSender(bot, deps, "test").run(stop))
    yield bot
    stop.set()
    await running


async def test_a_banned_chat_is_told_once_in_its_language(deps, sender):
    await seed_chat(deps.db, 8101, lang="ru")
    await send_notice(deps.redis, deps.keys, Notice(kind=NoticeKind.BANNED, chat_id=8101))
    sent = await eventually(lambda: sender.session.called(SendMessage))
    assert [m.chat_id for m in sent] == [8101]
    assert "Администраторы закрыли доступ" in sent[0].text
    pending = await deps.redis.xpending(deps.keys.notices, "notifiers")
    assert pending["pending"] == 0  # acknowledged: never sent twice


class FloodedSession(MockedSession):
    """Telegram asks the bot to wait an hour before its next message."""

    async def make_request(self, bot, method, timeout=None):
        self.calls.append(method)
        if isinstance(method, SendMessage):
            raise TelegramRetryAfter(method, "Too Many Requests: retry after 3600", 3600)
        return self._answer(method)


async def test_a_bot_stopped_in_a_flood_wait_stops_and_leaves_the_notice_for_the_next(deps):
    bot = MockedBot()
    bot.session = FloodedSession()
    await seed_chat(deps.db, 8103, lang="en")
    stop = asyncio.Event()
    running = asyncio.create_task(NoticeSender(bot, deps, "flooded").run(stop))
    await send_notice(deps.redis, deps.keys, Notice(kind=NoticeKind.BANNED, chat_id=8103))
    await eventually(lambda: bot.session.called(SendMessage), what="the notice is tried")
    stop.set()
    await asyncio.wait_for(running, timeout=120)  # not after the hour Telegram asked for
    pending = await deps.redis.xpending(deps.keys.notices, "notifiers")
    assert pending["pending"] == 1  # unacknowledged: the next bot sends it
