"""Bot API method table: handlers register themselves under their (case-insensitive) name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .params import Params
from .state import BotState

Handler = Callable[[BotState, Params], Awaitable[Any]]
METHODS: dict[str, Handler] = {}


def api_method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = handler  # Telegram method names are case-insensitive
        return handler

    return register
