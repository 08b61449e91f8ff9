"""Every file the bot accepts, taken as sent, comes out of the real worker as an album:
16-bit, CMYK, greyscale, palette with transparency, already cut out, animated, rotated
by EXIF and AVIF."""

from __future__ import annotations

import pytest

from inference.engine_set import EngineSet
from inference.worker.images import decode_image
from settings import Settings
from storage.status import JobStatus
from tests.integration.test_worker import all_final, submit, worker_running
from tests.support.corpus import UPRIGHT_SIZE, corpus
from tests.support.waiting import eventually

pytestmark = pytest.mark.timeout(600)
ACCEPTED = [s for s in corpus() if s.outcome == "accepted"]


@pytest.fixture(scope="module")
def engines() -> EngineSet:
    return EngineSet.load(Settings(_env_file=None))


async def test_every_accepted_file_becomes_images(settings, storage, redis, engines):
    async with worker_running(settings, engines):
        jobs = [
            await submit(storage, redis, settings, s.data, style="studio-white", count=1)
            for s in ACCEPTED
        ]
        await eventually(lambda: all_final(storage, jobs), timeout=300)
    for s, job in zip(ACCEPTED, jobs, strict=True):
        done = await storage.jobs.get(job.id)
        assert done.status == JobStatus.DONE, (s.name, done.error)
        [result] = done.result_image_ids
        if s.name == "exif-rotated":
            image = decode_image(await storage.images.get(result))
            assert image.size == UPRIGHT_SIZE, "a phone photo comes out upright"
