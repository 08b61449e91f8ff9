"""What clients sent to Redis while a block ran, seen through MONITOR."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

END = "end of the watched calls"


@asynccontextmanager
async def commands_sent(redis: Redis, key: str) -> AsyncIterator[list[str]]:
    """Yields a list that, once the block ends, holds the names of the commands clients
    sent about `key` meanwhile (a script's own commands left out), in order."""
    sent: list[str] = []
    async with redis.monitor() as monitor:
        yield sent
        await redis.echo(END)  # MONITOR shows commands as they run: this one comes last
        while END not in (command := await monitor.next_command())["command"]:
            if command["client_type"] != "lua" and key in command["command"]:
                sent.append(command["command"].split()[0].upper())
