"""Redis clients that ride out a restart: every command has a timeout, a dropped or stale
pooled connection is replaced, and a failed command is retried with back-off.

redis-py's `Redis.from_url` builds connections without retries (its `Retry` default
applies only when no URL is given), so a pooled connection that a restarted server
closed fails the next command ("Connection closed by server"). Every process builds its
clients here instead.
"""

from __future__ import annotations

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# Retries with jittered back-off up to 1 s: together about 15 s, longer than a clean restart
# of an append-only Redis (a few seconds), shorter than a person's patience.
RETRIES = 20
BACKOFF_BASE_S = 0.05
BACKOFF_CAP_S = 1.0
# No reply within this long means the connection is dead: no call waits forever. Blocking
# reads (XREADGROUP BLOCK) stay well under it.
SOCKET_TIMEOUT_S = 10.0
CONNECT_TIMEOUT_S = 3.0
# A connection idle this long is PINGed before use, so a stale one is replaced first.
HEALTH_CHECK_INTERVAL_S = 5


def redis_client(url: str, *, decode_responses: bool = True) -> Redis:
    retry = Retry(
        ExponentialWithJitterBackoff(base=BACKOFF_BASE_S, cap=BACKOFF_CAP_S),
        RETRIES,
        supported_errors=(RedisConnectionError, RedisTimeoutError, ConnectionError, OSError),
    )
    return Redis.from_url(
        url,
        decode_responses=decode_responses,
        retry=retry,
        socket_timeout=SOCKET_TIMEOUT_S,
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_keepalive=True,
        health_check_interval=HEALTH_CHECK_INTERVAL_S,
    )
