"""sendMessage, sendPhoto, sendDocument, sendMediaGroup, sendChatAction."""

from __future__ import annotations

from typing import Any

from .content import caption_body, deliver, document_body, media_flags, photo_body, text_body
from .errors import bad_request
from .messages import Chat
from .params import Params
from .registry import api_method
from .state import BotState

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


@api_method("sendMessage")
async def send_message(state: BotState, p: Params) -> dict[str, Any]:
    chat = state.chat(p.get_str("chat_id"))
    body = text_body(p.get_str("text"), p.get_str("parse_mode"), p.get_json("entities"))
    return deliver(state, chat, p, body, "sendMessage").data


def _caption(p: Params) -> dict[str, Any]:
    return caption_body(
        p.get_str("caption"), p.get_str("parse_mode"), p.get_json("caption_entities")
    )


@api_method("sendPhoto")
async def send_photo(state: BotState, p: Params) -> dict[str, Any]:
    chat = state.chat(p.get_str("chat_id"))
    sizes, original = photo_body(state, p.get_file("photo"))
    flags = media_flags(p.get_bool("has_spoiler"), p.get_bool("show_caption_above_media"))
    message = deliver(state, chat, p, {"photo": sizes, **_caption(p), **flags}, "sendPhoto")
    message.photo_bytes = original
    return message.data


@api_method("sendDocument")
async def send_document(state: BotState, p: Params) -> dict[str, Any]:
    chat = state.chat(p.get_str("chat_id"))
    document, original = document_body(state, p.get_file("document"))
    message = deliver(state, chat, p, {"document": document, **_caption(p)}, "sendDocument")
    message.document_bytes = original
    return message.data


@api_method("sendMediaGroup")
async def send_media_group(state: BotState, p: Params) -> list[dict[str, Any]]:
    chat = state.chat(p.get_str("chat_id"))
    items = p.get_json("media")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise bad_request("expected an Array of InputMedia")
    if not items:
        raise bad_request("there are no messages to send")  # wording not verified
    if len(items) > 10:
        raise bad_request("too much messages to send as an album")
    kinds = {item.get("type") for item in items}
    if "document" in kinds and len(kinds) > 1:
        raise bad_request("document can't be mixed with other media types")
    # Validate every item before sending any: Telegram sends an album all or nothing.
    bodies = [_album_item(state, p, item) for item in items]
    group_id = state.next_media_group_id()
    return [_send_album_item(state, chat, p, body, group_id) for body in bodies]


def _album_item(state: BotState, p: Params, item: dict[str, Any]) -> dict[str, Any]:
    ref = p.resolve_media(item.get("media"))
    caption = caption_body(
        item.get("caption"), item.get("parse_mode"), item.get("caption_entities")
    )
    if item.get("type") == "photo":
        sizes, original = photo_body(state, ref)
        flags = media_flags(
            bool(item.get("has_spoiler")), bool(item.get("show_caption_above_media"))
        )
        return {"photo": sizes, **caption, **flags, "_bytes": original}
    if item.get("type") == "document":
        document, original = document_body(state, ref)
        return {"document": document, **caption, "_bytes": original}
    raise bad_request(f'unsupported media type "{item.get("type")}" (not implemented by the fake)')


def _send_album_item(
    state: BotState, chat: Chat, p: Params, body: dict[str, Any], group_id: str
) -> dict[str, Any]:
    original = body.pop("_bytes")
    message = deliver(state, chat, p, {**body, "media_group_id": group_id}, "sendMediaGroup")
    if "photo" in body:
        message.photo_bytes = original
    else:
        message.document_bytes = original
    return message.data


@api_method("sendChatAction")
async def send_chat_action(state: BotState, p: Params) -> bool:
    chat = state.chat(p.get_str("chat_id"))
    action = p.get_str("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.actions.append(action)
    return True
