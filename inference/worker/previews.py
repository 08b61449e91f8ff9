"""Serving cut-out previews: a photo cut out as the user's choice says, shown small on a
checkerboard, for the bot to show before anything is painted (jobs/previews.py).

The cutting runs in a thread: the worker's event loop keeps its heartbeat and its jobs'
leases going meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from PIL import Image

from catalog.cutouts import CutoutChoice
from inference.engine_set import EngineSet
from inference.segmentation import UnsureCutout, checkerboard_preview
from jobs.previews import Preview, known_preview, preview_reader, save_preview
from runtime.logs import log_context
from runtime.loops import OUTAGES, run_until

if TYPE_CHECKING:
    from inference.worker.loop import WorkerContext

log = logging.getLogger(__name__)


async def serve_previews(ctx: WorkerContext, stop: asyncio.Event) -> None:
    """Answers preview requests until `stop` is set; one bad request costs only itself."""
    reader = preview_reader(ctx.redis, ctx.keys, ctx.name)

    async def step() -> None:
        for entry in await reader.read(count=4, block_ms=1000):
            image_id, choice = entry.fields["image_id"], CutoutChoice(entry.fields["choice"])
            with log_context(image_id=image_id):
                await answer(ctx, image_id, choice)
            await reader.ack(entry.id)

    await run_until(stop, "previews", step)


async def answer(ctx: WorkerContext, image_id: str, choice: CutoutChoice) -> None:
    """Cuts the photo out as `choice` says and saves the preview; a photo that cannot be
    read or cut gets an answer without a picture, so the bot stops waiting for one."""
    if await known_preview(ctx.redis, ctx.keys, image_id, choice) is not None:
        return  # asked twice, or answered by another worker
    try:
        photo = await ctx.originals.decoded(image_id)
        preview = await asyncio.to_thread(cutout_preview, ctx.engines, photo, choice)
    except OUTAGES:
        raise
    except Exception:
        log.exception("image %s: no cut-out preview (%s)", image_id, choice)
        preview = Preview(image=None)
    await save_preview(ctx.redis, ctx.keys, image_id, choice, preview)


def cutout_preview(engines: EngineSet, photo: Image.Image, choice: CutoutChoice) -> Preview:
    """The cut-out as `choice` makes it; when the automatic one is unsure, what it found
    all the same, marked unsure: the user sees why it will not be painted with, and which
    other way to try."""
    try:
        cutout = engines.cut(photo, choice, insist=True)
    except UnsureCutout as nothing:  # nothing of a product to show
        return Preview(image=None, unsure=str(nothing))
    return Preview(image=checkerboard_preview(cutout), unsure=cutout.unsure)
