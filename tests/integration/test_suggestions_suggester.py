"""The Suggester end to end against the fake cloud and a real Redis."""

from __future__ import annotations

import uuid

from redis.asyncio import Redis

from catalog import catalog
from settings import Settings
from suggestions import Suggester
from suggestions.prompt_library import PromptLibrary
from tests.support.yandexfake import DEFAULT_IDEAS

CAPTIONS = [line.split(" | ")[0] for line in DEFAULT_IDEAS.splitlines()]
MORE_IDEAS = "\n".join(
    f"Fresh idea {n} | a new room number {n} with plaster walls and soft light" for n in range(8)
)


async def test_without_yandex_credentials_the_library_answers(redis_client, http, redis_url):
    settings = Settings(_env_file=None, redis_url=redis_url, stream_prefix=uuid.uuid4().hex)
    suggester = Suggester.create(settings, redis_client, http)
    ideas = await suggester.suggest(style="loft", lang="ru", category="sofa")
    assert ideas == PromptLibrary.load().pick(style="loft", category="sofa", lang="ru", count=4)
    prompt = await suggester.to_model_prompt("диван у камина", "ru")
    assert "диван у камина" in prompt.prompt and not prompt.translated and prompt.lang == "ru"


async def test_yandexgpt_ideas_for_an_english_user(yandex, make_suggester):
    ideas = await make_suggester().suggest(style="scandinavian", lang="en", category="sofa")
    assert [i.text for i in ideas] == CAPTIONS[:4]
    assert {i.source for i in ideas} == {"yandexgpt"}
    assert ideas[0].prompt.startswith("a sofa, a sunlit reading corner with a tall window")
    assert "scandinavian interior" in ideas[0].prompt
    assert ideas[0].negative_prompt == catalog().negative_prompt("scandinavian")
    [request] = yandex.gpt.requests
    system, user = request["messages"]
    assert "scandinavian interior" in system["text"] and "exactly 8 lines" in system["text"]
    assert "Product: a sofa." in user["text"]
    assert yandex.translate.requests == []


async def test_russian_buttons_are_translated_and_prompts_stay_english(yandex, make_suggester):
    yandex.translate.dictionary[("ru", CAPTIONS[0])] = "Солнечный уголок для чтения"
    ideas = await make_suggester().suggest(style="loft", lang="ru", category="lamp")
    assert [i.text for i in ideas] == ["Солнечный уголок для чтения"] + [
        f"[ru] {c}" for c in CAPTIONS[1:4]
    ]
    assert ideas[0].prompt.startswith("a lamp, a sunlit reading corner")
    [request] = yandex.translate.requests
    assert request["texts"] == CAPTIONS and request["sourceLanguageCode"] == "en"


async def test_the_same_request_is_answered_from_the_cache(yandex, make_suggester):
    first = await make_suggester().suggest(style="loft", lang="en", category="bed")
    again = await make_suggester().suggest(style="loft", lang="en", category="bed")
    assert first == again and len(yandex.gpt.requests) == 1
    await make_suggester().suggest(style="classic", lang="en", category="bed")
    assert len(yandex.gpt.requests) == 2


async def test_more_ideas_come_from_the_cache_then_from_a_new_generation(yandex, make_suggester):
    suggester = make_suggester()
    page1 = await suggester.suggest(style="nature", lang="en", category="plant")
    page2 = await suggester.suggest(
        style="nature", lang="en", category="plant", exclude=[i.id for i in page1]
    )
    assert [i.text for i in page2] == CAPTIONS[4:8] and len(yandex.gpt.requests) == 1
    yandex.gpt.reply(MORE_IDEAS)
    page3 = await suggester.suggest(
        style="nature", lang="en", category="plant", exclude=[i.id for i in page1 + page2]
    )
    assert [i.text for i in page3] == [f"Fresh idea {n}" for n in range(4)]
    user = yandex.gpt.requests[1]["messages"][1]["text"]
    assert "Suggest ideas different from these: " + "; ".join(CAPTIONS) in user


async def test_the_users_words_reach_yandexgpt_and_have_their_own_cache(yandex, make_suggester):
    suggester = make_suggester()
    await suggester.suggest(style="minimal", lang="ru", category="chair", user_text="у камина")
    assert 'in their words: "у камина"' in yandex.gpt.requests[0]["messages"][1]["text"]
    await suggester.suggest(style="minimal", lang="ru", category="chair")
    assert len(yandex.gpt.requests) == 2


async def test_a_truncated_answer_keeps_its_whole_lines_and_the_library_tops_up(
    yandex, make_suggester
):
    cut = "\n".join(DEFAULT_IDEAS.splitlines()[:3]) + "\nLibrary nook | a cozy lib"
    yandex.gpt.reply(cut, status="ALTERNATIVE_STATUS_TRUNCATED_FINAL")
    ideas = await make_suggester().suggest(style="classic", lang="en", category="table")
    assert [i.source for i in ideas] == ["yandexgpt"] * 3 + ["library"]
    assert [i.text for i in ideas[:3]] == CAPTIONS[:3]


async def test_a_broken_cache_costs_only_the_cache(yandex, http, redis_url):
    broken = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    suggester = Suggester.create(yandex.settings(redis_url=redis_url), broken, http)
    ideas = await suggester.suggest(style="loft", lang="en", category="door")
    assert [i.source for i in ideas] == ["yandexgpt"] * 4
    await broken.aclose()


async def test_an_english_description_goes_to_the_model_as_written(yandex, make_suggester):
    prompt = await make_suggester().to_model_prompt(
        "  a sofa   by the sea ", "ru", style="nature", category="sofa"
    )
    assert prompt.text == "a sofa by the sea" and prompt.lang == "en"
    assert prompt.prompt.startswith("a sofa, a sofa by the sea, natural materials")
    assert not prompt.translated and yandex.translate.requests == []


async def test_a_russian_description_is_translated_once(yandex, make_suggester):
    yandex.translate.dictionary[("en", "диван у моря")] = "a sofa by the sea"
    suggester = make_suggester()
    prompt = await suggester.to_model_prompt("диван у моря", "ru", style="loft")
    assert prompt.text == "диван у моря" and prompt.lang == "ru" and prompt.translated
    assert prompt.prompt.startswith("the product, a sofa by the sea, industrial loft")
    assert prompt.negative_prompt == catalog().negative_prompt("loft")
    again = await suggester.to_model_prompt("Диван  у моря", "en", style="loft")
    assert again.prompt == prompt.prompt and len(yandex.translate.requests) == 1
    [request] = yandex.translate.requests
    assert request["targetLanguageCode"] == "en" and "sourceLanguageCode" not in request


async def test_text_without_letters_takes_the_users_language(make_suggester):
    prompt = await make_suggester().to_model_prompt("🛋️ 2024", "ru")
    assert prompt.lang == "ru" and prompt.prompt.startswith("the product, 🛋️ 2024")


async def test_a_suggestion_is_remembered_under_a_short_id(make_suggester, redis_client):
    suggester = make_suggester(suggestion_ttl_s=3600)
    [idea] = await suggester.suggest(style="loft", lang="ru", category="sofa", count=1)
    short_id = await suggester.remember(idea)
    assert short_id == idea.id and len(f"sg:pick:{short_id}".encode()) <= 64
    assert await make_suggester().recall(short_id) == idea
    [key] = await redis_client.keys(f"*:item:{short_id}")
    assert 0 < await redis_client.ttl(key) <= 3600
    assert await suggester.recall("0123456789ab") is None
    assert await suggester.recall("../../etc") is None
