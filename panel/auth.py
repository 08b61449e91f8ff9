"""Who may enter the panel: password hashes, the Telegram Login Widget, login throttling.

Pure checks; the views and the session live elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass

from redis.asyncio import Redis

# scrypt at n=2^15, r=8: about 32 MiB and a tenth of a second per try on one core.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
SCRYPT_MAXMEM = 64 * 1024 * 1024
TELEGRAM_MAX_AGE_S = 24 * 3600
TELEGRAM_CLOCK_SKEW_S = 300
TELEGRAM_FIELDS = {"id", "first_name", "last_name", "username", "photo_url", "auth_date"}


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt$hash`, salt and hash in url-safe base64."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "$".join(
        ["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest)]
    )


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` (any Unicode) matches the stored hash; a malformed hash never does."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.urlsafe_b64decode(digest)
        given = _scrypt(password, base64.urlsafe_b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(given, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # surrogatepass: a browser can send lone surrogates; they must hash, not raise.
    secret = password.encode("utf-8", "surrogatepass")
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=SCRYPT_MAXMEM, dklen=32)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def same_text(a: str, b: str) -> bool:
    """Constant-time comparison of two texts, whatever characters they hold."""
    return hmac.compare_digest(
        a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass")
    )


@dataclass(frozen=True)
class TelegramUser:
    id: int
    name: str


class TelegramLoginError(ValueError):
    """Why a Telegram login was refused; `reason` names a text in locales (panel-login-…)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def verify_telegram_login(
    data: Mapping[str, str], bot_token: str, admin_ids: list[int], now: float | None = None
) -> TelegramUser:
    """Checks the Login Widget's redirect: `hash` is the HMAC-SHA256 of the sorted
    `key=value` lines keyed with SHA256(bot token), `auth_date` at most a day old, and
    the user one of the admins. Raises TelegramLoginError otherwise."""
    given = data.get("hash", "")
    fields = {k: v for k, v in data.items() if k != "hash"}
    check_string = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    secret = hashlib.sha256(bot_token.encode()).digest()
    expected = hmac.new(secret, check_string.encode("utf-8", "surrogatepass"), hashlib.sha256)
    if not given or not hmac.compare_digest(
        expected.hexdigest().encode(), given.encode("utf-8", "surrogatepass")
    ):
        raise TelegramLoginError("panel-login-telegram-forged")
    try:
        auth_date, user_id = int(fields["auth_date"]), int(fields["id"])
    except (KeyError, ValueError):
        raise TelegramLoginError("panel-login-telegram-forged") from None
    age = (time.time() if now is None else now) - auth_date
    if age > TELEGRAM_MAX_AGE_S or age < -TELEGRAM_CLOCK_SKEW_S:
        raise TelegramLoginError("panel-login-telegram-expired")
    if user_id not in admin_ids:
        raise TelegramLoginError("panel-login-not-admin")
    name = fields.get("username") or fields.get("first_name") or str(user_id)
    return TelegramUser(user_id, name)


def sign_telegram_login(fields: Mapping[str, str], bot_token: str) -> dict[str, str]:
    """The fields with the `hash` Telegram would add (for tests and local tools)."""
    check_string = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    secret = hashlib.sha256(bot_token.encode()).digest()
    digest = hmac.new(secret, check_string.encode(), hashlib.sha256).hexdigest()
    return {**fields, "hash": digest}


class LoginThrottle:
    """Failed logins counted in Redis per subject (a client address, an account) within a
    window; a subject over the limit is refused until its window ends."""

    def __init__(self, redis: Redis, prefix: str, attempts: int, window_s: int) -> None:
        self._redis = redis
        self._prefix = prefix
        self._attempts = attempts
        self._window_s = window_s

    def _key(self, subject: str) -> str:
        # Hashed: an account name may be long or hold any characters.
        return f"{self._prefix}:login-failures:{hashlib.sha256(subject.encode()).hexdigest()}"

    async def blocked(self, *subjects: str) -> bool:
        counts = await self._redis.mget([self._key(s) for s in subjects])
        return any(int(c or 0) >= self._attempts for c in counts)

    async def failed(self, *subjects: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            for subject in subjects:
                pipe.incr(self._key(subject))
                pipe.expire(self._key(subject), self._window_s, nx=True)
            await pipe.execute()

    async def succeeded(self, account: str) -> None:
        await self._redis.delete(self._key(account))
