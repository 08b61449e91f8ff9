"""The processes' logs: one grep of a job id over the bot's, worker's and notifier's
logs tells the job's whole story, and no failure path prints a token, key or password."""

from __future__ import annotations

import json

from keyboards.callbacks import OptionCb
from keyboards.suggest import SuggestCb
from storage.store import Storage
from tests.support.e2e import choose, has_button, order, press
from tests.support.ids import new_chat_id as chat_id
from tests.support.photos import product_photo
from tests.support.waiting import eventually
from tests.support.yandexfake import fake_yandex_cloud
from tests.support.yandexfake.cloud import FOLDER_ID

# Shaped like the real ones, so the patterns are tested as well as the known values.
REAL_LOOKING_TOKEN = "7123456789:AAE" + "kQ3vZ9xT2wL8mN4pR6sY1uB5cD7fG0hJ2k"
WRONG_YANDEX_KEY = "AQVN" + "1bQx7Zk2Lm9Np4Rs6Tv8Wx0Yz3Ab5Cd7Ef9"
PANEL_PASSWORD = "correct-horse-battery-staple"


def lines_with(logs: dict[str, str], needle: str) -> list[tuple[str, dict]]:
    """(process, record) of every line that mentions `needle`; each must be JSON."""
    found = []
    for process, text in logs.items():
        for line in text.splitlines():
            if needle in line:
                found.append((process, json.loads(line)))
    return sorted(found, key=lambda pair: pair[1]["time"])


async def test_one_grep_of_a_job_id_tells_its_whole_story(start_service):
    async with start_service(worker=True, extra_env={"LOG_FORMAT": "json"}) as service:
        user = service.telegram.user(chat_id(), language_code="en")
        await order(user, product_photo(), count=1)
        await user.wait_for(lambda m: bool(m.photo), timeout=120)
        db = await Storage.open(service.settings.mongo_url, service.settings.mongo_db)
        try:
            [job] = await db.jobs.for_chat(user.chat_id, 0, 1)
        finally:
            await db.close()

        def story() -> list[tuple[str, dict]]:
            found = lines_with(service.logs(), job.id)
            told = [r for _, r in found if r["logger"] == "bot.notifier"]
            assert any("done: told the user" in r["message"] for r in told)
            return found

        found = await eventually(story, what=lambda: "\n".join(service.logs().values())[-3000:])
    for _, record in found:
        # Bound by the context, not written by hand: the fields are on every line.
        assert record["job_id"] == job.id and record["chat_id"] == user.chat_id, record
    said = [(process, record["part"], record["message"]) for process, record in found]
    parts = [part for _, part, _ in said]
    assert {"bot", "worker"} <= set(parts)
    assert any("queued" in m for p, _, m in said if p == "bot")
    assert any(m.startswith("job taken") for p, _, m in said if p == "worker")
    assert any(m.startswith("job done") for p, _, m in said if p == "worker")
    queued = next(i for i, (_, _, m) in enumerate(said) if "queued" in m)
    done = next(i for i, (_, _, m) in enumerate(said) if m.startswith("job done"))
    assert queued < done


async def test_failure_paths_log_no_secret(start_service):
    async with fake_yandex_cloud() as cloud:
        extra_env = {
            "LOG_FORMAT": "json",
            "YANDEX_API_KEY": WRONG_YANDEX_KEY,  # the fake cloud answers 401
            "YANDEX_FOLDER_ID": FOLDER_ID,
            "YANDEX_GPT_URL": cloud.gpt.url,
            "YANDEX_TRANSLATE_URL": cloud.translate.url,
            "YANDEX_TIMEOUT_S": "3",
            "PANEL_ADMIN_PASSWORD": PANEL_PASSWORD,
        }
        started = start_service(worker=False, extra_env=extra_env, token=REAL_LOOKING_TOKEN)
        async with started as service:
            telegram = service.telegram
            user = telegram.user(chat_id(), language_code="ru")
            # A failed download: the file's URL holds the token.
            sent = await user.send_document(
                product_photo(), file_name="a.jpg", mime_type="image/jpeg"
            )
            telegram.fail_download(sent.document["file_id"])
            await user.wait_for(lambda m: "скачать" in (m.text or ""))
            # Telegram answering 5xx, to a handler's send and to polling.
            telegram.fail_next("sendMessage", error_code=502, description="Bad Gateway")
            await user.send_text("/help")
            await user.wait_for(lambda m: (m.text or "").startswith("Что-то пошло не так"))
            telegram.fail_next("getUpdates", error_code=502, description="Bad Gateway")
            # Yandex answering 401, for ideas and for a translation.
            await user.send_photo(product_photo())
            options = await choose(user, "loft", 1)
            await press(user, options, SuggestCb(action="show").pack())
            await user.wait_for(lambda m: has_button(m, "sg:pick:"))
            await press(user, options, OptionCb(action="own").pack())
            await user.wait_for(lambda m: (m.text or "").startswith("Опишите фон"))
            await user.send_text("на белом мраморе")
            await user.wait_for(lambda m: (m.text or "").startswith("Фон: на белом мраморе"))

            def everything() -> str:
                text = "\n".join(service.logs().values())
                assert "ClientResponseError 502" in text, "the download failure was logged"
                assert "TelegramServerError" in text, "Telegram's 5xx was logged"
                assert "answered 401" in text, "Yandex's refusal was logged"
                return text

            logs = await eventually(everything, what=lambda: service.log("bot"))
    secret_part = REAL_LOOKING_TOKEN.split(":", 1)[1]
    for secret in (REAL_LOOKING_TOKEN, secret_part, WRONG_YANDEX_KEY, PANEL_PASSWORD):
        assert secret not in logs
    for line in logs.splitlines():
        if line.startswith("{"):
            json.loads(line)  # every line of ours stays one JSON object
