"""A fake Yandex Translate: `POST /translate/v2/translate` as Yandex documents it."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from tests.support.yandexfake.service import GRPC_CODES, FakeService, ProtocolViolation

MAX_CHARS = 10_000
LANGUAGES = {"ru", "en", "de", "fr", "uk", "kk", "tr"}
FIELDS = {
    "sourceLanguageCode",
    "targetLanguageCode",
    "format",
    "texts",
    "folderId",
    "model",
    "glossaryConfig",
    "speller",
}
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


class FakeYandexTranslate(FakeService):
    path = "/translate/v2/translate"

    def __init__(self, *, authorization: str, folder_id: str) -> None:
        super().__init__(authorization=authorization, folder_id=folder_id)
        # (target language, text) -> translation; anything else is marked "[<lang>] text"
        self.dictionary: dict[tuple[str, str], str] = {}

    def wrong_shape(self, *, times: int = 1) -> None:
        async def behaviour(body: dict[str, Any]) -> web.StreamResponse:
            return web.json_response({"translations": []})

        self._then(behaviour, times)

    def check(self, request: web.Request, body: dict[str, Any]) -> None:
        if set(body) - FIELDS:
            raise ProtocolViolation(f"unknown fields {sorted(set(body) - FIELDS)}")
        if body.get("targetLanguageCode") not in LANGUAGES:
            raise ProtocolViolation(f"targetLanguageCode {body.get('targetLanguageCode')!r}")
        if body.get("sourceLanguageCode", "en") not in LANGUAGES:
            raise ProtocolViolation(f"sourceLanguageCode {body.get('sourceLanguageCode')!r}")
        if body.get("format", "PLAIN_TEXT") not in ("PLAIN_TEXT", "HTML"):
            raise ProtocolViolation(f"format {body.get('format')!r}")
        texts = body.get("texts")
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
            raise ProtocolViolation("texts must be a non-empty list of strings")
        if sum(len(t) for t in texts) > MAX_CHARS:
            raise ProtocolViolation(f"more than {MAX_CHARS} characters in one request")
        self._check_folder(request, body)

    def _check_folder(self, request: web.Request, body: dict[str, Any]) -> None:
        # A user's IAM token belongs to no folder: the request must name one.
        bearer = self.authorization.startswith("Bearer ")
        if bearer and "folderId" not in body:
            raise ProtocolViolation("folderId is required with an IAM token")
        if "folderId" in body and body["folderId"] != self.folder_id:
            raise ProtocolViolation(f"folderId {body['folderId']!r}")

    async def answer(self, body: dict[str, Any]) -> web.StreamResponse:
        target, detect = body["targetLanguageCode"], "sourceLanguageCode" not in body
        translations = []
        for text in body["texts"]:
            translation = {"text": self.dictionary.get((target, text), f"[{target}] {text}")}
            if detect:
                translation["detectedLanguageCode"] = "ru" if _CYRILLIC.search(text) else "en"
            translations.append(translation)
        return web.json_response({"translations": translations})

    def error(self, status: int, message: str) -> web.Response:
        body = {"code": GRPC_CODES.get(status, 2), "message": message, "details": []}
        return web.json_response(body, status=status)
