"""Chats: the searchable list, a chat's page with its jobs, and what admins do to a chat."""

from __future__ import annotations

import contextlib

from aiohttp import web

from jobs.notices import Notice, NoticeKind, send_notice
from jobs.quota import Quota, utc_day
from panel import audit
from panel.appkeys import CONTROL, KEYS, REDIS, SETTINGS, STORAGE
from panel.job_control import ActionRefused
from panel.views.common import PAGE_SIZE, actor, back, page_number, render
from storage.chats import Chat
from storage.forget import forget_chat

routes = web.RouteTableDef()
JOBS_PER_PAGE = 20
MAX_QUOTA = 100_000


async def _images_today(request: web.Request, chats: list[Chat]) -> dict[int, int]:
    """Images each chat made today, as the bot counts them against its quota (the bot
    serves private chats only: a chat's id is its user's)."""
    quota, day = Quota(request.app[REDIS], request.app[KEYS]), utc_day()
    return {c.chat_id: await quota.used(c.chat_id, c.chat_id, day) for c in chats}


@routes.get("/chats", name="chats")
async def chat_list(request: web.Request) -> web.Response:
    storage, query, page = request.app[STORAGE], request.query.get("q", ""), page_number(request)
    chats = await storage.chats.page((page - 1) * PAGE_SIZE, PAGE_SIZE, query)
    return await render(
        request,
        "chats.html",
        chats=chats,
        query=query,
        page=page,
        pages=max((await storage.chats.count(query) + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        jobs={c.chat_id: await storage.jobs.count_for_chat(c.chat_id) for c in chats},
        today=await _images_today(request, chats),
        default_quota=request.app[SETTINGS].daily_quota,
    )


async def _chat(request: web.Request) -> Chat:
    try:
        chat_id = int(request.match_info["chat_id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    chat = await request.app[STORAGE].chats.get(chat_id)
    if chat is None:
        raise web.HTTPNotFound()
    return chat


@routes.get("/chats/{chat_id}", name="chat")
async def chat_page(request: web.Request) -> web.Response:
    chat, storage, page = await _chat(request), request.app[STORAGE], page_number(request)
    total = await storage.jobs.count_for_chat(chat.chat_id)
    return await render(
        request,
        "chat.html",
        chat=chat,
        jobs=await storage.jobs.for_chat(chat.chat_id, (page - 1) * JOBS_PER_PAGE, JOBS_PER_PAGE),
        total=total,
        page=page,
        pages=max((total + JOBS_PER_PAGE - 1) // JOBS_PER_PAGE, 1),
        today=(await _images_today(request, [chat]))[chat.chat_id],
        default_quota=request.app[SETTINGS].daily_quota,
    )


@routes.post("/chats/{chat_id}/ban", name="chat-ban")
async def ban(request: web.Request) -> web.Response:
    chat, admin = await _chat(request), await actor(request)
    app = request.app
    if not chat.banned:
        await app[STORAGE].chats.set_banned(chat.chat_id, True)
        # Its waiting and running jobs stop; the user is told once, politely.
        for job in await app[STORAGE].jobs.for_chat(chat.chat_id, 0, 50):
            if not job.status.finished:
                with contextlib.suppress(ActionRefused):  # it finished meanwhile
                    await app[CONTROL].cancel(job.id, admin.who)
        await send_notice(
            app[REDIS], app[KEYS], Notice(kind=NoticeKind.BANNED, chat_id=chat.chat_id)
        )
        await audit.record(app[REDIS], app[KEYS], admin.who, "ban", str(chat.chat_id))
    raise await back(request, f"/chats/{chat.chat_id}", "panel-done-banned")


@routes.post("/chats/{chat_id}/unban", name="chat-unban")
async def unban(request: web.Request) -> web.Response:
    chat, admin = await _chat(request), await actor(request)
    app = request.app
    if chat.banned:
        await app[STORAGE].chats.set_banned(chat.chat_id, False)
        notice = Notice(kind=NoticeKind.UNBANNED, chat_id=chat.chat_id)
        await send_notice(app[REDIS], app[KEYS], notice)
        await audit.record(app[REDIS], app[KEYS], admin.who, "unban", str(chat.chat_id))
    raise await back(request, f"/chats/{chat.chat_id}", "panel-done-unbanned")


@routes.post("/chats/{chat_id}/quota", name="chat-quota")
async def set_quota(request: web.Request) -> web.Response:
    chat, admin = await _chat(request), await actor(request)
    raw = str((await request.post()).get("quota", "")).strip()
    quota: int | None = None
    if raw:
        try:
            quota = int(raw)
        except ValueError:
            quota = -1
        if not 0 <= quota <= MAX_QUOTA:
            raise await back(
                request, f"/chats/{chat.chat_id}", "panel-quota-invalid", max=MAX_QUOTA
            )
    app = request.app
    await app[STORAGE].chats.set_daily_quota(chat.chat_id, quota)
    target = f"{chat.chat_id} → {'default' if quota is None else quota}"
    await audit.record(app[REDIS], app[KEYS], admin.who, "quota", target)
    raise await back(request, f"/chats/{chat.chat_id}", "panel-done-quota")


@routes.post("/chats/{chat_id}/forget", name="chat-forget")
async def forget(request: web.Request) -> web.Response:
    chat, admin = await _chat(request), await actor(request)
    if (await request.post()).get("confirm") != str(chat.chat_id):
        raise await back(request, f"/chats/{chat.chat_id}", "panel-forget-confirm")
    app = request.app
    forgotten = await forget_chat(app[STORAGE], chat.chat_id)
    await audit.record(app[REDIS], app[KEYS], admin.who, "forget", str(chat.chat_id))
    raise await back(
        request, "/chats", "panel-done-forgotten", jobs=forgotten.jobs, images=forgotten.images
    )
