"""Why a call to Yandex Cloud gave no usable answer.

Every failure the Suggester can meet is one of these, so it can fall back to the
built-in library with a single `except YandexError`.
"""

from __future__ import annotations


class YandexError(Exception):
    """A Yandex call gave no usable answer."""

    # Whether the failure says the service is unwell (feeds the circuit breaker)
    # rather than that this one request was unlucky or refused on its content.
    outage = True


class YandexUnavailable(YandexError):
    """Network error, timeout, 5xx or 429: the service did not do the work."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after_s: float | None = None,
        request_sent: bool = True,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after_s = retry_after_s
        # False only when the request never left this process (connection refused,
        # DNS failure), which is when repeating it cannot double-bill a generation.
        self.request_sent = request_sent


class YandexRejected(YandexError):
    """4xx other than 429: credentials, permissions or the request itself are wrong."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class YandexMalformed(YandexError):
    """The answer is not the JSON the API documents."""


class YandexFiltered(YandexError):
    """YandexGPT stopped on its content filter; the service itself is fine."""

    outage = False


class CircuitOpen(YandexError):
    """Recent calls failed, so this one was not made at all."""

    outage = False


class YandexBusy(YandexError):
    """Our own concurrency cap stayed full until the deadline; no request was made."""

    outage = False
