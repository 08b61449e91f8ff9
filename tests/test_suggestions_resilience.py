"""Whatever Yandex does, the user gets suggestions, and never waits past the timeout."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from suggestions.prompt_library import PromptLibrary
from tests.yandexfake import FakeYandexCloud

pytest_plugins = ("tests.yandexfake.fixtures",)

TIMEOUT_S = 1.0
SLACK_S = 0.3  # event-loop and Redis overhead on a busy 2-core machine

FAILURES: dict[str, Callable[[FakeYandexCloud], None]] = {
    "bad request": lambda y: y.gpt.fail(400),
    "unauthorized": lambda y: y.gpt.fail(401),
    "forbidden": lambda y: y.gpt.fail(403),
    "quota exhausted": lambda y: y.gpt.fail(429, times=10),
    "internal error": lambda y: y.gpt.fail(500),
    "unavailable": lambda y: y.gpt.fail(503),
    "hangs": lambda y: y.gpt.hang(30),
    "invalid json": lambda y: y.gpt.garbage(),
    "wrong shape": lambda y: y.gpt.wrong_shape(),
    "content filter": lambda y: y.gpt.reply("", status="ALTERNATIVE_STATUS_CONTENT_FILTER"),
    "no usable line": lambda y: y.gpt.reply("I would rather not."),
    "translate down": lambda y: y.translate.fail(503, times=10),
    "translate hangs": lambda y: y.translate.hang(30),
    "translate refuses": lambda y: y.translate.fail(401),
    "translate garbage": lambda y: y.translate.garbage(times=10),
}


# English buttons need no translation, so Translate's failures matter to Russian ones only.
CASES = [
    (f, lang) for f in FAILURES for lang in ("ru", "en") if lang == "ru" or "translate" not in f
]


@pytest.mark.parametrize(("failure", "lang"), CASES)
async def test_every_failure_falls_back_to_the_library_in_time(
    yandex, make_suggester, failure, lang
):
    FAILURES[failure](yandex)
    started = time.monotonic()
    ideas = await make_suggester(yandex_timeout_s=TIMEOUT_S).suggest(
        style="loft", lang=lang, category="sofa"
    )
    assert time.monotonic() - started < TIMEOUT_S + SLACK_S
    library = PromptLibrary.load().pick(style="loft", category="sofa", lang=lang, count=4)
    assert ideas == library


async def test_a_failed_generation_is_not_cached(yandex, make_suggester):
    suggester = make_suggester()
    yandex.gpt.fail(500)
    assert {i.source for i in await suggester.suggest(style="loft", lang="en")} == {"library"}
    assert {i.source for i in await suggester.suggest(style="loft", lang="en")} == {"yandexgpt"}


async def test_an_open_circuit_costs_the_user_no_waiting(yandex, make_suggester):
    suggester = make_suggester(yandex_breaker_failures=2, yandex_timeout_s=TIMEOUT_S)
    yandex.gpt.hang(30, times=2)
    for _ in range(2):
        await suggester.suggest(style="minimal", lang="en", category="lamp")
    started = time.monotonic()
    ideas = await suggester.suggest(style="minimal", lang="en", category="lamp")
    assert time.monotonic() - started < 0.1
    assert {i.source for i in ideas} == {"library"} and len(yandex.gpt.requests) == 2


async def test_the_circuit_closes_when_yandex_is_back(yandex, make_suggester):
    suggester = make_suggester(yandex_breaker_failures=1, yandex_breaker_reset_s=0.2)
    yandex.gpt.fail(503)
    await suggester.suggest(style="minimal", lang="en")
    assert {i.source for i in await suggester.suggest(style="minimal", lang="en")} == {"library"}
    assert len(yandex.gpt.requests) == 1
    await asyncio.sleep(0.25)
    assert {i.source for i in await suggester.suggest(style="minimal", lang="en")} == {"yandexgpt"}


async def test_translation_failure_leaves_the_users_text_for_the_model(yandex, make_suggester):
    yandex.translate.fail(503, times=10)
    started = time.monotonic()
    prompt = await make_suggester(yandex_timeout_s=TIMEOUT_S).to_model_prompt("диван", "ru")
    assert time.monotonic() - started < TIMEOUT_S + SLACK_S
    assert not prompt.translated and "диван" in prompt.prompt


async def test_a_hanging_translation_costs_no_more_than_the_timeout(yandex, make_suggester):
    yandex.translate.hang(30)
    started = time.monotonic()
    prompt = await make_suggester(yandex_timeout_s=TIMEOUT_S).to_model_prompt("диван", "ru")
    assert time.monotonic() - started < TIMEOUT_S + SLACK_S
    assert not prompt.translated
