"""What the notifiers have made of the events stream."""

from __future__ import annotations

from bot.services.deps import BotDeps


async def events_handled(deps: BotDeps) -> bool:
    """Every event read by a notifier and acknowledged."""
    groups = await deps.redis.xinfo_groups(deps.keys.events)
    return all(g["pending"] == 0 and g.get("lag") == 0 for g in groups)
