"""Jobs: the list, a job's page with its timeline and images, and retry, cancel, re-send."""

from __future__ import annotations

import asyncio
import io

from aiohttp import web
from PIL import Image

from panel.appkeys import CONTROL, STORAGE
from panel.views.common import PAGE_SIZE, actor, back, page_number, render
from storage.images import ImageNotFound
from storage.jobs import Job
from storage.status import JobStatus

routes = web.RouteTableDef()
THUMB_SIDE = 240
IMAGE_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"RIFF": "image/webp"}


@routes.get("/jobs", name="jobs")
async def job_list(request: web.Request) -> web.Response:
    storage, page = request.app[STORAGE], page_number(request)
    status = request.query.get("status", "")
    match = {"status": status} if status in set(JobStatus) else {}
    jobs = await storage.jobs.page((page - 1) * PAGE_SIZE, PAGE_SIZE, **match)
    total = await storage.jobs.count(**match)
    return await render(
        request,
        "jobs.html",
        jobs=jobs,
        chosen=match.get("status", ""),
        statuses=list(JobStatus),
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
    )


async def _job(request: web.Request) -> Job:
    job = await request.app[STORAGE].jobs.get(request.match_info["job_id"])
    if job is None:
        raise web.HTTPNotFound()
    return job


@routes.get("/jobs/{job_id}", name="job")
async def job_page(request: web.Request) -> web.Response:
    job = await _job(request)
    storage = request.app[STORAGE]
    return await render(
        request,
        "job.html",
        job=job,
        chat=await storage.chats.get(job.chat_id),
        children=await storage.jobs.page(0, 10, parent_job_id=job.id),
    )


@routes.post("/jobs/{job_id}/retry", name="job-retry")
async def retry(request: web.Request) -> web.Response:
    job, admin = await _job(request), await actor(request)
    new_id = await request.app[CONTROL].retry(job.id, admin.who)
    raise await back(request, f"/jobs/{new_id}", "panel-done-retried", job=job.id[:8])


@routes.post("/jobs/{job_id}/cancel", name="job-cancel")
async def cancel(request: web.Request) -> web.Response:
    job, admin = await _job(request), await actor(request)
    await request.app[CONTROL].cancel(job.id, admin.who)
    raise await back(request, f"/jobs/{job.id}", "panel-done-cancelled")


@routes.post("/jobs/{job_id}/resend", name="job-resend")
async def resend(request: web.Request) -> web.Response:
    job, admin = await _job(request), await actor(request)
    await request.app[CONTROL].redeliver(job.id, admin.who)
    raise await back(request, f"/jobs/{job.id}", "panel-done-resent")


async def _image(request: web.Request) -> bytes:
    try:
        return await request.app[STORAGE].images.get(request.match_info["image_id"])
    except ImageNotFound:
        raise web.HTTPNotFound() from None


def _image_response(data: bytes) -> web.Response:
    kind = next((t for magic, t in IMAGE_TYPES.items() if data.startswith(magic)), None)
    if kind is None:
        raise web.HTTPNotFound()
    return web.Response(
        body=data, content_type=kind, headers={"Cache-Control": "private, max-age=3600"}
    )


@routes.get("/images/{image_id}", name="image")
async def image(request: web.Request) -> web.Response:
    return _image_response(await _image(request))


@routes.get("/images/{image_id}/thumb", name="thumb")
async def thumb(request: web.Request) -> web.Response:
    # Decoding a large image would stall every other request: off the event loop.
    return _image_response(await asyncio.to_thread(thumbnail, await _image(request)))


def thumbnail(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        small = image.convert("RGB")
    small.thumbnail((THUMB_SIDE, THUMB_SIDE))
    buffer = io.BytesIO()
    small.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()
