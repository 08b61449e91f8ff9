"""One Router per feature; `routers()` gives them in the order they must be tried."""

from __future__ import annotations

from aiogram import Router


def routers() -> list[Router]:
    from handlers import (
        admin,
        choose,
        cutout,
        fallback,
        forget,
        groups,
        history,
        job_actions,
        photo,
        start,
        suggest,
    )

    # fallback last: it answers every message and button the others let through.
    return [
        groups.router,
        start.router,
        admin.router,
        forget.router,
        job_actions.router,
        history.router,
        photo.router,
        choose.router,
        suggest.router,
        cutout.router,
        fallback.router,
    ]
