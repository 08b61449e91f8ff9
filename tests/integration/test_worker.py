"""The worker in-process with the real studio engine, real Redis and MongoDB protocol."""

from __future__ import annotations

import asyncio
import io
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import numpy as np
import pytest
from PIL import Image

from catalog import catalog
from catalog.cutouts import CutoutChoice
from inference.engine import CUTOUT_DOUBT
from inference.engine_set import EngineSet
from inference.worker import loop
from inference.worker.images import decode_image, encode_png
from inference.worker.loop import Worker
from inference.worker.main import worker_context
from jobs import steps as steps_module
from jobs.label_requests import known_label, request_label
from jobs.lifecycle import Cancel, Lifecycle, Policy
from jobs.messages import EventType, JobEvent, JobMessage
from jobs.names import WORKERS_GROUP, Keys
from jobs.previews import known_preview, request_preview
from jobs.queue import JobQueue
from jobs.steps import STEP_EVERY_S
from settings import Settings
from storage.images import ImageStore
from storage.jobs import ErrorKind, Job
from storage.status import JobStatus
from storage.store import Storage
from tests.support.photos import product_photo, ring_photo
from tests.support.redis_watch import commands_sent
from tests.support.waiting import eventually

# Generous: the first test also loads the models, cold on a fresh environment.
pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def engines() -> EngineSet:
    return EngineSet.load(Settings(_env_file=None))


class HeldEngines:
    """The real engines, holding each batch before painting until it is cancelled or
    released: a job that is surely still running, however fast the machine."""

    def __init__(self, engines: EngineSet) -> None:
        self._engines = engines
        self.holding = threading.Event()
        self.released = threading.Event()

    def generate_batch(self, requests, progress):
        self.holding.set()
        while not self.released.wait(0.05):
            for report in progress:
                report(0, 1)  # the worker's callback raises once the job is cancelled
        return self._engines.generate_batch(requests, progress)

    def __getattr__(self, name: str):
        return getattr(self._engines, name)


class DoubtingEngines:
    """The real engines, whose cut-out says it was not sure of every product."""

    DOUBT = "the product's colours are close to the background's along its outline"

    def __init__(self, engines: EngineSet) -> None:
        self._engines = engines

    def generate_batch(self, requests, progress):
        results = self._engines.generate_batch(requests, progress)
        for result in results:
            result.details[CUTOUT_DOUBT] = self.DOUBT
        return results

    def __getattr__(self, name: str):
        return getattr(self._engines, name)


@asynccontextmanager
async def worker_running(settings: Settings, engines) -> AsyncIterator[None]:
    settings = settings.model_copy(update={"max_attempts": 2, "worker_batch_size": 4})
    stop = asyncio.Event()
    async with worker_context(settings, engines, "test-worker") as ctx:
        task = asyncio.create_task(Worker(ctx).run(stop))
        yield
        stop.set()
        await task


@pytest.fixture
async def running_worker(settings: Settings, engines: EngineSet) -> AsyncIterator[None]:
    async with worker_running(settings, engines):
        yield


async def submit(storage: Storage, redis, settings: Settings, photo: bytes, **fields) -> Job:
    image_id = await storage.images.put(photo, "original.jpg", kind="original")
    fields = {"style": "minimal", "count": 2, **fields}
    job = await storage.jobs.create(
        Job(chat_id=77, lang="en", seed=1, input_image_id=image_id, **fields)
    )
    await JobQueue(redis, Keys(settings.stream_prefix), 100).enqueue(JobMessage.of(job))
    return job


async def events(redis, settings: Settings, job_id: str) -> list[JobEvent]:
    entries = await redis.xrange(Keys(settings.stream_prefix).events)
    return [e for e in (JobEvent.from_fields(f) for _, f in entries) if e.job_id == job_id]


async def final(storage: Storage, job_id: str) -> bool:
    return (await storage.jobs.get(job_id)).status.finished


async def test_jobs_taken_together_are_all_done_and_acknowledged(
    settings, storage, redis, engines, monkeypatch
):
    monkeypatch.setattr(steps_module, "STEP_EVERY_S", 60.0)
    photo = product_photo((256, 192))
    async with worker_running(settings, engines):
        jobs = [
            await submit(storage, redis, settings, photo, style=s)
            for s in ("minimal", "studio-white", "loft")
        ]
        await eventually(lambda: all_final(storage, jobs))
    for job in jobs:
        done = await storage.jobs.get(job.id)
        assert done.status == JobStatus.DONE
        assert len(done.result_image_ids) == 2
        results = [decode_image(await storage.images.get(i)) for i in done.result_image_ids]
        assert all(r.size == (256, 192) for r in results)
        # The album's photos are stored beside the results, ready to be sent as they are.
        jpegs = [await storage.images.get(i) for i in done.album_image_ids]
        assert [j[:3] for j in jpegs] == [b"\xff\xd8\xff"] * 2, "JPEG"
        album = [decode_image(j) for j in jpegs]
        assert [(a.size, a.mode) for a in album] == [((256, 192), "RGB")] * 2
        for result, photo in zip(results, album, strict=True):
            difference = np.abs(np.asarray(result, np.int16) - np.asarray(photo, np.int16))
            assert difference.mean() < 3, "each album photo is its own result"
        mask = decode_image(await storage.images.get(done.mask_image_id))
        assert mask.mode == "L" and mask.size == (256, 192)
        assert sorted(await storage.images.ids(job_id=job.id)) == sorted(done.made_image_ids())
        # Done before a step could be shown (a long pace here: however slow the machine).
        kinds = [(e.type, e.stage) for e in await events(redis, settings, job.id)]
        assert kinds == [(EventType.DONE, None)]
    pending = await redis.xpending(Keys(settings.stream_prefix).jobs, WORKERS_GROUP)
    assert pending["pending"] == 0


async def all_final(storage: Storage, jobs: list[Job]) -> bool:
    return all([await final(storage, j.id) for j in jobs])


async def timed_events(redis, settings: Settings, job_id: str) -> list[tuple[float, JobEvent]]:
    """The job's events with the time Redis took each (its entry id's milliseconds)."""
    entries = await redis.xrange(Keys(settings.stream_prefix).events)
    timed = [(int(i.split("-")[0]) / 1000, JobEvent.from_fields(f)) for i, f in entries]
    return [(at, e) for at, e in timed if e.job_id == job_id]


async def test_a_jobs_steps_wait_a_pace_after_its_queueing_and_none_follows_its_outcome(
    settings, storage, redis, engines
):
    held = HeldEngines(engines)
    async with worker_running(settings, held):
        job = await submit(storage, redis, settings, product_photo((256, 192)), count=1)

        async def a_step() -> bool:
            timed = await timed_events(redis, settings, job.id)
            return any(e.type == EventType.PROGRESS for _, e in timed)

        await eventually(a_step, what="a step of the held job")
        held.released.set()
        await eventually(lambda: final(storage, job.id))
    timed = await timed_events(redis, settings, job.id)
    assert [e.type for _, e in timed][-1] == EventType.DONE
    steps = [at for at, e in timed if e.type == EventType.PROGRESS]
    queued = (await storage.jobs.get(job.id)).queued_ts
    assert steps[0] >= queued + STEP_EVERY_S - 0.002  # entry ids count whole milliseconds


async def test_the_photo_is_read_beside_the_jobs_record(
    settings, storage, redis, engines, monkeypatch
):
    """The stream's entry names the job's photo, so the worker reads it while it reads the
    record. Here the record's read waits for the photo's: one after the other, the job
    would never start."""
    photo_read = asyncio.Event()
    get, runnable = ImageStore.get, Lifecycle.runnable

    async def reading(self, image_id: str) -> bytes:
        data = await get(self, image_id)
        photo_read.set()
        return data

    async def after_the_photo(self, claim, worker):
        await asyncio.wait_for(photo_read.wait(), 30)
        return await runnable(self, claim, worker)

    monkeypatch.setattr(ImageStore, "get", reading)
    monkeypatch.setattr(Lifecycle, "runnable", after_the_photo)
    async with worker_running(settings, engines):
        job = await submit(storage, redis, settings, product_photo((256, 192)), count=1)
        await eventually(lambda: final(storage, job.id))
    assert (await storage.jobs.get(job.id)).status == JobStatus.DONE


async def test_a_photo_is_read_once_for_its_preview_and_its_jobs(
    settings, storage, redis, engines, monkeypatch
):
    """A content manager checks the cut-out, then asks for more of the same photo: the
    worker reads the original from GridFS once, not for each use."""
    reads: list[str] = []
    get = ImageStore.get

    async def counted(self, image_id: str) -> bytes:
        reads.append(image_id)
        return await get(self, image_id)

    monkeypatch.setattr(ImageStore, "get", counted)
    keys = Keys(settings.stream_prefix)
    photo = await storage.images.put(product_photo((256, 192)), "original.jpg")
    async with worker_running(settings, engines):
        await request_preview(redis, keys, photo, CutoutChoice.AUTO)
        await eventually(lambda: known_preview(redis, keys, photo, CutoutChoice.AUTO))
        first = await storage.jobs.create(
            Job(chat_id=77, lang="en", style="minimal", count=1, seed=1, input_image_id=photo)
        )
        await JobQueue(redis, keys, 100).enqueue(JobMessage.of(first))
        await eventually(lambda: final(storage, first.id))
        more = await storage.jobs.create(first.model_copy(update={"id": "more-of-the-same"}))
        await JobQueue(redis, keys, 100).enqueue(JobMessage.of(more))
        await eventually(lambda: final(storage, more.id))
    assert (await storage.jobs.get(more.id)).status == JobStatus.DONE
    assert reads.count(photo) == 1


async def test_an_entry_that_does_not_name_the_photo_is_served_all_the_same(
    settings, storage, redis, running_worker
):
    """An entry queued before entries named their photo (or by an older bot)."""
    image_id = await storage.images.put(product_photo((256, 192)), "original.jpg")
    job = await storage.jobs.create(
        Job(chat_id=77, lang="en", style="minimal", count=1, seed=1, input_image_id=image_id)
    )
    await JobQueue(redis, Keys(settings.stream_prefix), 100).enqueue(
        JobMessage(job_id=job.id, chat_id=77)
    )
    await eventually(lambda: final(storage, job.id))
    assert (await storage.jobs.get(job.id)).status == JobStatus.DONE


async def test_a_broken_photo_fails_after_its_attempts_and_is_reported(
    settings, storage, redis, running_worker
):
    job = await submit(storage, redis, settings, b"\xff\xd8\xff not really a jpeg")
    await eventually(lambda: final(storage, job.id))
    failed = await storage.jobs.get(job.id)
    assert failed.status == JobStatus.FAILED and failed.attempts == 2
    assert "UnidentifiedImageError" in failed.error
    assert [e.type for e in await events(redis, settings, job.id)][-1] == EventType.FAILED
    dead = await redis.xrange(Keys(settings.stream_prefix).dead)
    assert [f["job_id"] for _, f in dead] == [job.id]


async def test_jobs_taken_one_after_another_cost_no_ping_between_them(
    settings, storage, redis, engines, monkeypatch
):
    """Before taking a job the worker makes sure MongoDB answers (a job it could not
    start would wait in its hands), unless its last step has just shown it does."""
    pings = []
    ping = Storage.ping

    async def counted(self) -> None:
        pings.append(time.time())
        await ping(self)

    monkeypatch.setattr(Storage, "ping", counted)
    photo = product_photo((256, 192))
    jobs = [await submit(storage, redis, settings, photo, count=1) for _ in range(3)]
    one_at_a_time = settings.model_copy(update={"worker_batch_size": 1})
    stop = asyncio.Event()
    async with worker_context(one_at_a_time, engines, "pinging-worker") as ctx:
        task = asyncio.create_task(Worker(ctx).run(stop))
        await eventually(lambda: all_final(storage, jobs))
        stop.set()
        await task
    done = [await storage.jobs.get(j.id) for j in jobs]
    assert all(j.status == JobStatus.DONE for j in done)
    # One ping before the first job; the others were taken straight after the one before.
    last = max(j.finished_at.timestamp() for j in done)
    assert len([p for p in pings if p < last]) == 1


async def test_a_job_painted_within_a_cancel_poll_never_asks_whether_it_was_cancelled(
    settings, storage, redis, engines, monkeypatch
):
    """A cancel before the start moves the record, which the start finds; the watcher
    beside the painting asks only a round later (made long here, so that a slow machine
    cannot outlast it)."""
    monkeypatch.setattr(loop, "CANCEL_POLL_S", 60.0)
    job = await submit(storage, redis, settings, product_photo((256, 192)), count=1)
    cancel_key = Keys(settings.stream_prefix).cancel(job.id)
    async with commands_sent(redis, cancel_key) as sent, worker_running(settings, engines):
        await eventually(lambda: final(storage, job.id))
    assert (await storage.jobs.get(job.id)).status == JobStatus.DONE
    assert sent == []


async def test_a_job_cancelled_before_it_is_taken_never_runs(
    settings, storage, redis, running_worker
):
    keys = Keys(settings.stream_prefix)
    image_id = await storage.images.put(product_photo(), "original.jpg")
    job = await storage.jobs.create(
        Job(chat_id=77, lang="en", style="loft", count=1, seed=1, input_image_id=image_id)
    )
    assert await Lifecycle(redis, keys, storage, Policy()).cancel(job.id) == Cancel.CANCELLED
    # Its entry's copy of the record still says queued (its photo is read, then dropped).
    await JobQueue(redis, keys, 100).enqueue(JobMessage.of(job))
    await eventually(lambda: entries_done(redis, keys), what="the entry acknowledged")
    cancelled = await storage.jobs.get(job.id)
    assert (cancelled.status, cancelled.attempts) == (JobStatus.CANCELLED, 0)
    assert cancelled.result_image_ids == [] and not await storage.images.ids(job_id=job.id)
    assert {e.type for e in await events(redis, settings, job.id)} == {EventType.CANCELLED}


async def entries_done(redis, keys: Keys) -> bool:
    return (await redis.xpending(keys.jobs, WORKERS_GROUP))["pending"] == 0 and not (
        await redis.xinfo_groups(keys.jobs)
    )[0]["lag"]


async def test_an_uploaded_photo_gets_its_product_category(settings, storage, redis, tiny_clip):
    settings = settings.model_copy(
        update={"label_model": str(tiny_clip), "label_min_confidence": 0.0}
    )
    engines = await asyncio.to_thread(EngineSet.load, settings)
    keys = Keys(settings.stream_prefix)
    image_id = await storage.images.put(product_photo(), "original.jpg")
    await request_label(redis, keys, image_id)
    stop = asyncio.Event()
    async with worker_context(settings, engines, "labeller") as ctx:
        task = asyncio.create_task(Worker(ctx).run(stop))
        try:
            await eventually(lambda: known_label(redis, keys, image_id))
        finally:
            stop.set()
            await task
    assert await known_label(redis, keys, image_id) in catalog().categories


async def test_a_request_the_engine_refuses_fails_at_once_without_retries(
    settings, storage, redis, running_worker
):
    job = await submit(storage, redis, settings, product_photo(), count=50)
    await eventually(lambda: final(storage, job.id))
    failed = await storage.jobs.get(job.id)
    assert (failed.status, failed.attempts) == (JobStatus.FAILED, 1)
    assert failed.error.startswith("InvalidRequest")
    dead = await redis.xrange(Keys(settings.stream_prefix).dead)
    assert [f["job_id"] for _, f in dead] == [job.id]


async def test_a_doubtful_cutout_is_kept_with_the_job_for_the_chat(
    settings, storage, redis, engines
):
    async with worker_running(settings, DoubtingEngines(engines)):
        job = await submit(storage, redis, settings, product_photo((256, 192)), count=1)
        await eventually(lambda: final(storage, job.id))
    done = await storage.jobs.get(job.id)
    assert (done.status, done.cutout_doubt) == (JobStatus.DONE, DoubtingEngines.DOUBT)


async def test_a_job_cancelled_while_it_runs_stops_without_a_failed_attempt(
    settings, storage, redis, engines
):
    keys = Keys(settings.stream_prefix)
    held = HeldEngines(engines)
    async with worker_running(settings, held):
        job = await submit(storage, redis, settings, product_photo(), count=4)
        await eventually(held.holding.is_set)
        await JobQueue(redis, keys, 100).request_cancel(job.id)
        await eventually(lambda: final(storage, job.id))
        held.released.set()
    cancelled = await storage.jobs.get(job.id)
    assert (cancelled.status, cancelled.attempts) == (JobStatus.CANCELLED, 1)
    assert cancelled.result_image_ids == [] and cancelled.error is None
    kinds = [e.type for e in await events(redis, settings, job.id)]
    assert kinds[-1] == EventType.CANCELLED and EventType.FAILED not in kinds
    assert await redis.xlen(keys.dead) == 0


async def test_images_of_a_job_forgotten_while_it_paints_are_not_kept(
    settings, storage, redis, engines
):
    keys = Keys(settings.stream_prefix)
    held = HeldEngines(engines)

    async def dropped() -> bool:
        pending = (await redis.xpending(keys.jobs, WORKERS_GROUP))["pending"]
        return pending == 0 and not await storage.images.ids(job_id=job.id)

    async with worker_running(settings, held):
        job = await submit(storage, redis, settings, product_photo(), count=2)
        await eventually(held.holding.is_set)
        await storage.jobs.delete(job.id)  # /forget deletes the record under the worker
        held.released.set()
        await eventually(dropped, what="the entry acknowledged and no image kept")


def blank_wall() -> bytes:
    return encode_png(Image.new("RGB", (320, 256), (205, 205, 205)))


async def test_a_cutout_preview_is_answered_for_each_choice(
    settings, storage, redis, running_worker
):
    keys = Keys(settings.stream_prefix)
    image_id = await storage.images.put(encode_png(ring_photo(256)), "original.png")
    for choice in (CutoutChoice.AUTO, CutoutChoice.HOLES_FILLED):
        await request_preview(redis, keys, image_id, choice)
    previews = {}
    for choice in (CutoutChoice.AUTO, CutoutChoice.HOLES_FILLED):
        preview = await eventually(lambda c=choice: known_preview(redis, keys, image_id, c))
        assert preview.unsure is None
        previews[choice] = np.asarray(Image.open(io.BytesIO(preview.image)))
    # The ring's hole shows the checkerboard's grey; filled, it shows the old backdrop.
    assert np.ptp(previews[CutoutChoice.AUTO][128, 128]) < 12
    assert np.ptp(previews[CutoutChoice.HOLES_FILLED][128, 128]) > 100


async def test_a_photo_no_method_is_sure_of_gets_a_preview_saying_why(
    settings, storage, redis, running_worker
):
    keys = Keys(settings.stream_prefix)
    image_id = await storage.images.put(blank_wall(), "original.png")
    await request_preview(redis, keys, image_id, CutoutChoice.AUTO)
    preview = await eventually(lambda: known_preview(redis, keys, image_id, CutoutChoice.AUTO))
    assert preview.image is None and "could not be cut out" in preview.unsure


async def test_a_doubtful_automatic_cutout_is_previewed_all_the_same(
    settings, storage, redis, running_worker
):
    keys = Keys(settings.stream_prefix)
    noise = np.random.default_rng(0).integers(0, 256, (256, 320, 3)).astype(np.uint8)
    image_id = await storage.images.put(encode_png(Image.fromarray(noise)), "original.png")
    await request_preview(redis, keys, image_id, CutoutChoice.AUTO)
    preview = await eventually(lambda: known_preview(redis, keys, image_id, CutoutChoice.AUTO))
    assert "could not be cut out" in preview.unsure  # not to be painted with...
    assert Image.open(io.BytesIO(preview.image)).format == "JPEG"  # ...but shown


async def test_an_unsure_cutout_fails_the_job_at_once_with_its_kind(
    settings, storage, redis, running_worker
):
    job = await submit(storage, redis, settings, blank_wall(), count=1)
    await eventually(lambda: final(storage, job.id))
    failed = await storage.jobs.get(job.id)
    assert (failed.status, failed.attempts) == (JobStatus.FAILED, 1)
    assert failed.error_kind == ErrorKind.UNSURE_CUTOUT


async def test_a_jobs_cutout_choice_reaches_its_mask(settings, storage, redis, running_worker):
    photo = encode_png(ring_photo(256))
    jobs = [
        await submit(storage, redis, settings, photo, count=1, cutout=choice)
        for choice in (CutoutChoice.AUTO, CutoutChoice.HOLES_FILLED)
    ]
    await eventually(lambda: all_final(storage, jobs))
    centres = []
    for job in jobs:
        done = await storage.jobs.get(job.id)
        assert done.status == JobStatus.DONE and done.cutout == job.cutout
        centres.append(
            np.asarray(decode_image(await storage.images.get(done.mask_image_id)))[128, 128]
        )
    assert centres == [0, 255]


async def test_a_stopped_worker_ends_without_waiting_out_its_pauses(
    settings: Settings, engines: EngineSet, monkeypatch: pytest.MonkeyPatch
):
    # Its reaper pauses an hour here: a worker that waited its pauses out would hang until
    # the test's timeout; one that stops them ends in moments.
    monkeypatch.setattr(loop, "REAP_EVERY_S", 3600.0)
    stop = asyncio.Event()
    async with worker_context(settings, engines, "stopping-worker") as ctx:
        reaped = asyncio.Event()
        reap = ctx.lifecycle.reap

        async def reap_and_tell():
            report = await reap()
            reaped.set()
            return report

        monkeypatch.setattr(ctx.lifecycle, "reap", reap_and_tell)
        task = asyncio.create_task(Worker(ctx).run(stop))
        await asyncio.wait_for(reaped.wait(), timeout=120)  # now in its pause
        stop.set()
        await asyncio.wait_for(task, timeout=120)
