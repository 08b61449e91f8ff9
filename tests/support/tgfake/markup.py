"""Formatting (parse_mode=HTML -> text + entities) and reply_markup validation."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from .errors import ApiError, bad_request

_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler",
    "span": "spoiler",  # only <span class="tg-spoiler"> is allowed
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


def utf16_len(text: str) -> int:
    """Entity offsets and lengths are counted in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


class _TelegramHTML(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.parts: list[str] = []
        self.length = 0  # UTF-16 length of the text so far
        self.open: list[tuple[str, int, dict[str, str | None]]] = []
        self.entities: list[dict[str, Any]] = []

    def _byte_offset(self) -> int:
        line, col = self.getpos()
        lines = self.source.split("\n")
        prefix = "\n".join(lines[: line - 1]) + ("\n" if line > 1 else "") + lines[line - 1][:col]
        return len(prefix.encode())

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.length += utf16_len(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag not in _TAG_ENTITY or (tag == "span" and attr.get("class") != "tg-spoiler"):
            raise _parse_error(
                f'Unsupported start tag "{tag}" at byte offset {self._byte_offset()}'
            )
        self.open.append((tag, self.length, attr))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            expected = f'"</{self.open[-1][0]}>"' if self.open else "no end tag"
            raise _parse_error(
                f"Unmatched end tag at byte offset {self._byte_offset()}, "
                f'expected {expected}, found "</{tag}>"'
            )
        name, start, attr = self.open.pop()
        if self.length > start:
            self.entities.append(_entity(name, start, self.length - start, attr))


def _entity(tag: str, offset: int, length: int, attr: dict[str, str | None]) -> dict[str, Any]:
    entity: dict[str, Any] = {"offset": offset, "length": length, "type": _TAG_ENTITY[tag]}
    if tag == "a":
        entity["url"] = attr.get("href") or ""
    elif tag == "blockquote" and "expandable" in attr:
        entity["type"] = "expandable_blockquote"
    elif tag == "tg-emoji":
        entity["custom_emoji_id"] = attr.get("emoji-id") or ""
    return entity


def _parse_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Return the plain text Telegram stores and its entities.

    Only HTML is parsed; Markdown/MarkdownV2 text is stored as sent (no entities), which
    is enough for tests that look at the words but not at the formatting.
    """
    if (parse_mode or "").lower() != "html":
        return text, []
    parser = _TelegramHTML(text)
    parser.feed(text)
    parser.close()
    if parser.open:
        tag = parser.open[-1][0]
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{tag}"')
    entities = sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))
    return "".join(parser.parts), entities


def command_entities(text: str) -> list[dict[str, Any]]:
    """The bot_command entity Telegram clients attach to a leading ``/command``."""
    if not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0]
    return [{"offset": 0, "length": utf16_len(command), "type": "bot_command"}]


def check_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Validate a reply_markup; return it if it must be echoed in the Message (inline only)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return None  # reply keyboards / remove / force_reply are not part of Message
    for row in rows:
        for button in row:
            _check_button(button)
    return markup


_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def _check_button(button: dict[str, Any]) -> None:
    if not any(button.get(key) not in (None, "") for key in _BUTTON_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None and len(data.encode()) > 64:
        raise bad_request("BUTTON_DATA_INVALID")
