"""Logging for every part: one line per event, with the job's path on every line.

- `setup_logging(part, ...)` once per process: readable text (the default, for a terminal)
  or one JSON object a line (`LOG_FORMAT=json`, what the Docker images set) on stderr.
- `log_context(job_id=..., chat_id=...)` binds fields for everything logged inside it,
  through contextvars: asyncio tasks and `asyncio.to_thread` carry them along, so the
  ids reach the lines of the libraries too, and no call site adds them by hand.
- Every line passes `redact()` on its way out: tokens, keys, passwords and cookies that
  slipped into a message or a traceback (an aiohttp error quotes the URL, and Telegram's
  file URLs hold the bot token) never reach the log. Not logging them is the first
  defence; this is the second.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, Literal

from pythonjsonlogger.json import JsonFormatter

LogFormat = Literal["text", "json"]
# The fields a context may bind, in the order the text format shows them.
CONTEXT_FIELDS: tuple[str, ...] = ("job_id", "chat_id", "user_id", "image_id")
REDACTED = "[redacted]"
# Shorter values are no secrets worth hiding, and hiding them would garble ordinary words.
MIN_SECRET_CHARS = 6

# One part per process, also for threads that carry no context (rembg, onnxruntime).
_part = ["-"]
# Never mutated: log_context sets a new dict, so the shared default stays empty.
_fields: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar(
    "log_fields",
    default={},  # noqa: B039
)
_known_secrets: list[str] = []

# What a secret looks like wherever it turns up, known to this process or not.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # A Bot API token, alone or inside a URL path (/bot<token>/, /file/bot<token>/).
    (re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}"), REDACTED),
    # Yandex Cloud API keys (AQVN…) and IAM tokens (t1.…).
    (re.compile(r"\bAQVN[A-Za-z0-9_-]{20,}"), REDACTED),
    (re.compile(r"\bt1\.[A-Za-z0-9_.-]{20,}"), REDACTED),
    # Authorization headers, whatever the scheme.
    (re.compile(r"(?i)\b(Api-Key|Bearer|Basic|OAuth)\s+[A-Za-z0-9._~+/=-]{8,}"), rf"\1 {REDACTED}"),
    # Passwords in URLs: scheme://user:password@host.
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+@"), rf"\1{REDACTED}@"),
    # key=value and "key": "value" pairs whose name says they are secret.
    (
        re.compile(
            r"(?i)(\b(?:password|passwd|secret|token|api_key|apikey|cookie|set-cookie|"
            r"authorization|x-telegram-bot-api-secret-token)\b[\"']?\s*[:=]\s*[\"']?)"
            r"[^\s\"',;&]{4,}"
        ),
        rf"\1{REDACTED}",
    ),
)


def redact(text: str) -> str:
    """The text with every known secret and everything shaped like one replaced."""
    for secret in _known_secrets:
        text = text.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def add_secrets(values: Iterable[str | None]) -> None:
    """Values this process knows to be secret (its token, keys, passwords): never logged."""
    for value in values:
        if value and len(value) >= MIN_SECRET_CHARS and value not in _known_secrets:
            _known_secrets.append(value)
    _known_secrets.sort(key=len, reverse=True)  # a longer secret may contain a shorter one


@contextlib.contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Binds `fields` (job_id, chat_id, ...) to every line logged inside, in this task and
    in the tasks and threads it starts; None values are left out."""
    token = _fields.set({**_fields.get(), **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _fields.reset(token)


def bound(name: str) -> Any:
    """The value bound to `name` here, or None."""
    return _fields.get().get(name)


class ContextFilter(logging.Filter):
    """Puts the process's part and the bound fields on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.part = _part[0]
        for name, value in _fields.get().items():
            if not hasattr(record, name) or getattr(record, name) is None:
                setattr(record, name, value)
        return True


class TextFormatter(logging.Formatter):
    """`time LEVEL part logger [job_id=… chat_id=…]: message`, redacted."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(part)s %(name)s%(context)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        pairs = [f"{k}={getattr(record, k)}" for k in CONTEXT_FIELDS if hasattr(record, k)]
        record.context = f" [{' '.join(pairs)}]" if pairs else ""
        if not hasattr(record, "part"):
            record.part = _part[0]
        return redact(super().format(record))


class JsonLineFormatter(JsonFormatter):
    """One JSON object a line: time, level, part, logger, message, the bound fields and
    any `extra=`, and the traceback; redacted like the text."""

    def __init__(self) -> None:
        super().__init__(
            "{asctime}{levelname}{part}{name}{message}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "part"):
            record.part = _part[0]
        return redact(super().format(record))

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        # ISO 8601 in UTC, which log collectors parse and which sorts as text.
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


def setup_logging(
    part: str,
    level: str = "INFO",
    fmt: LogFormat = "text",
    secrets: Iterable[str | None] = (),
    stream: Any = None,
) -> None:
    """Configures the root logger of this process for `part` (bot, worker, panel, ...)."""
    _part[0] = part
    add_secrets(secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonLineFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Library warnings (a decompression bomb someone sent, a deprecation) become log lines
    # with the same fields, instead of bare text on stderr.
    logging.captureWarnings(True)
    # aiohttp's access log would print every webhook request and the panel's health checks.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # apscheduler logs two lines per run of every job; the scheduler logs what matters.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
