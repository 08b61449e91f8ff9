"""editMessageText/Caption/ReplyMarkup, deleteMessage, answerCallbackQuery."""

from __future__ import annotations

from typing import Any

from .content import caption_body, text_body
from .errors import MESSAGE_TO_EDIT_NOT_FOUND, NOT_MODIFIED, bad_request
from .markup import check_reply_markup
from .messages import Chat, ChatMessage
from .params import Params
from .registry import api_method
from .state import BotState

# The parts of a message an edit can change; "not modified" compares exactly these.
_EDITABLE = ("text", "entities", "caption", "caption_entities", "reply_markup")


def _target(state: BotState, p: Params) -> tuple[Chat, ChatMessage]:
    if p.has("inline_message_id"):
        raise bad_request("inline messages are not supported by the fake server")
    chat = state.chat(p.get_str("chat_id"))
    message = state.bot_message(chat, p.get_int("message_id"), MESSAGE_TO_EDIT_NOT_FOUND)
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return chat, message


def _apply(chat: Chat, message: ChatMessage, new: dict[str, Any], keys: tuple[str, ...]) -> Any:
    """Replace ``keys`` of the message with ``new`` (a missing key removes it).

    Omitting reply_markup in an edit removes the inline keyboard, as on Telegram.
    """
    before = {k: message.data.get(k) for k in _EDITABLE}
    after = {**before, **{k: new.get(k) for k in keys}}
    if before == after:
        raise bad_request(NOT_MODIFIED)
    message.edit(
        {k: new[k] for k in keys if k in new}, removed=tuple(k for k in keys if k not in new)
    )
    chat.record("edited", message)
    return message.data


def _markup(p: Params) -> dict[str, Any]:
    markup = check_reply_markup(p.get_json("reply_markup"))
    return {"reply_markup": markup} if markup is not None else {}


@api_method("editMessageText")
async def edit_message_text(state: BotState, p: Params) -> Any:
    chat, message = _target(state, p)
    body = text_body(p.get_str("text"), p.get_str("parse_mode"), p.get_json("entities"))
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    return _apply(chat, message, {**body, **_markup(p)}, ("text", "entities", "reply_markup"))


@api_method("editMessageCaption")
async def edit_message_caption(state: BotState, p: Params) -> Any:
    chat, message = _target(state, p)
    if message.text is not None:
        raise bad_request("there is no caption in the message to edit")
    body = caption_body(
        p.get_str("caption"), p.get_str("parse_mode"), p.get_json("caption_entities")
    )
    keys = ("caption", "caption_entities", "reply_markup")
    return _apply(chat, message, {**body, **_markup(p)}, keys)


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(state: BotState, p: Params) -> Any:
    chat, message = _target(state, p)
    return _apply(chat, message, _markup(p), ("reply_markup",))


@api_method("deleteMessage")
async def delete_message(state: BotState, p: Params) -> bool:
    chat = state.chat(p.get_str("chat_id"))
    # Bots may delete both their own and incoming messages in private chats.
    message = state.bot_message(chat, p.get_int("message_id"), "message to delete not found")
    message.deleted = True
    chat.record("deleted", message)
    return True


@api_method("answerCallbackQuery")
async def answer_callback_query(state: BotState, p: Params) -> bool:
    query_id = p.get_str("callback_query_id") or ""
    if query_id not in state.callback_answers or state.callback_answers[query_id] is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    state.callback_answers[query_id] = p.logged()
    return True
