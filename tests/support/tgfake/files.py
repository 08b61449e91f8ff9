"""Files known to the fake server: user uploads and bot uploads, addressable by file_id."""

from __future__ import annotations

import io
import itertools
import mimetypes
import secrets
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, UnidentifiedImageError

# Telegram keeps a few downscaled copies of every compressed photo (the s/m/x/y/w sizes).
_PHOTO_SIDES = (90, 320, 800, 1280, 2560)
GET_FILE_LIMIT = 20 * 1024 * 1024


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    # For a photo size: the whole PhotoSize list it belongs to (re-sending by file_id).
    photo: list[dict[str, Any]] | None = field(default=None, repr=False)
    document: dict[str, Any] | None = field(default=None, repr=False)
    # Telegram may leave file_size out (it is optional in Document and File).
    size_known: bool = True
    # The file server answers this status instead of the bytes (a failed download).
    download_status: int | None = None


class FileStore:
    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._seq = itertools.count(1)

    def add(self, data: bytes, folder: str, ext: str, id_prefix: str) -> StoredFile:
        n = next(self._seq)
        stored = StoredFile(
            file_id=f"{id_prefix}{n}_{secrets.token_urlsafe(16)}",
            file_unique_id=f"AQAD{n}{secrets.token_hex(4)}",
            file_path=f"{folder}/file_{n}{ext}",
            data=data,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        return self._by_path.get(file_path)

    def add_photo(self, data: bytes, size: tuple[int, int]) -> list[dict[str, Any]]:
        """Store a compressed photo; returns its PhotoSize list, smallest first.

        The largest entry holds the original bytes, so tests can compare what was sent
        with what gets downloaded; smaller entries hold real JPEG thumbnails.
        """
        sizes: list[dict[str, Any]] = []
        for (width, height), blob in _downscaled(data, size):
            stored = self.add(blob, "photos", ".jpg", "AgACAgIAAxkBAAI")
            stored.photo = sizes
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": len(blob),
                    "width": width,
                    "height": height,
                }
            )
        return sizes

    def add_document(
        self, data: bytes, file_name: str, mime_type: str | None, size_known: bool = True
    ) -> dict[str, Any]:
        ext = "." + file_name.rsplit(".", 1)[1] if "." in file_name else ""
        stored = self.add(data, "documents", ext, "BQACAgIAAxkBAAI")
        stored.size_known = size_known
        guessed = mimetypes.guess_type(file_name)[0]
        stored.document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type or guessed or "application/octet-stream",
        }
        if size_known:
            stored.document["file_size"] = len(data)
        return stored.document

    def add_media(self, data: bytes, folder: str, ext: str, **fields: Any) -> dict[str, Any]:
        """A sticker, video, voice, ... : its object with file ids and the given fields."""
        stored = self.add(data, folder, ext, "CAACAgIAAxkBAAI")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(data),
            **fields,
        }


def image_size(data: bytes) -> tuple[int, int] | None:
    """Pixel size of an image, or None when the bytes are not a decodable image."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def _downscaled(data: bytes, size: tuple[int, int]) -> list[tuple[tuple[int, int], bytes]]:
    width, height = size
    longest = max(width, height)
    out: list[tuple[tuple[int, int], bytes]] = []
    for side in _PHOTO_SIDES:
        if side >= longest:
            break
        dims = (max(1, width * side // longest), max(1, height * side // longest))
        out.append((dims, _thumbnail(data, dims)))
    out.append(((width, height), data))
    return out


def _thumbnail(data: bytes, dims: tuple[int, int]) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as img:
            small = img.convert("RGB").resize(dims)
    except (UnidentifiedImageError, OSError, ValueError):
        return data  # not an image (a test passed placeholder bytes): keep them
    buf = io.BytesIO()
    small.save(buf, "JPEG", quality=80)
    return buf.getvalue()
