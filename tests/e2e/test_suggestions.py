"""The suggestion flow end to end: the real bot process, the fake Telegram server, the fake
Yandex Cloud, real Redis and MongoDB protocol. No worker: the job record is the outcome."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from catalog import catalog
from keyboards.callbacks import CountCb, OptionCb, StyleCb
from keyboards.suggest import SuggestCb
from storage.jobs import Job
from storage.store import Storage
from suggestions.prompt_library import PromptLibrary
from tests.support.e2e import Service, has_button, press
from tests.support.ids import new_chat_id
from tests.support.photos import product_photo
from tests.support.yandexfake import DEFAULT_IDEAS, FakeYandexCloud, fake_yandex_cloud
from tests.support.yandexfake.cloud import API_KEY, FOLDER_ID

CAPTIONS = [line.split(" | ")[0] for line in DEFAULT_IDEAS.splitlines()]
CHOOSE = {"ru": "Выберите фон, попросите ещё идей или напишите свой:"}


@pytest.fixture(scope="module")
async def cloud() -> AsyncIterator[FakeYandexCloud]:
    async with fake_yandex_cloud() as cloud:
        yield cloud
    assert not cloud.violations, "the bot broke the documented Yandex protocol"


@pytest.fixture(scope="module")
async def service(start_service, cloud: FakeYandexCloud) -> AsyncIterator[Service]:
    extra_env = {
        "YANDEX_API_KEY": API_KEY,
        "YANDEX_FOLDER_ID": FOLDER_ID,
        "YANDEX_GPT_URL": cloud.gpt.url,
        "YANDEX_TRANSLATE_URL": cloud.translate.url,
        "YANDEX_TIMEOUT_S": "3",
    }
    async with start_service(worker=False, extra_env=extra_env) as service:
        yield service


def new_user(service: Service, lang: str):
    return service.telegram.user(new_chat_id(), language_code=lang)


async def up_to_options(user, style: str):
    await user.send_photo(product_photo())
    styles = await user.wait_for(lambda m: bool(m.buttons))
    await press(user, styles, StyleCb(style=style).pack())
    counts = await user.wait_for(lambda m: bool(m.buttons))
    await press(user, counts, CountCb(count=1).pack())
    return await user.wait_for(lambda m: _has(m, OptionCb(action="generate").pack()))


async def the_job(service: Service, chat_id: int) -> Job:
    store = await Storage.open(service.settings.mongo_url, service.settings.mongo_db)
    try:
        [job] = await store.jobs.for_chat(chat_id, 0, 2)
    finally:
        await store.close()
    return job


def _has(message, prefix: str) -> bool:
    return has_button(message, prefix)


def _ideas(message) -> list[str]:
    return [b["text"] for b in message.buttons if b["callback_data"].startswith("sg:pick:")]


async def test_pick_a_suggested_background_after_more_ideas(service, cloud):
    cloud.translate.dictionary[("ru", CAPTIONS[4])] = "Галерея на стене"
    user = new_user(service, "ru")
    options = await up_to_options(user, "loft")
    assert "💡 Предложить фон" in [b["text"] for b in options.buttons]
    gpt_calls = len(cloud.gpt.requests)
    await press(user, options, SuggestCb(action="show").pack())
    ideas = await user.wait_for(lambda m: m.text == CHOOSE["ru"] and _ideas(m))
    assert _ideas(ideas) == [f"[ru] {c}" for c in CAPTIONS[:4]]
    assert all(len(b["callback_data"].encode()) <= 64 for b in ideas.buttons)
    await user.press(ideas, text="🔄 Ещё идеи")
    more = await user.wait_for(lambda m: m.message_id == ideas.message_id)
    assert _ideas(more) == ["Галерея на стене"] + [f"[ru] {c}" for c in CAPTIONS[5:8]]
    assert len(cloud.gpt.requests) == gpt_calls + 1  # the second page came from the cache
    await user.press(more, text="Галерея на стене")
    picked = await user.wait_for(lambda m: m.text == "Фон: Галерея на стене")
    await press(user, picked, OptionCb(action="generate").pack())
    await user.wait_for(lambda m: "⏳" in (m.text or ""))
    job = await the_job(service, user.chat_id)
    assert job.user_prompt == "Галерея на стене"
    assert job.model_prompt.startswith("the product, a bright room with a framed gallery wall")
    assert "industrial loft" in job.model_prompt
    assert job.negative_prompt == catalog().negative_prompt("loft")


async def test_write_my_own_in_russian_is_translated_for_the_model(service, cloud):
    cloud.translate.dictionary[("en", "на белом мраморе у окна")] = "on white marble by a window"
    user = new_user(service, "en")
    options = await up_to_options(user, "minimal")
    await press(user, options, OptionCb(action="own").pack())
    await user.wait_for(lambda m: m.text.startswith("Describe the background"))
    await user.send_text("на белом мраморе у окна")
    await user.wait_for(lambda m: m.text == "Background: на белом мраморе у окна")
    ready = await user.wait_for(lambda m: _has(m, OptionCb(action="generate").pack()))
    await press(user, ready, OptionCb(action="generate").pack())
    await user.wait_for(lambda m: "⏳" in (m.text or ""))
    job = await the_job(service, user.chat_id)
    assert job.user_prompt == "на белом мраморе у окна"
    assert job.model_prompt.startswith("the product, on white marble by a window, minimalist")
    await user.send_text("/history")
    history = await user.wait_for(lambda m: m.text.startswith("Your jobs"))
    assert "на белом мраморе у окна" in history.text


async def test_when_yandexgpt_fails_the_library_suggests(service, cloud):
    cloud.gpt.fail(503)
    user = new_user(service, "ru")
    options = await up_to_options(user, "nature")
    await press(user, options, SuggestCb(action="show").pack())
    ideas = await user.wait_for(lambda m: m.text == CHOOSE["ru"] and _ideas(m))
    library = PromptLibrary.load().pick(style="nature", category=None, lang="ru", count=4)
    assert _ideas(ideas) == [s.text for s in library]
