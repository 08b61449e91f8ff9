"""Typed access to the fields of one Bot API request.

aiogram posts ``application/x-www-form-urlencoded`` when a request carries no files and
``multipart/form-data`` otherwise. Scalars arrive as strings (numbers and booleans
JSON-encoded), complex values (reply_markup, media, ...) as JSON text, and uploads as
file parts referenced from a field by ``attach://<part name>``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp.web import FileField
from multidict import MultiDictProxy

from .errors import bad_request


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes

    def __repr__(self) -> str:  # keep request logs readable
        return f"Upload({self.filename!r}, {self.content_type!r}, {len(self.data)} bytes)"


class Params:
    """The decoded fields of a request, with Telegram-style validation errors."""

    def __init__(self, fields: dict[str, str], uploads: dict[str, Upload]) -> None:
        self.fields = fields
        self.uploads = uploads

    @classmethod
    def from_form(cls, form: MultiDictProxy[str | bytes | FileField]) -> Params:
        fields: dict[str, str] = {}
        uploads: dict[str, Upload] = {}
        for name, value in form.items():
            if isinstance(value, FileField):
                uploads[name] = Upload(value.filename, value.content_type, value.file.read())
            else:
                fields[name] = value.decode() if isinstance(value, bytes) else value
        return cls(fields, uploads)

    def has(self, name: str) -> bool:
        return name in self.fields or name in self.uploads

    def get_str(self, name: str, default: str | None = None) -> str | None:
        return self.fields.get(name, default)

    def get_int(self, name: str, default: int | None = None) -> int | None:
        raw = self.fields.get(name)
        if raw is None or raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise bad_request(f'field "{name}" must be of type Integer') from None

    def get_bool(self, name: str) -> bool:
        return self.fields.get(name, "").lower() in {"true", "1"}

    def get_json(self, name: str) -> Any:
        raw = self.fields.get(name)
        if raw is None or raw == "":
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None

    def get_file(self, name: str) -> Upload | str | None:
        """An upload (direct part or ``attach://``), else a file_id/URL string, else None."""
        if name in self.uploads:
            return self.uploads[name]
        return self.resolve_media(self.fields.get(name))

    def resolve_media(self, ref: str | None) -> Upload | str | None:
        if ref is None or not ref.startswith("attach://"):
            return ref
        part = self.uploads.get(ref.removeprefix("attach://"))
        if part is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return part

    def logged(self) -> dict[str, Any]:
        """Fields for request logs: JSON decoded, ``attach://`` fields replaced by uploads."""
        out: dict[str, Any] = {}
        attached: set[str] = set()
        for name, raw in self.fields.items():
            part = raw.removeprefix("attach://")
            if part != raw and part in self.uploads:
                out[name] = self.uploads[part]
                attached.add(part)
            else:
                out[name] = raw if name in _TEXT_FIELDS else _maybe_json(raw)
        out.update({k: v for k, v in self.uploads.items() if k not in attached})
        return out


_TEXT_FIELDS = frozenset({"text", "caption", "callback_query_id", "file_id", "language_code"})


def _maybe_json(raw: str) -> Any:
    # Only structured values and numbers are decoded; plain text stays text.
    if raw[:1] in "[{" or raw.lstrip("-").isdigit() or raw in {"true", "false"}:
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw
