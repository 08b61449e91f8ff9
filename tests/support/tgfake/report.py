"""Readable dumps of what the bot did, for failing waits."""

from __future__ import annotations

from .messages import Chat, describe
from .state import ApiCall, BotState

_QUIET_METHODS = frozenset({"getupdates"})


def timeout_report(
    state: BotState, chat: Chat, cursor: int, seconds: float, *, silent: bool = False
) -> str:
    if silent:
        head = f"the bot was expected to stay silent in chat {chat.id} for {seconds}s"
    else:
        head = f"no matching bot message in chat {chat.id} within {seconds}s"
    lines = [head, "Bot activity in this chat since the user's last action:"]
    events = chat.events[cursor:]
    lines += [f"  {e.kind:7} {describe(e.message)}" for e in events] or ["  (nothing)"]
    earlier = [describe(m) for m in chat.messages.values() if m.from_bot][-5:]
    if earlier:
        lines.append("Latest bot messages in this chat (current state):")
        lines += [f"  {line}" for line in earlier]
    calls = [c for c in state.requests if c.method.lower() not in _QUIET_METHODS][-10:]
    lines.append("Latest API calls (getUpdates omitted):")
    lines += [f"  {_call_line(c)}" for c in calls] or ["  (none)"]
    return "\n".join(lines)


def _call_line(call: ApiCall) -> str:
    params = {k: v for k, v in call.params.items() if k not in {"chat_id"}}
    shown = ", ".join(f"{k}={_short(v)}" for k, v in params.items())
    outcome = "ok" if call.ok else f"{call.error_code} {call.error}"
    return f"{call.method}({shown}) -> {outcome}"


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
