"""Logs: the bound ids on every line, JSON or text, and no secret ever printed."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import pytest

from runtime import logs
from runtime.logs import log_context, redact, setup_logging

TOKEN = "7012345678:AAHc0ffee-Example_TokenForTests0123456"


@pytest.fixture
def captured() -> io.StringIO:
    """The root logger writing JSON into a buffer; restored afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    setup_logging("bot", "DEBUG", "json", secrets=["s3cret-panel-pass"], stream=stream)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_bound_ids_are_on_every_line_and_only_inside(captured: io.StringIO):
    log = logging.getLogger("vitrina.test")
    with log_context(job_id="j1", chat_id=77):
        log.info("inside")
        with log_context(job_id="j2"):
            log.info("nested")
    log.info("outside")
    inside, nested, outside = [r for r in lines(captured) if r["logger"] == "vitrina.test"]
    assert (inside["job_id"], inside["chat_id"], inside["part"]) == ("j1", 77, "bot")
    assert (nested["job_id"], nested["chat_id"]) == ("j2", 77)
    assert "job_id" not in outside and outside["message"] == "outside"
    assert {"time", "level", "logger"} <= set(inside)


async def test_tasks_and_threads_carry_the_context(captured: io.StringIO):
    log = logging.getLogger("vitrina.test")

    async def in_task() -> None:
        log.info("task")

    with log_context(job_id="j3"):
        await asyncio.create_task(in_task())
        await asyncio.to_thread(log.info, "thread")
    ours = [r for r in lines(captured) if r["logger"] == "vitrina.test"]
    assert [(r["message"], r["job_id"]) for r in ours] == [
        ("task", "j3"),
        ("thread", "j3"),
    ]


def test_no_secret_reaches_a_line_even_inside_a_traceback(captured: io.StringIO):
    log = logging.getLogger("aiohttp.client")
    url = f"https://api.telegram.org/file/bot{TOKEN}/photos/file_1.jpg"
    try:
        raise RuntimeError(f"502, message='Bad Gateway', url='{url}'")
    except RuntimeError:
        log.exception("download failed")
    log.warning("panel password is s3cret-panel-pass")
    text = captured.getvalue()
    assert TOKEN not in text and "s3cret-panel-pass" not in text
    assert "file/bot[redacted]/photos" in text


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (f"POST https://api.telegram.org/bot{TOKEN}/getMe", TOKEN),
        ("Authorization: Api-Key AQVNx1y2z3ExampleKey0000aaaabbbbcccc", "AQVNx1y2z3"),
        ("Authorization: Bearer t1.9euelZqExampleIamToken.abcDEF012345", "t1.9euel"),
        ("mongodb://vitrina:hunter2hunter2@mongo:27017/", "hunter2"),
        ("redis://:p4ssw0rd-long@redis:6379/0", "p4ssw0rd"),
        ("Cookie: session=abcdef0123456789; theme=dark", "abcdef0123456789"),
        ('{"password": "correct horse"}', "correct"),
        ("X-Telegram-Bot-Api-Secret-Token: webhook-secret-123", "webhook-secret"),
    ],
)
def test_secrets_are_recognised_by_their_shape(line: str, secret: str):
    assert secret not in redact(line)


def test_ordinary_words_are_left_alone():
    line = "job 3f2a done: 2 images by studio in 1.5 s for chat 12345"
    assert redact(line) == line


def test_text_format_shows_the_ids_in_brackets():
    stream = io.StringIO()
    root = logging.getLogger()
    handlers = list(root.handlers)
    try:
        setup_logging("worker", "INFO", "text", stream=stream)
        with log_context(job_id="abc", chat_id=5):
            logging.getLogger("x").info("painting")
    finally:
        root.handlers[:] = handlers
        logging.captureWarnings(False)
    assert " INFO worker x [job_id=abc chat_id=5]: painting" in stream.getvalue()
    assert logs.bound("job_id") is None
