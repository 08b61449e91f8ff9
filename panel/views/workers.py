"""Workers: each live worker and what it runs on, and the dead letters with requeue."""

from __future__ import annotations

import time
from dataclasses import dataclass

from aiohttp import web

from jobs.heartbeat import alive_workers
from panel.appkeys import CONTROL, KEYS, REDIS
from panel.views.common import actor, back, render

routes = web.RouteTableDef()
DEAD_SHOWN = 100


@dataclass(frozen=True)
class DeadLetter:
    entry_id: str
    at: float
    job_id: str
    chat_id: str
    reason: str


@routes.get("/workers", name="workers")
async def workers(request: web.Request) -> web.Response:
    redis, keys = request.app[REDIS], request.app[KEYS]
    live = sorted(await alive_workers(redis, keys), key=lambda w: w.get("worker", ""))
    entries = await redis.xrevrange(keys.dead, count=DEAD_SHOWN)
    dead = [
        DeadLetter(
            entry_id,
            int(entry_id.split("-")[0]) / 1000,
            fields.get("job_id", ""),
            fields.get("chat_id", ""),
            fields.get("reason", ""),
        )
        for entry_id, fields in entries
    ]
    return await render(
        request,
        "workers.html",
        workers=live,
        now=time.time(),
        dead=dead,
        dead_total=await redis.xlen(keys.dead),
    )


@routes.post("/dead/{job_id}/requeue", name="dead-requeue")
async def requeue(request: web.Request) -> web.Response:
    admin = await actor(request)
    job_id = await request.app[CONTROL].requeue_dead(request.match_info["job_id"], admin.who)
    raise await back(request, "/workers", "panel-done-requeued", job=job_id[:8])
