"""Whatever Yandex does, the user gets suggestions, and never waits past the timeout."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from suggestions.prompt_library import PromptLibrary
from tests.support.waiting import eventually
from tests.support.yandexfake import FakeYandexCloud

TIMEOUT_S = 2.0
# Far beyond TIMEOUT_S: a call that took this long waited for the hang, not the deadline.
# Generous on purpose: a slow machine must never fail these tests.
WAITED_FOR_HANG_S = TIMEOUT_S + 20

FAILURES: dict[str, Callable[[FakeYandexCloud], None]] = {
    "bad request": lambda y: y.gpt.fail(400),
    "unauthorized": lambda y: y.gpt.fail(401),
    "forbidden": lambda y: y.gpt.fail(403),
    "quota exhausted": lambda y: y.gpt.fail(429, times=10),
    "internal error": lambda y: y.gpt.fail(500),
    "unavailable": lambda y: y.gpt.fail(503),
    "hangs": lambda y: y.gpt.hang(120),
    "invalid json": lambda y: y.gpt.garbage(),
    "wrong shape": lambda y: y.gpt.wrong_shape(),
    "content filter": lambda y: y.gpt.reply("", status="ALTERNATIVE_STATUS_CONTENT_FILTER"),
    "no usable line": lambda y: y.gpt.reply("I would rather not."),
    "translate down": lambda y: y.translate.fail(503, times=10),
    "translate hangs": lambda y: y.translate.hang(120),
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
    assert time.monotonic() - started < WAITED_FOR_HANG_S
    library = PromptLibrary.load().pick(style="loft", category="sofa", lang=lang, count=4)
    assert ideas == library


async def test_a_failed_generation_is_not_cached(yandex, make_suggester):
    suggester = make_suggester()
    yandex.gpt.fail(500)
    assert {i.source for i in await suggester.suggest(style="loft", lang="en")} == {"library"}
    assert {i.source for i in await suggester.suggest(style="loft", lang="en")} == {"yandexgpt"}


async def test_an_open_circuit_costs_the_user_no_waiting(yandex, make_suggester):
    suggester = make_suggester(yandex_breaker_failures=2, yandex_timeout_s=TIMEOUT_S)
    yandex.gpt.hang(120, times=3)
    for _ in range(2):
        await suggester.suggest(style="minimal", lang="en", category="lamp")
    started = time.monotonic()
    ideas = await suggester.suggest(style="minimal", lang="en", category="lamp")
    # No third request, so no third wait for the timeout.
    assert {i.source for i in ideas} == {"library"} and len(yandex.gpt.requests) == 2
    assert time.monotonic() - started < TIMEOUT_S


async def test_the_circuit_closes_when_yandex_is_back(yandex, make_suggester):
    suggester = make_suggester(yandex_breaker_failures=1, yandex_breaker_reset_s=3)
    yandex.gpt.fail(503)
    await suggester.suggest(style="minimal", lang="en")
    assert {i.source for i in await suggester.suggest(style="minimal", lang="en")} == {"library"}
    assert len(yandex.gpt.requests) == 1

    async def from_yandex() -> bool:
        ideas = await suggester.suggest(style="minimal", lang="en")
        return {i.source for i in ideas} == {"yandexgpt"}

    assert await eventually(from_yandex, timeout=60, interval=0.5)


async def test_translation_failure_leaves_the_users_text_for_the_model(yandex, make_suggester):
    yandex.translate.fail(503, times=10)
    started = time.monotonic()
    prompt = await make_suggester(yandex_timeout_s=TIMEOUT_S).to_model_prompt("диван", "ru")
    assert time.monotonic() - started < WAITED_FOR_HANG_S
    assert not prompt.translated and "диван" in prompt.prompt


async def test_a_hanging_translation_costs_no_more_than_the_timeout(yandex, make_suggester):
    yandex.translate.hang(30)
    started = time.monotonic()
    prompt = await make_suggester(yandex_timeout_s=TIMEOUT_S).to_model_prompt("диван", "ru")
    assert time.monotonic() - started < WAITED_FOR_HANG_S
    assert not prompt.translated
