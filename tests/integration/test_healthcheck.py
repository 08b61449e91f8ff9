"""`vitrina healthcheck`: a part is healthy when its services answer and it moves on."""

from __future__ import annotations

import time

from cli.healthcheck import check
from cli.services import free_port
from jobs.heartbeat import beat, beat_key
from jobs.names import Keys


async def test_a_worker_is_healthy_only_with_a_fresh_beat_that_says_it_progresses(redis, settings):
    keys = Keys(settings.stream_prefix)
    assert (await check("worker", settings, "w1")).part == ["worker w1: no fresh heartbeat"]
    await beat(redis, keys, "w1", {"progress_at": time.time()}, ttl_s=60)
    assert (await check("worker", settings, "w1")).ok
    stuck_since = time.time() - settings.worker_stall_s - 1
    await beat(redis, keys, "w1", {"progress_at": stuck_since}, ttl_s=60)
    health = await check("worker", settings, "w1")
    assert not health.services and "stuck" in health.part[0]


async def test_a_bot_is_checked_by_its_own_heartbeat(redis, settings):
    keys = Keys(settings.stream_prefix)
    await beat_key(redis, keys.bot_heartbeat("b1"), {"progress_at": time.time()}, ttl_s=60)
    assert (await check("bot", settings, "b1")).ok
    assert not (await check("bot", settings, "b2")).ok


async def test_services_that_do_not_answer_are_reported_apart(settings):
    down = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    health = await check("worker", down, "w1")
    assert health.services and health.services[0].startswith("redis:")


async def test_a_scheduler_is_healthy_while_it_serves_its_metrics(settings):
    from prometheus_client import start_http_server

    port = free_port()
    quiet = settings.model_copy(
        update={"metrics_host": "127.0.0.1", "scheduler_metrics_port": port}
    )
    assert "scheduler: " in (await check("scheduler", quiet)).part[0]
    server, thread = start_http_server(port, addr="127.0.0.1")
    try:
        assert (await check("scheduler", quiet)).ok
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
