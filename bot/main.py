"""Composition root of the bot process: clients, Dispatcher, notifier, polling or webhook."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.storage.base import DefaultKeyBuilder
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import BotCommand, BotCommandScopeChat
from aiogram.utils.callback_answer import CallbackAnswerMiddleware

from bot.metrics import CountTelegramErrors
from bot.middlewares import (
    ChatContextMiddleware,
    ErrorReplyMiddleware,
    LogContextMiddleware,
    PrivateChatsOnly,
    ServiceDownMiddleware,
    StaleButtonMiddleware,
    ThrottlingMiddleware,
)
from bot.notices import NoticeSender
from bot.notifier import Notifier
from bot.response_types import KeepResponseTypes
from bot.services.deps import BotDeps
from handlers import routers
from jobs.lifecycle import Lifecycle, Policy
from jobs.names import Keys
from locales import DEFAULT_LANGUAGE, LANGUAGES, READ_RUSSIAN, Translator, pick_language
from runtime.clients import redis_client
from runtime.heap import settle_after_start
from runtime.metrics import metrics_served
from settings import Settings
from storage.store import Storage
from suggestions import Suggester

log = logging.getLogger(__name__)
COMMANDS = ("start", "help", "history", "language", "cancel", "forget")
ADMIN_COMMANDS = ("stats", "ban", "unban", "quota")


def build_bot(settings: Settings) -> Bot:
    if settings.bot_token is None:
        raise SystemExit("BOT_TOKEN is not set")
    api = (
        TelegramAPIServer.from_base(settings.telegram_api_url)
        if settings.telegram_api_url
        else None
    )
    session = AiohttpSession(api=api) if api else AiohttpSession()
    session.middleware(CountTelegramErrors())
    session.middleware(KeepResponseTypes())
    return Bot(settings.bot_token.get_secret_value(), session=session)


def build_dispatcher(deps: BotDeps) -> Dispatcher:
    # A conversation left half-way is forgotten after FSM_TTL_S, not kept for ever.
    fsm = RedisStorage(
        redis_client(deps.settings.redis_url, decode_responses=False),
        key_builder=DefaultKeyBuilder(prefix=f"{deps.keys.prefix}:fsm", with_destiny=True),
        state_ttl=deps.settings.fsm_ttl_s,
        data_ttl=deps.settings.fsm_ttl_s,
    )
    dp = Dispatcher(storage=fsm, deps=deps)
    dp.update.outer_middleware(LogContextMiddleware())
    settings = deps.settings
    throttle = ThrottlingMiddleware(settings.throttle_limit, settings.throttle_window_s)
    observers = (dp.message, dp.edited_message, dp.callback_query)
    for observer in observers:
        # First: an update that finds Redis or MongoDB down is answered, not dropped.
        observer.outer_middleware(ServiceDownMiddleware())
        observer.outer_middleware(throttle)
        observer.outer_middleware(PrivateChatsOnly())
        observer.outer_middleware(ChatContextMiddleware())
    dp.callback_query.outer_middleware(StaleButtonMiddleware())
    # Every button is answered once, after its handler; the error reply sits inside, so a
    # failed handler's apology becomes that answer.
    dp.callback_query.middleware(CallbackAnswerMiddleware())
    for observer in observers:
        observer.middleware(ErrorReplyMiddleware())
    dp.include_routers(*routers())
    return dp


@asynccontextmanager
async def open_deps(settings: Settings) -> AsyncIterator[BotDeps]:
    redis = redis_client(settings.redis_url)
    db = await Storage.open(settings.mongo_url, settings.mongo_db)
    keys = Keys(settings.stream_prefix)
    http = aiohttp.ClientSession()  # for Yandex Cloud; Telegram has its own session
    suggester = Suggester.create(settings, redis, http)
    lifecycle = Lifecycle(redis, keys, db, Policy.from_settings(settings))
    try:
        name = f"{socket.gethostname()}-{os.getpid()}"
        yield BotDeps(name, settings, redis, keys, db, lifecycle, suggester)
    finally:
        await http.close()
        await db.close()
        await redis.aclose()


async def set_commands(bot: Bot, admin_ids: list[int]) -> None:
    """The menu in the language the bot will answer in: ru and en, Russian for the
    languages whose speakers get Russian answers, and English for everyone else (the list
    without a language_code). Admins also see their commands, in their own chats only."""
    for code in (*LANGUAGES, *sorted(READ_RUSSIAN), None):
        commands = _commands(Translator.load(pick_language(code)), COMMANDS)
        await bot.set_my_commands(commands, language_code=code)
    admin_menu = _commands(Translator.load(DEFAULT_LANGUAGE), COMMANDS + ADMIN_COMMANDS)
    for admin in admin_ids:
        try:
            await bot.set_my_commands(admin_menu, scope=BotCommandScopeChat(chat_id=admin))
        except TelegramAPIError as error:  # an admin who never opened the bot has no chat
            log.info("no admin menu for %s yet: %s", admin, error)


def _commands(t: Translator, names: tuple[str, ...]) -> list[BotCommand]:
    return [BotCommand(command=c, description=t.get(f"command-{c}")) for c in names]


async def serve(settings: Settings) -> None:
    """Runs the bot, its notifier and its notices until SIGINT/SIGTERM."""
    if not settings.redis_url or not settings.mongo_url:
        raise SystemExit("the bot needs REDIS_URL and MONGO_URL (`vitrina run` sets both)")
    bot = build_bot(settings)
    with metrics_served("bot", settings.metrics_host, settings.bot_metrics_port):
        await _serve(bot, settings)


async def _serve(bot: Bot, settings: Settings) -> None:
    async with open_deps(settings) as deps:
        dp = build_dispatcher(deps)
        await set_commands(bot, settings.admin_ids)
        stop = asyncio.Event()
        notifying = asyncio.create_task(Notifier(bot, deps, deps.name).run(stop))
        noticing = asyncio.create_task(NoticeSender(bot, deps, deps.name).run(stop))
        dp.shutdown.register(stop.set)
        try:
            if settings.webhook_url:
                from bot.webhook import serve_webhook

                await serve_webhook(bot, dp, settings)
            else:
                await bot.delete_webhook(drop_pending_updates=False)
                settle_after_start()  # the webhook's server does it once it listens
                await dp.start_polling(bot, handle_signals=True)
        finally:
            stop.set()
            await notifying
            await noticing
            await dp.storage.close()
            await bot.session.close()
