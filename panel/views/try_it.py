"""Try it: a photo, a style, a count and a prompt, through the bot's queue and workers."""

from __future__ import annotations

import asyncio
import io
import secrets

from aiohttp import web
from PIL import Image, UnidentifiedImageError

from catalog import style_ids
from panel.appkeys import CONTROL, SETTINGS, STORAGE, SUGGESTER
from panel.views.common import actor, back, render
from panel.web import language
from storage.jobs import PANEL_CHAT_ID, Job

routes = web.RouteTableDef()
FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PROMPT_CHARS = 300
MB = 1024 * 1024


class FormError(ValueError):
    """A locales key saying what is wrong with the form."""


async def _form_page(
    request: web.Request, status: int = 200, error: str | None = None, **values: object
) -> web.Response:
    settings = request.app[SETTINGS]
    return await render(
        request,
        "try.html",
        status=status,
        styles=style_ids(),
        counts=settings.image_counts,
        error=error,
        values={"style": "minimal", "count": settings.image_counts[0], "prompt": "", **values},
    )


@routes.get("/try", name="sandbox")
async def try_form(request: web.Request) -> web.Response:
    return await _form_page(request)


@routes.post("/try", name="sandbox-submit")
async def try_submit(request: web.Request) -> web.Response:
    form, settings = await request.post(), request.app[SETTINGS]
    values = {k: str(form.get(k, "")).strip() for k in ("style", "count", "prompt")}
    try:
        style, count, prompt = _choices(values, settings.image_counts)
        photo = form.get("photo")
        if not isinstance(photo, web.FileField):
            raise FormError("panel-try-no-photo")
        data = photo.file.read(settings.max_upload_mb * MB + 1)
        await asyncio.to_thread(_check_photo, data, settings.max_upload_mb * MB)
    except FormError as error:
        return await _form_page(request, 400, error=str(error), **values)
    admin, lang = await actor(request), await language(request)
    storage = request.app[STORAGE]
    image_id = await storage.images.put(
        data, "original", chat_id=PANEL_CHAT_ID, kind="original", by=admin.who
    )
    job = Job(
        chat_id=PANEL_CHAT_ID,
        lang=lang,
        style=style,
        count=count,
        seed=secrets.randbelow(2**31),
        input_image_id=image_id,
    )
    if prompt:
        model = await request.app[SUGGESTER].to_model_prompt(prompt, lang, style=style)
        job.user_prompt, job.model_prompt = prompt, model.prompt
        job.negative_prompt = model.negative_prompt
    await request.app[CONTROL].submit(job, admin.who)
    raise await back(request, f"/jobs/{job.id}", "panel-try-queued")


def _choices(values: dict[str, str], counts: list[int]) -> tuple[str, int, str]:
    style, prompt = values["style"], values["prompt"]
    if style not in style_ids():
        raise FormError("panel-try-bad-style")
    try:
        count = int(values["count"])
    except ValueError:
        count = -1
    if count not in counts:
        raise FormError("panel-try-bad-count")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise FormError("panel-try-long-prompt")
    if style == "custom" and not prompt:
        raise FormError("panel-try-needs-prompt")
    return style, count, prompt


def _check_photo(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise FormError("panel-try-too-large")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise FormError("panel-try-not-image") from None
    if kind not in FORMATS:
        raise FormError("panel-try-not-image")
