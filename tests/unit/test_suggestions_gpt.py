"""The YandexGPT client against the fake: the documented request, every answer and failure."""

from __future__ import annotations

import asyncio
import time

import pytest

from suggestions.breaker import CircuitBreaker
from suggestions.credentials import YandexCredentials
from suggestions.deadline import Deadline
from suggestions.errors import (
    CircuitOpen,
    YandexBusy,
    YandexFiltered,
    YandexMalformed,
    YandexRejected,
    YandexUnavailable,
)
from suggestions.gpt import ChatMessage, YandexGptClient, model_uri
from tests.support.waiting import eventually
from tests.support.yandexfake.cloud import API_KEY, FOLDER_ID, IAM_TOKEN, fake_yandex_cloud

MESSAGES = [ChatMessage("system", "You suggest scenes."), ChatMessage("user", "A sofa.")]


def client(
    http, url: str, *, authorization=f"Api-Key {API_KEY}", concurrency=4, retries=2, failures=100
):
    return YandexGptClient(
        http,
        YandexCredentials(authorization, FOLDER_ID),
        base_url=url,
        model="yandexgpt-lite",
        concurrency=concurrency,
        retries=retries,
        breaker=CircuitBreaker("test", failures_to_open=failures, reset_after_s=30),
    )


async def complete(gpt: YandexGptClient, timeout_s: float = 5.0):
    return await gpt.complete(
        MESSAGES, temperature=0.5, max_tokens=300, deadline=Deadline.after(timeout_s)
    )


async def test_the_request_is_the_documented_one(yandex, http):
    completion = await complete(client(http, yandex.gpt.url))
    assert completion.text == yandex.gpt.text and not completion.truncated
    assert (completion.input_tokens, completion.completion_tokens) == (120, 160)
    [body], [headers] = yandex.gpt.requests, yandex.gpt.headers
    assert body == {
        "modelUri": f"gpt://{FOLDER_ID}/yandexgpt-lite/latest",
        "completionOptions": {"stream": False, "temperature": 0.5, "maxTokens": "300"},
        "messages": [
            {"role": "system", "text": "You suggest scenes."},
            {"role": "user", "text": "A sofa."},
        ],
    }
    assert headers["Authorization"] == f"Api-Key {API_KEY}"
    assert headers["x-folder-id"] == FOLDER_ID
    assert headers["x-data-logging-enabled"] == "false"
    assert headers["x-client-request-id"]


async def test_an_iam_token_is_sent_as_bearer(http):
    async with fake_yandex_cloud(iam=True) as cloud:
        gpt = client(http, cloud.gpt.url, authorization=f"Bearer {IAM_TOKEN}")
        assert (await complete(gpt)).text
        assert cloud.gpt.headers[0]["Authorization"] == f"Bearer {IAM_TOKEN}"
        assert not cloud.violations


def test_model_uri_forms():
    assert model_uri("f1", "yandexgpt") == "gpt://f1/yandexgpt/latest"
    assert model_uri("f1", "yandexgpt-32k/rc") == "gpt://f1/yandexgpt-32k/rc"
    assert model_uri("f1", "gpt://other/yandexgpt/latest") == "gpt://other/yandexgpt/latest"


async def test_a_truncated_answer_is_flagged(yandex, http):
    yandex.gpt.reply("One | two three four", status="ALTERNATIVE_STATUS_TRUNCATED_FINAL")
    assert (await complete(client(http, yandex.gpt.url))).truncated


async def test_the_content_filter_is_its_own_error(yandex, http):
    yandex.gpt.reply("", status="ALTERNATIVE_STATUS_CONTENT_FILTER")
    with pytest.raises(YandexFiltered):
        await complete(client(http, yandex.gpt.url))


@pytest.mark.parametrize("status", [400, 401, 403])
async def test_refusals_are_not_repeated(yandex, http, status):
    yandex.gpt.fail(status, times=3)
    with pytest.raises(YandexRejected) as error:
        await complete(client(http, yandex.gpt.url))
    assert error.value.status == status and len(yandex.gpt.requests) == 1


async def test_wrong_credentials_are_refused(yandex, http):
    with pytest.raises(YandexRejected, match="401"):
        await complete(client(http, yandex.gpt.url, authorization="Api-Key wrong"))


async def test_a_quota_refusal_is_repeated_after_a_back_off(yandex, http):
    yandex.gpt.fail(429, times=2)
    assert (await complete(client(http, yandex.gpt.url))).text
    assert len(yandex.gpt.requests) == 3


async def test_a_retry_after_beyond_the_deadline_gives_up_at_once(yandex, http):
    yandex.gpt.fail(429, retry_after="600")
    started = time.monotonic()
    with pytest.raises(YandexUnavailable):
        await complete(client(http, yandex.gpt.url), timeout_s=60)
    # Neither the Retry-After nor the deadline was waited for.
    assert time.monotonic() - started < 30 and len(yandex.gpt.requests) == 1


@pytest.mark.parametrize("status", [500, 503])
async def test_a_server_error_is_not_repeated_since_the_generation_may_be_billed(
    yandex, http, status
):
    yandex.gpt.fail(status, times=3)
    with pytest.raises(YandexUnavailable) as error:
        await complete(client(http, yandex.gpt.url))
    assert error.value.status == status and len(yandex.gpt.requests) == 1


async def test_a_connection_refused_is_repeated_and_reported(http):
    async with fake_yandex_cloud() as cloud:
        url = cloud.gpt.url  # the server stops at the end of this block
    started = time.monotonic()
    with pytest.raises(YandexUnavailable, match="cannot connect") as error:
        await complete(client(http, url), timeout_s=3)
    assert not error.value.request_sent
    assert time.monotonic() - started < 3 + 20  # repeated within the deadline, not forever


async def test_a_hanging_service_costs_no_more_than_the_deadline(yandex, http):
    yandex.gpt.hang(300)
    started = time.monotonic()
    with pytest.raises(YandexUnavailable, match="in time"):
        await complete(client(http, yandex.gpt.url), timeout_s=1)
    assert time.monotonic() - started < 1 + 20  # the deadline, not the hang
    assert len(yandex.gpt.requests) == 1  # it may have run: never repeated


async def test_invalid_json_and_a_wrong_shape_are_malformed(yandex, http):
    yandex.gpt.garbage()
    yandex.gpt.wrong_shape()
    gpt = client(http, yandex.gpt.url)
    for _ in range(2):
        with pytest.raises(YandexMalformed):
            await complete(gpt)


async def test_concurrency_is_capped_and_a_full_cap_waits_only_until_the_deadline(yandex, http):
    yandex.gpt.hang(0.3, times=6)
    gpt = client(http, yandex.gpt.url, concurrency=2)
    results = await asyncio.gather(*(complete(gpt, 2.0) for _ in range(6)))
    assert len(results) == 6 and yandex.gpt.max_in_flight == 2
    yandex.gpt.hang(3.0, times=2)
    busy = [asyncio.create_task(complete(gpt, 60.0)) for _ in range(2)]
    await eventually(lambda: yandex.gpt.in_flight == 2)
    with pytest.raises(YandexBusy):
        await complete(gpt, 0.5)
    await asyncio.gather(*busy)


async def test_past_the_deadline_nothing_is_sent(yandex, http):
    with pytest.raises(YandexUnavailable, match="no time left"):
        await client(http, yandex.gpt.url).complete(
            MESSAGES, temperature=0.5, max_tokens=300, deadline=Deadline(time.monotonic() - 1)
        )
    assert yandex.gpt.requests == []


async def test_malformed_answers_open_the_circuit_filtered_ones_do_not(yandex, http):
    gpt = client(http, yandex.gpt.url, failures=2)
    yandex.gpt.reply("", status="ALTERNATIVE_STATUS_CONTENT_FILTER", times=3)
    for _ in range(3):
        with pytest.raises(YandexFiltered):
            await complete(gpt)
    yandex.gpt.wrong_shape(times=2)
    for _ in range(2):
        with pytest.raises(YandexMalformed):
            await complete(gpt)
    with pytest.raises(CircuitOpen):
        await complete(gpt)
    assert len(yandex.gpt.requests) == 5
