"""One Router per feature; `routers()` gives them in the order they must be tried."""

from __future__ import annotations

from aiogram import Router


def routers() -> list[Router]:
    from handlers import choose, fallback, history, job_actions, photo, start, suggest

    # fallback last: it answers every message the others let through.
    return [
        start.router,
        job_actions.router,
        history.router,
        photo.router,
        choose.router,
        suggest.router,
        fallback.router,
    ]
