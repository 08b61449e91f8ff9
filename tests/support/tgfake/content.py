"""Building message content (text, captions, photos, documents) from bot requests."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .files import StoredFile, image_size
from .markup import check_reply_markup, parse_text
from .messages import Chat, ChatMessage
from .params import Params, Upload
from .state import BotState

MAX_TEXT = 4096
MAX_CAPTION = 1024


def text_body(text: str | None, parse_mode: str | None, entities: Any) -> dict[str, Any]:
    plain, parsed = parse_text(text or "", parse_mode)
    if not plain.strip():
        raise bad_request("message text is empty")
    if len(plain) > MAX_TEXT:
        raise bad_request("message is too long")
    body: dict[str, Any] = {"text": plain}
    if parsed or entities:
        body["entities"] = parsed or entities
    return body


def caption_body(caption: str | None, parse_mode: str | None, entities: Any) -> dict[str, Any]:
    if not caption:
        return {}
    plain, parsed = parse_text(caption, parse_mode)
    if len(plain) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    body: dict[str, Any] = {"caption": plain} if plain else {}
    if plain and (parsed or entities):
        body["caption_entities"] = parsed or entities
    return body


def photo_body(state: BotState, ref: Upload | str | None) -> tuple[list[dict[str, Any]], bytes]:
    """PhotoSize list and original bytes for an uploaded photo or a photo file_id."""
    if ref is None:
        raise bad_request("there is no photo in the request")
    if isinstance(ref, str):
        stored = _known_file(state, ref)
        if stored.photo is None:
            raise bad_request("type of file mismatch")
        largest = state.files.get(stored.photo[-1]["file_id"])
        return stored.photo, largest.data if largest else stored.data
    size = image_size(ref.data)
    if size is None:
        raise bad_request("IMAGE_PROCESS_FAILED")
    width, height = size
    if width + height > 10000 or max(width, height) > 20 * min(width, height):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    return state.files.add_photo(ref.data, size), ref.data


def document_body(state: BotState, ref: Upload | str | None) -> tuple[dict[str, Any], bytes]:
    if ref is None:
        raise bad_request("there is no document in the request")
    if isinstance(ref, str):
        stored = _known_file(state, ref)
        if stored.document is None:
            raise bad_request("type of file mismatch")
        return stored.document, stored.data
    mime = None if ref.content_type == "application/octet-stream" else ref.content_type
    return state.files.add_document(ref.data, ref.filename, mime), ref.data


def _known_file(state: BotState, ref: str) -> StoredFile:
    if ref.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")  # the fake never downloads
    stored = state.files.get(ref)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return stored


def media_flags(has_spoiler: bool, caption_above: bool) -> dict[str, Any]:
    """The media options Telegram copies into the Message."""
    flags: dict[str, Any] = {}
    if has_spoiler:
        flags["has_media_spoiler"] = True
    if caption_above:
        flags["show_caption_above_media"] = True
    return flags


def deliver(
    state: BotState, chat: Chat, p: Params, body: dict[str, Any], method: str
) -> ChatMessage:
    """Create a bot message with the common send options (reply, keyboard) applied."""
    raw_markup = p.get_json("reply_markup")
    inline = check_reply_markup(raw_markup)
    body = {**body, **_reply_to(chat, p)}
    if inline is not None:
        body["reply_markup"] = inline
    message = chat.new_message(state.bot_user, body, method)
    message.keyboard = raw_markup
    return message


def _reply_to(chat: Chat, p: Params) -> dict[str, Any]:
    params = p.get_json("reply_parameters") or {}
    reply_id = params.get("message_id") or p.get_int("reply_to_message_id")
    if reply_id is None:
        return {}
    target = chat.messages.get(int(reply_id))
    if target is None or target.deleted:
        if params.get("allow_sending_without_reply") or p.get_bool("allow_sending_without_reply"):
            return {}
        raise bad_request("message to be replied not found")
    return {"reply_to_message": dict(target.data)}
