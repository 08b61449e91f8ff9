"""The bot's Prometheus metrics: Telegram API errors, deliveries and notices."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import Response, TelegramMethod
from prometheus_client import Counter

TELEGRAM_ERRORS = Counter(
    "vitrina_telegram_errors_total",
    "Failed Bot API calls by method and error code (HTTP status, or 'network')",
    ["method", "code"],
)
ALBUMS_DELIVERED = Counter("vitrina_albums_delivered_total", "Finished jobs' albums sent")
NOTICES_SENT = Counter(
    "vitrina_notices_sent_total", "Panel notices sent to chats, by kind", ["kind"]
)

# aiogram raises a class per Bot API status and keeps no number: the class names it.
_CODES: list[tuple[type[Exception], str]] = [
    (TelegramRetryAfter, "429"),
    (TelegramBadRequest, "400"),
    (TelegramUnauthorizedError, "401"),
    (TelegramForbiddenError, "403"),
    (TelegramNotFound, "404"),
    (TelegramConflictError, "409"),
    (TelegramEntityTooLarge, "413"),
    (TelegramServerError, "5xx"),
    (TelegramNetworkError, "network"),
]


def error_code(exc: Exception) -> str:
    return next((code for kind, code in _CODES if isinstance(exc, kind)), "other")


class CountTelegramErrors(BaseRequestMiddleware):
    """Counts every failed Bot API call; the error goes on to the caller unchanged."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Response[Any]:
        try:
            return await make_request(bot, method)
        except TelegramAPIError as exc:
            name = getattr(method, "__api_method__", type(method).__name__)
            TELEGRAM_ERRORS.labels(method=name, code=error_code(exc)).inc()
            raise
