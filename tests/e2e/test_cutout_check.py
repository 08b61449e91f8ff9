"""The cut-out check as a user meets it: real bot and worker processes, real Redis and
MongoDB protocol, the fake Telegram server. Look before painting, try another way, use it,
and get the album cut that way; a photo no method can cut is told with the check."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from catalog.cutouts import CutoutChoice
from inference.worker.images import encode_png
from keyboards.callbacks import CutoutCb, JobAction, JobCb, OptionCb
from storage.jobs import ErrorKind
from storage.status import JobStatus
from storage.store import Storage
from tests.support.e2e import choose, has_button, press
from tests.support.ids import new_chat_id
from tests.support.photos import decode, ring_photo

CHECK = CutoutCb(action="check").pack()
SECOND_OPINION = CutoutCb(action="check", choice=CutoutChoice.GRABCUT).pack()
# A checkerboard's squares are grey and white: no colour in them.
GREY_LEVELS = 12


@pytest.fixture(scope="module")
async def service(start_service):
    async with start_service(worker=True) as service:
        yield service


def centre_is_checkerboard(photo: bytes) -> bool:
    image = np.asarray(decode(photo).convert("RGB")).astype(int)
    height, width = image.shape[:2]
    return int(np.ptp(image[height // 2, width // 2])) < GREY_LEVELS


async def job_of(service, chat_id: int):
    settings = service.settings
    db = await Storage.open(settings.mongo_url, settings.mongo_db)
    try:
        jobs = await db.jobs.for_chat(chat_id, 0, 10)
    finally:
        await db.close()
    assert len(jobs) == 1
    return jobs[0]


async def test_a_ring_checked_filled_then_generated_keeps_that_cutout(service):
    user = service.telegram.user(new_chat_id(), language_code="en")
    await user.send_photo(encode_png(ring_photo(256)))
    options = await choose(user, "minimal", 1)
    await press(user, options, CHECK)
    auto = await user.wait_for(lambda m: bool(m.photo), timeout=120)
    assert "automatic" in auto.caption and centre_is_checkerboard(auto.photo_bytes)

    filled = CutoutCb(action="check", choice=CutoutChoice.HOLES_FILLED).pack()
    await press(user, auto, filled)
    shown = await user.wait_for(lambda m: bool(m.photo) and "holes filled" in m.caption)
    assert not centre_is_checkerboard(shown.photo_bytes)  # the hole keeps its backdrop

    await press(user, shown, CutoutCb(action="use", choice=CutoutChoice.HOLES_FILLED).pack())
    ready = await user.wait_for(lambda m: "Cut-out: keep holes filled" in (m.text or ""))
    await press(user, ready, OptionCb(action="generate").pack())
    regenerate = JobCb(action=JobAction.REGENERATE, job_id="").pack()
    await user.wait_for(lambda m: has_button(m, regenerate), timeout=120)
    job = await job_of(service, user.chat_id)
    assert (job.status, job.cutout) == (JobStatus.DONE, CutoutChoice.HOLES_FILLED)


async def test_a_photo_no_method_can_cut_is_told_with_the_check(service):
    user = service.telegram.user(new_chat_id(), language_code="ru")
    await user.send_photo(encode_png(Image.new("RGB", (320, 256), (205, 205, 205))))
    await press(user, await choose(user, "minimal", 1), OptionCb(action="generate").pack())
    check = JobCb(action=JobAction.CHECK_CUTOUT, job_id="").pack()
    told = await user.wait_for(lambda m: has_button(m, check), timeout=120)
    assert "надёжно вырезать товар" in told.text
    job = await job_of(service, user.chat_id)
    assert (job.status, job.error_kind) == (JobStatus.FAILED, ErrorKind.UNSURE_CUTOUT)
    assert not any(m.photo for m in user.messages)  # no album of a blank product

    await press(user, told, check)
    why = await user.wait_for(lambda m: has_button(m, SECOND_OPINION), timeout=120)
    assert why.text.startswith("😔") and not why.photo  # why, and the other ways
