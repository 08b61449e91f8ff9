"""getMe, getUpdates, webhooks, getFile and bot commands."""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import bad_request
from .files import GET_FILE_LIMIT
from .params import Params
from .registry import api_method
from .state import BotState

_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


@api_method("getMe")
async def get_me(state: BotState, p: Params) -> dict[str, Any]:
    return state.bot_user


@api_method("getUpdates")
async def get_updates(state: BotState, p: Params) -> list[dict[str, Any]]:
    limit = min(max(p.get_int("limit", 100) or 100, 1), 100)
    timeout = max(p.get_int("timeout", 0) or 0, 0)
    state.updates.set_allowed(p.get_json("allowed_updates"))
    return await state.updates.poll(p.get_int("offset"), limit, timeout)


@api_method("setWebhook")
async def set_webhook(state: BotState, p: Params) -> bool:
    """Records the webhook; tests deliver updates to it themselves, as Telegram would."""
    url = p.get_str("url") or ""
    if url and not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    state.webhook = {"url": url, "secret_token": p.get_str("secret_token")}
    if p.get_bool("drop_pending_updates"):
        state.updates.drop_pending()
    return True


@api_method("deleteWebhook")
async def delete_webhook(state: BotState, p: Params) -> bool:
    state.webhook = {"url": "", "secret_token": None}
    if p.get_bool("drop_pending_updates"):
        state.updates.drop_pending()
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(state: BotState, p: Params) -> dict[str, Any]:
    pending = len(state.updates.pending)
    url = state.webhook["url"]
    return {"url": url, "has_custom_certificate": False, "pending_update_count": pending}


@api_method("getFile")
async def get_file(state: BotState, p: Params) -> dict[str, Any]:
    stored = state.files.get(p.get_str("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if len(stored.data) > GET_FILE_LIMIT:
        raise bad_request("file is too big")
    answer = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": stored.file_path,
    }
    if not stored.size_known:
        del answer["file_size"]
    return answer


@api_method("leaveChat")
async def leave_chat(state: BotState, p: Params) -> bool:
    chat = state.chat(p.get_str("chat_id"))
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    chat.left = True
    return True


def _commands_key(p: Params) -> tuple[str, str]:
    scope = p.get_json("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), p.get_str("language_code") or ""


@api_method("setMyCommands")
async def set_my_commands(state: BotState, p: Params) -> bool:
    commands = p.get_json("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    for command in commands:
        if not _COMMAND.fullmatch(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
    state.commands[_commands_key(p)] = commands
    return True


@api_method("getMyCommands")
async def get_my_commands(state: BotState, p: Params) -> list[dict[str, Any]]:
    return state.commands.get(_commands_key(p), [])


@api_method("deleteMyCommands")
async def delete_my_commands(state: BotState, p: Params) -> bool:
    state.commands.pop(_commands_key(p), None)
    return True
