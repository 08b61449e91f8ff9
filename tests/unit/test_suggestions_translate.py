"""The Yandex Translate client against the fake: the documented request, batches, failures."""

from __future__ import annotations

import pytest

from suggestions.breaker import CircuitBreaker
from suggestions.credentials import YandexCredentials
from suggestions.deadline import Deadline
from suggestions.errors import YandexMalformed, YandexRejected
from suggestions.translate import MAX_CHARS_PER_REQUEST, YandexTranslateClient, batches
from tests.support.yandexfake.cloud import API_KEY, FOLDER_ID, IAM_TOKEN, fake_yandex_cloud


def client(http, url: str, authorization: str = f"Api-Key {API_KEY}") -> YandexTranslateClient:
    return YandexTranslateClient(
        http,
        YandexCredentials(authorization, FOLDER_ID),
        base_url=url,
        retries=2,
        breaker=CircuitBreaker("test", failures_to_open=100, reset_after_s=30),
    )


async def translate(translator: YandexTranslateClient, texts, **kwargs) -> list[str]:
    return await translator.translate(texts, deadline=Deadline.after(5), **kwargs)


async def test_the_request_is_the_documented_one(yandex, http):
    yandex.translate.dictionary[("ru", "Sunny terrace")] = "Солнечная терраса"
    texts = ["Sunny terrace", "Loft"]
    assert await translate(client(http, yandex.translate.url), texts, target="ru", source="en") == [
        "Солнечная терраса",
        "[ru] Loft",
    ]
    [body], [headers] = yandex.translate.requests, yandex.translate.headers
    assert body == {
        "targetLanguageCode": "ru",
        "sourceLanguageCode": "en",
        "format": "PLAIN_TEXT",
        "texts": texts,
        "folderId": FOLDER_ID,
    }
    assert headers["Authorization"] == f"Api-Key {API_KEY}"


async def test_without_a_source_the_service_detects_it(yandex, http):
    await translate(client(http, yandex.translate.url), ["диван у окна"], target="en")
    assert "sourceLanguageCode" not in yandex.translate.requests[0]


async def test_an_iam_token_names_the_folder(http):
    async with fake_yandex_cloud(iam=True) as cloud:
        translator = client(http, cloud.translate.url, f"Bearer {IAM_TOKEN}")
        assert await translate(translator, ["Loft"], target="ru") == ["[ru] Loft"]
        assert cloud.translate.requests[0]["folderId"] == FOLDER_ID
        assert not cloud.violations


async def test_more_than_the_limit_goes_in_several_requests(yandex, http):
    texts = [chr(ord("a") + n) * 4000 for n in range(5)]
    translated = await translate(client(http, yandex.translate.url), texts, target="ru")
    assert translated == [f"[ru] {text}" for text in texts]
    assert [len(r["texts"]) for r in yandex.translate.requests] == [2, 2, 1]


def test_batches_respect_the_limit_and_refuse_a_text_over_it():
    assert list(batches(["ab", "cd", "e"], 4)) == [["ab", "cd"], ["e"]]
    with pytest.raises(ValueError, match="exceeds"):
        list(batches(["x" * (MAX_CHARS_PER_REQUEST + 1)], MAX_CHARS_PER_REQUEST))


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_failures_are_repeated_since_a_translation_changes_nothing(yandex, http, status):
    yandex.translate.fail(status, times=2)
    assert await translate(client(http, yandex.translate.url), ["Loft"], target="ru") == [
        "[ru] Loft"
    ]
    assert len(yandex.translate.requests) == 3


async def test_a_refusal_is_not_repeated(yandex, http):
    yandex.translate.fail(403, times=3)
    with pytest.raises(YandexRejected, match="403"):
        await translate(client(http, yandex.translate.url), ["Loft"], target="ru")
    assert len(yandex.translate.requests) == 1


async def test_a_missing_translation_is_malformed(yandex, http):
    yandex.translate.wrong_shape()
    with pytest.raises(YandexMalformed):
        await translate(client(http, yandex.translate.url), ["Loft"], target="ru")
