"""Chat ids for the fake users of one test run: unique, so two users never share a chat
(random ids once collided, and a second user inherited the first one's language)."""

from __future__ import annotations

import itertools

_ids = itertools.count(10_000)


def new_chat_id() -> int:
    return next(_ids)
