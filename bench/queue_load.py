"""The job queue under load, end to end: real bot and worker processes, redis-server and
nx-27017, K chats driven through the fake Telegram Bot API server, and workers whose
engine only sleeps a set GPU time per image (bench/sleep_worker.py).

    python -m bench.queue_load [--chats 20] [--workers 1,2,4] [--drain 1000] [--out FILE]
                               [--photo-side 1024] [--images 4] [--phases latency,...]
                               [--telegram-rtt-ms 40]

Three phases, one JSON report (printed, and written to --out):

- latency: K chats, each pressing Generate (then Regenerate under each album) after a
  random think time; the added latency is Generate pressed → album received in the
  chat, minus the engine's own time (GPU seconds per image × images); and the CPU each
  job cost, by part (bench.cpu): steadier than latency on a VM with busy neighbours;
  with --count-calls, its round trips to MongoDB, Redis and the Bot API, by part
  (bench.round_trips): exact, whatever the neighbours do;
- scaling: enough chats to keep every worker busy, 1, 2 and 4 worker processes, a
  --scaling-gpu-s job: jobs per second, and the speed-up over one worker;
- drain: --drain jobs queued at once (one per chat), then the workers start: the time
  to drain, and the albums lost and duplicated (each chat must get exactly one).

With --photo-side the chats send a noisy photo of that size (bench.photos) instead of a
tiny flat one, so the images cost what real ones do to encode, store and send; --images
sets the images per job of the latency phase. With --telegram-rtt-ms each Bot API reply
leaves that long after its request, as Telegram's do across the internet.

Workers take one job at a time (WORKER_BATCH_SIZE=1): the sleeping engine gains
nothing from batching, and a batch would add its other jobs' time to each job's latency.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.cpu import cpu_by_part, spent
from bench.photos import product_photo as realistic_photo
from bench.round_trips import counting_env, mark, per_job
from cli.services import free_port, start_mongo, start_redis, stop_process
from jobs.heartbeat import alive_workers
from jobs.lifecycle import Lifecycle, Policy
from jobs.names import Keys
from keyboards.callbacks import JobAction, JobCb, OptionCb
from runtime.clients import redis_client
from runtime.heap import settle_after_start
from storage.jobs import Delivery, Job
from storage.store import Storage
from tests.support.e2e import TOKEN, albums, choose, has_button, press
from tests.support.photos import product_photo
from tests.support.tgfake import TelegramServer

REPO_ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 600.0
REGENERATE = JobCb(action=JobAction.REGENERATE, job_id="").pack()
JOB_BUTTON = re.compile(rf"{JobCb.__prefix__}:[a-z_-]+:([0-9a-f]+)")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


class Stack:
    """A fake Telegram server, the bot process and N sleeping workers on shared servers,
    with a database and key prefix of their own."""

    def __init__(
        self,
        redis_url: str,
        mongo_url: str,
        workdir: Path,
        env: dict[str, str],
        count_calls: bool = False,
        telegram_rtt_s: float = 0.0,
    ):
        self.redis_url, self.mongo_url, self.workdir = redis_url, mongo_url, workdir
        self.calls_dir = workdir / f"calls-{uuid.uuid4().hex[:8]}" if count_calls else None
        unique = uuid.uuid4().hex[:8]
        self.db, self.prefix = f"bench_{unique}", f"bench:{unique}"
        self.extra = env
        self.telegram = TelegramServer(token=TOKEN, reply_after_s=telegram_rtt_s)
        self.processes: list[subprocess.Popen] = []
        self.logs: dict[int, str] = {}  # pid → its log's name
        self.cpu_s: dict[str, float] = {}  # CPU seconds of the measured jobs, by part
        self.calls: dict = {}  # round trips per measured job, by part (--count-calls)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "VITRINA_"))}
        env.update(
            {
                "BOT_TOKEN": TOKEN,
                "TELEGRAM_API_URL": self.telegram.api_url,
                "REDIS_URL": self.redis_url,
                "MONGO_URL": self.mongo_url,
                "MONGO_DB": self.db,
                "STREAM_PREFIX": self.prefix,
                "DAILY_QUOTA": "1000000",
                "QUEUE_LIMIT": "100000",
                # One chat pressing every few tenths of a second is the benchmark's load,
                # not a flood: the throttle would drop its presses (and the chat wait on).
                "THROTTLE_LIMIT": "1000000",
                "WORKER_BATCH_SIZE": "1",
                "WORKER_HEARTBEAT_S": "2",
                **self.extra,
            }
        )
        if self.calls_dir is not None:
            env.update(counting_env(self.calls_dir))
        return env

    def spawn(self, *command: str, log: str) -> None:
        with open(self.workdir / log, "ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", *command],
                cwd=REPO_ROOT,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        self.logs[process.pid] = log

    def check_alive(self) -> None:
        """A part that exited while starting would otherwise be waited for until the timeout."""
        for process in self.processes:
            if process.poll() is not None:
                log = self.workdir / self.logs[process.pid]
                tail = log.read_text(errors="replace").strip().splitlines()[-1:]
                raise SystemExit(f"{log.name}: exited with {process.returncode}: {tail}")

    async def start_bot(self) -> None:
        self.spawn("cli", "bot", log="bot.log")

        def polling() -> bool:
            self.check_alive()
            return bool(self.telegram.calls("getUpdates"))

        await until(polling, "the bot to poll")

    async def start_workers(self, count: int, gpu_s: float) -> None:
        for i in range(count):
            self.spawn("bench.sleep_worker", "--gpu-s", str(gpu_s), log=f"worker-{i}.log")
        redis = redis_client(self.redis_url)
        keys = Keys(self.prefix)
        try:

            async def ready() -> bool:
                self.check_alive()
                return len(await alive_workers(redis, keys)) >= count

            await until(ready, f"{count} workers to beat")
        finally:
            await redis.aclose()

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            stop_process(process, timeout_s=30)


async def until(check, what: str, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def stack(
    servers: dict[str, str],
    workdir: Path,
    env: dict[str, str] | None = None,
    count_calls: bool = False,
    telegram_rtt_s: float = 0.0,
):
    s = Stack(servers["redis"], servers["mongo"], workdir, env or {}, count_calls, telegram_rtt_s)
    async with s.telegram:
        try:
            await s.start_bot()
            yield s
        finally:
            s.stop()
            db = await Storage.open(s.mongo_url, s.db)
            await db.client.drop_database(s.db)
            await db.close()


async def chat_loop(telegram, user, order: Order, jobs: int, think_s: float, start, out):
    """One chat: photo, style, count, then Generate and Regenerate under each album, each
    `jobs` times; appends each job's timings to `out`."""
    await user.send_photo(order.photo)
    options = await choose(user, "minimal", order.images)
    gpu_s = order.gpu_s * order.images
    await start.wait()
    # The first press too comes after a think time: chats pressing at the same instant
    # would measure a burst queued for the workers, not the path's own latency.
    await asyncio.sleep(random.uniform(0, 2 * think_s))
    await press(user, options, OptionCb(action="generate").pack())
    pressed = time.perf_counter()
    for done in range(1, jobs + 1):
        await user.wait_for(lambda m: bool(m.photo), timeout=START_TIMEOUT_S)
        out.append(timings(telegram, user.chat_id, pressed, time.perf_counter(), gpu_s))
        actions = await user.wait_for(
            lambda m: has_button(m, REGENERATE),
            timeout=START_TIMEOUT_S,
        )
        if done < jobs:
            await asyncio.sleep(random.uniform(0, 2 * think_s))
            await press(user, actions, REGENERATE)
            pressed = time.perf_counter()


def timings(telegram, chat: int, pressed: float, received: float, gpu_s: float) -> dict:
    """When one job's album was sent, from the Bot API calls the bot made for its chat;
    the job is named by its status message's buttons (`with_start` splits its time)."""
    calls = [
        c
        for c in telegram.requests
        if c.at >= pressed and c.ok and str(c.params.get("chat_id")) == str(chat)
    ]
    status = next((c for c in calls if c.method == "sendMessage"), None)
    album = first(calls, lambda c: c.method in ("sendPhoto", "sendMediaGroup"), received)
    job = JOB_BUTTON.search(str(status.params.get("reply_markup"))) if status else None
    return {
        "job_id": job.group(1) if job else None,
        "pressed": pressed,
        "received": received,
        "added": received - pressed - gpu_s,
        "album": album,
        "gpu_s": gpu_s,
    }


async def with_start(s: Stack, samples: list[dict]) -> None:
    """Each sample's stages, from its job's record: the handler (Generate pressed → the
    job queued, `queued_ts`), the queue (→ a worker starts it, `started_at`) and the
    worker and the delivery (→ the album is sent, less the engine). Read after the run:
    no read on the measured path."""
    wall_minus_perf = time.time() - time.perf_counter()
    db = await Storage.open(s.mongo_url, s.db)
    try:
        jobs = [await db.jobs.get(t["job_id"]) if t["job_id"] else None for t in samples]
    finally:
        await db.close()
    busy = busy_workers(j for j in jobs if j is not None)
    for t, job in zip(samples, jobs, strict=True):
        queued = started = t["pressed"]  # not found: all of it counted as the worker's
        if job is not None and job.started_at is not None:
            queued = job.queued_ts - wall_minus_perf
            started = job.started_at.timestamp() - wall_minus_perf
            t["workers_busy"] = busy(job.queued_ts)
        t["handler"] = queued - t["pressed"]
        t["queue"] = started - queued
        t["worker_and_delivery"] = t["album"] - started - t["gpu_s"]


def busy_workers(jobs) -> Callable[[float], int]:
    """How many workers were running a job at a given time (epoch s), from the jobs'
    records (started → finished): a job queued when all were busy waited for one."""
    spans = [
        (j.worker, j.started_at.timestamp(), j.finished_ts)
        for j in jobs
        if j.worker and j.started_at is not None and j.finished_ts
    ]
    return lambda at: len({worker for worker, start, end in spans if start <= at < end})


STAGES = ("handler", "queue", "worker_and_delivery")


def stages(samples: list[dict], average) -> dict[str, float]:
    return {stage: ms(average(t[stage] for t in samples)) for stage in STAGES}


def slowest(samples: list[dict], share: float) -> list[dict]:
    ordered = sorted(samples, key=lambda t: t["added"], reverse=True)
    return ordered[: max(1, round(share * len(ordered)))]


def first(calls, match, default: float) -> float:
    return next((c.at for c in calls if match(c)), default)


@dataclass(frozen=True)
class Order:
    """What each chat asks for: its photo (JPEG), images per job, GPU seconds per image."""

    photo: bytes
    images: int
    gpu_s: float

    @classmethod
    def of(cls, args: argparse.Namespace, gpu_s: float, images: int = 1) -> Order:
        """A tiny flat photo by default (the path's own cost); with --photo-side, a noisy
        photo of that size, whose images cost what real ones do to encode and send."""
        if not args.photo_side:
            return cls(product_photo((256, 192)), images, gpu_s)
        buffer = io.BytesIO()
        realistic_photo(args.photo_side).save(buffer, format="JPEG", quality=90)
        return cls(buffer.getvalue(), images, gpu_s)


async def closed_loop(s: Stack, order: Order, chats: int, jobs: int, think_s: float) -> list:
    start, samples = asyncio.Event(), []
    users = [s.telegram.user(700_000 + i) for i in range(chats)]
    loops = [chat_loop(s.telegram, u, order, jobs, think_s, start, samples) for u in users]
    runner = asyncio.gather(*loops)
    await until(lambda: all(_has_generate(u) for u in users), "the chats to be ready")
    settle_after_start()  # the harness's own collector pauses are not the path's latency
    if s.calls_dir is not None:
        mark(s.processes, s.calls_dir)
    cpu_before = cpu_by_part()
    start.set()
    await runner
    s.cpu_s = spent(cpu_before, cpu_by_part())
    if s.calls_dir is not None:
        mark(s.processes, s.calls_dir)
        s.calls = per_job(s.calls_dir, s.processes, len(samples))
    await with_start(s, samples)
    return samples


def _has_generate(user) -> bool:
    generate = OptionCb(action="generate").pack()
    return any(has_button(m, generate) for m in user.messages)


async def latency_phase(servers, workdir, args) -> dict:
    rtt_s = args.telegram_rtt_ms / 1000
    async with stack(servers, workdir, count_calls=args.count_calls, telegram_rtt_s=rtt_s) as s:
        await s.start_workers(args.latency_workers, args.latency_gpu_s)
        order = Order.of(args, args.latency_gpu_s, args.images)
        samples = await closed_loop(s, order, args.chats, args.jobs_per_chat, args.think_s)
    added = [t["added"] for t in samples]
    waited = [t.get("workers_busy", 0) >= args.latency_workers for t in samples]
    free = [t["added"] for t, w in zip(samples, waited, strict=True) if not w] or added
    cpu_ms = {part: ms(seconds / len(samples)) for part, seconds in sorted(s.cpu_s.items())}
    wall = max(t["received"] for t in samples) - min(t["pressed"] for t in samples)
    return {
        "chats": args.chats,
        "workers": args.latency_workers,
        "gpu_s_per_image": args.latency_gpu_s,
        "images_per_job": args.images,
        "photo_side": args.photo_side or "256x192",
        "think_s_mean": args.think_s,
        "telegram_rtt_ms": args.telegram_rtt_ms,
        "jobs": len(samples),
        "jobs_per_s": round(len(samples) / wall, 2),
        "added_latency_ms": {
            "p50": ms(percentile(added, 0.50)),
            "p95": ms(percentile(added, 0.95)),
            "p99": ms(percentile(added, 0.99)),
            "mean": ms(statistics.fmean(added)),
        },
        # Jobs queued while every worker was busy wait for one (Erlang's C formula gives
        # how many): that wait is the benchmark's capacity, not the path's own latency.
        "found_every_worker_busy": sum(waited),
        "added_latency_ms_when_a_worker_was_free": {
            "p50": ms(percentile(free, 0.50)),
            "p95": ms(percentile(free, 0.95)),
            "p99": ms(percentile(free, 0.99)),
        },
        "stages_p50_ms": stages(samples, statistics.median),
        # Where the tail's time goes: the same stages, averaged over the slowest 5 %.
        "stages_slowest_5pct_ms": stages(slowest(samples, 0.05), statistics.fmean),
        "cpu_ms_per_job": {**cpu_ms, "all": round(sum(cpu_ms.values()), 1)},
        **({"calls_per_job": s.calls} if s.calls else {}),
    }


async def scaling_phase(servers, workdir, args) -> dict:
    results = {}
    for workers in args.workers:
        chats = max(4, 3 * workers)
        jobs = max(1, round(args.scaling_jobs * workers / chats))
        async with stack(servers, workdir) as s:
            await s.start_workers(workers, args.scaling_gpu_s)
            order = Order.of(args, args.scaling_gpu_s)
            samples = await closed_loop(s, order, chats, jobs, 0.0)
        wall = max(t["received"] for t in samples) - min(t["pressed"] for t in samples)
        results[str(workers)] = {
            "chats": chats,
            "jobs": len(samples),
            "seconds": round(wall, 2),
            "jobs_per_s": round(len(samples) / wall, 3),
        }
    base = results[str(args.workers[0])]["jobs_per_s"]
    for entry in results.values():
        entry["speedup"] = round(entry["jobs_per_s"] / base, 2)
    return {"gpu_s_per_job": args.scaling_gpu_s, "by_workers": results}


async def drain_phase(servers, workdir, args) -> dict:
    async with stack(servers, workdir, {"CHAT_ACTIVE_JOBS": "2"}) as s:
        users = [s.telegram.user(800_000 + i) for i in range(args.drain)]
        job_ids = await queue_jobs(s, [u.chat_id for u in users])
        started = time.perf_counter()
        await s.start_workers(args.drain_workers, args.drain_gpu_s)
        ready = time.perf_counter()
        await until(lambda: delivered(s, job_ids), "the drain", timeout=args.drain_timeout_s)
        wall = time.perf_counter() - ready
        counts = [albums(s.telegram, u.chat_id) for u in users]
    return {
        "jobs": args.drain,
        "workers": args.drain_workers,
        "gpu_s_per_job": args.drain_gpu_s,
        "workers_start_s": round(ready - started, 1),
        "drain_s": round(wall, 1),
        "jobs_per_s": round(args.drain / wall, 2),
        "lost": sum(1 for c in counts if c == 0),
        "duplicated": sum(c - 1 for c in counts if c > 1),
    }


async def queue_jobs(s: Stack, chats: list[int]) -> list[str]:
    """The jobs queued at once through the lifecycle, as the bot would, one per chat."""
    redis = redis_client(s.redis_url)
    db = await Storage.open(s.mongo_url, s.db)
    try:
        lc = Lifecycle(redis, Keys(s.prefix), db, Policy(queue_limit=len(chats) + 1))
        image = await db.images.put(product_photo((256, 192)), "original.jpg", kind="original")
        ids = []
        for i, chat in enumerate(chats):
            job = Job(
                chat_id=chat, lang="en", style="minimal", count=1, seed=i, input_image_id=image
            )
            await lc.submit(job, user_id=chat, quota_limit=10)
            ids.append(job.id)
        return ids
    finally:
        await db.close()
        await redis.aclose()


async def delivered(s: Stack, job_ids: list[str]) -> bool:
    db = await Storage.open(s.mongo_url, s.db)
    try:
        finished = {"delivery": {"$in": [Delivery.DONE, Delivery.FAILED]}}
        cursor = db.client[s.db]["jobs"].find(finished, projection={"_id": True})
        return len([d async for d in cursor]) >= len(job_ids)
    finally:
        await db.close()


def machine() -> dict:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "host": socket.gethostname(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.queue_load", description=__doc__)
    p.add_argument("--chats", type=int, default=20)
    p.add_argument("--jobs-per-chat", type=int, default=20)
    p.add_argument("--think-s", type=float, default=2.0)
    p.add_argument("--latency-gpu-s", type=float, default=0.1, help="per image")
    p.add_argument("--images", type=int, default=1, help="images per job (latency phase)")
    p.add_argument("--photo-side", type=int, default=0, help="a noisy square photo; 0: tiny")
    p.add_argument("--latency-workers", type=int, default=4)
    p.add_argument("--workers", type=lambda v: [int(x) for x in v.split(",")], default=[1, 2, 4])
    p.add_argument("--scaling-gpu-s", type=float, default=0.5)
    p.add_argument("--scaling-jobs", type=int, default=24, help="jobs per worker")
    p.add_argument("--drain", type=int, default=1000)
    p.add_argument("--drain-workers", type=int, default=4)
    p.add_argument("--drain-gpu-s", type=float, default=0.02)
    p.add_argument("--drain-timeout-s", type=float, default=1800)
    p.add_argument(
        "--phases",
        type=lambda v: v.split(","),
        default=["latency", "scaling", "drain"],
        help="which phases to run, of latency,scaling,drain",
    )
    p.add_argument(
        "--count-calls",
        action="store_true",
        help="latency phase: count each job's round trips to MongoDB, Redis and the Bot API",
    )
    p.add_argument(
        "--telegram-rtt-ms",
        type=float,
        default=0.0,
        help="latency phase: each Bot API reply leaves this long after its request",
    )
    p.add_argument("--out", type=Path)
    return p.parse_args(argv)


async def run(args: argparse.Namespace) -> dict:
    report = {"machine": machine()}
    with tempfile.TemporaryDirectory(prefix="vitrina-bench-") as tmp:
        workdir = Path(tmp)
        redis = start_redis(workdir / "redis", free_port(), persist=False)
        mongo = start_mongo(workdir / "mongo", free_port())
        servers = {"redis": redis.url, "mongo": mongo.url}
        try:
            phases = {"latency": latency_phase, "scaling": scaling_phase, "drain": drain_phase}
            for name in args.phases:
                report[name] = await phases[name](servers, workdir, args)
        finally:
            redis.stop()
            mongo.stop()
    report["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    return report


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    report = asyncio.run(run(args))
    text = json.dumps(report, indent=2)
    if args.out:
        args.out.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
