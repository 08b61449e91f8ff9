"""What the admin commands do: /stats, /ban, /unban and /quota, for ADMIN_IDS only.

A ban or a quota is set on the record of a Telegram id: a user's id (which is also
their private chat's) or a chat's. Every change is logged with who made it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from bot.services.deps import BotDeps
from jobs.heartbeat import alive_workers
from locales import Translator

log = logging.getLogger(__name__)


class AdminUsage(ValueError):
    """The command's arguments are wrong; the usage text is the answer."""


def is_admin(deps: BotDeps, user_id: int | None) -> bool:
    return user_id is not None and user_id in deps.settings.admin_ids


async def stats_text(deps: BotDeps, t: Translator) -> str:
    since = datetime.now(UTC) - timedelta(days=1)
    return t.get(
        "admin-stats",
        jobs=await deps.db.jobs.count_since(since),
        failed=await deps.db.jobs.count_since(since, status="failed"),
        waiting=await deps.job_queue.waiting(),
        workers=len(await alive_workers(deps.redis, deps.keys)),
        chats=await deps.db.chats.count(),
        banned=await deps.db.chats.count(banned=True),
    )


def target_of(args: str | None) -> int:
    """The Telegram id a command names."""
    words = (args or "").split()
    if not words or not words[0].lstrip("-").isdigit():
        raise AdminUsage
    return int(words[0])


async def set_banned(deps: BotDeps, admin_id: int, args: str | None, banned: bool) -> int:
    target = target_of(args)
    await deps.db.chats.ensure(target)
    await deps.db.chats.set_banned(target, banned)
    log.warning("admin %s %s %s", admin_id, "banned" if banned else "unbanned", target)
    return target


async def set_quota(deps: BotDeps, admin_id: int, args: str | None) -> tuple[int, int | None]:
    """`/quota <id> <images per day | default>`: the id's daily quota override."""
    words = (args or "").split()
    if len(words) != 2:
        raise AdminUsage
    target = target_of(words[0])
    if words[1].lower() == "default":
        quota = None
    elif words[1].isdigit():
        quota = int(words[1])
    else:
        raise AdminUsage
    await deps.db.chats.ensure(target)
    await deps.db.chats.set_daily_quota(target, quota)
    log.warning("admin %s set the daily quota of %s to %s", admin_id, target, quota)
    return target, quota
