"""Which of the user's files were already answered: one photo per album, and a photo
whose message was edited only in its caption is not taken twice.

Kept in Redis a while, across bot replicas; /forget removes a chat's keys.
"""

from __future__ import annotations

from bot.services.deps import BotDeps

# Telegram delivers an album's messages within seconds; a day covers late retries.
ALBUM_TTL_S = 24 * 3600
# Telegram allows editing a message for 48 hours.
SEEN_TTL_S = 48 * 3600


def album_key(deps: BotDeps, chat_id: int, media_group_id: str) -> str:
    return f"{deps.keys.prefix}:album:{chat_id}:{media_group_id}"


def seen_key(deps: BotDeps, chat_id: int, file_unique_id: str) -> str:
    return f"{deps.keys.prefix}:seen:{chat_id}:{file_unique_id}"


def chat_patterns(deps: BotDeps, chat_id: int) -> list[str]:
    """Key patterns of everything this module keeps for a chat."""
    return [f"{deps.keys.prefix}:album:{chat_id}:*", f"{deps.keys.prefix}:seen:{chat_id}:*"]


async def claim_album(deps: BotDeps, chat_id: int, media_group_id: str) -> bool:
    """True for the one message of an album that is taken; the first to ask wins."""
    return bool(
        await deps.redis.set(album_key(deps, chat_id, media_group_id), 1, nx=True, ex=ALBUM_TTL_S)
    )


async def remember_file(deps: BotDeps, chat_id: int, file_unique_id: str) -> None:
    await deps.redis.set(seen_key(deps, chat_id, file_unique_id), 1, ex=SEEN_TTL_S)


async def seen_file(deps: BotDeps, chat_id: int, file_unique_id: str) -> bool:
    return bool(await deps.redis.exists(seen_key(deps, chat_id, file_unique_id)))
