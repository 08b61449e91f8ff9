"""Both fakes at once, and the Settings that point the bot at them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from settings import Settings
from tests.support.yandexfake.gpt import FakeYandexGpt
from tests.support.yandexfake.translate import FakeYandexTranslate

API_KEY = "AQVN-test-api-key"
IAM_TOKEN = "t1.test-iam-token"
FOLDER_ID = "b1gtestfolder"


@dataclass
class FakeYandexCloud:
    gpt: FakeYandexGpt
    translate: FakeYandexTranslate
    iam: bool

    def settings(self, **overrides: Any) -> Settings:
        """Settings for this cloud; no .env file, so a developer's own keys never leak in."""
        credential = {"yandex_iam_token": IAM_TOKEN} if self.iam else {"yandex_api_key": API_KEY}
        values: dict[str, Any] = {
            **credential,
            "yandex_folder_id": FOLDER_ID,
            "yandex_gpt_url": self.gpt.url,
            "yandex_translate_url": self.translate.url,
            **overrides,
        }
        return Settings(_env_file=None, **values)

    @property
    def violations(self) -> list[str]:
        return self.gpt.violations + self.translate.violations


@asynccontextmanager
async def fake_yandex_cloud(*, iam: bool = False) -> AsyncIterator[FakeYandexCloud]:
    authorization = f"Bearer {IAM_TOKEN}" if iam else f"Api-Key {API_KEY}"
    gpt = FakeYandexGpt(authorization=authorization, folder_id=FOLDER_ID)
    translate = FakeYandexTranslate(authorization=authorization, folder_id=FOLDER_ID)
    async with gpt.serving(), translate.serving():
        yield FakeYandexCloud(gpt, translate, iam)
