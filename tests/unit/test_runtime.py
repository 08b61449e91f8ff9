"""Process plumbing: loops that survive their errors, fault points inert unless armed, the
event loop."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import subprocess
import sys

import pytest
import uvloop
from redis.exceptions import ConnectionError as RedisConnectionError

from cli import parts
from cli.services import free_port
from runtime import faults
from runtime.faults import FaultInjected, fault_point
from runtime.loops import run_until
from tests.support.services import REPO_ROOT


async def test_a_loop_waits_out_a_lost_connection_and_goes_on():
    stop = asyncio.Event()
    calls: list[float] = []
    loop = asyncio.get_running_loop()

    async def step() -> None:
        calls.append(loop.time())
        if len(calls) <= 2:
            raise RedisConnectionError("Connection refused")
        stop.set()

    await asyncio.wait_for(run_until(stop, "test", step), timeout=10)
    assert len(calls) == 3
    assert calls[1] - calls[0] >= 0.9 and calls[2] - calls[1] >= 1.9  # 1 s, then 2 s


async def test_a_loop_survives_any_error_and_logs_it(caplog):
    stop = asyncio.Event()
    calls = []

    async def step() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("a bug")
        stop.set()

    await asyncio.wait_for(run_until(stop, "test", step), timeout=10)
    assert len(calls) == 2
    assert "a bug" in caplog.text and "test failed" in caplog.text


def test_fault_points_are_inert_without_the_variable(monkeypatch):
    monkeypatch.delenv(faults.VARIABLE, raising=False)
    for name in ("worker.after_store", "notifier.after_album", "anything"):
        fault_point(name)  # returns: nothing armed
    assert faults.armed() == {}


def test_an_armed_point_fails_only_where_it_is_named(monkeypatch):
    monkeypatch.setenv(faults.VARIABLE, "worker.after_store=raise, notifier.after_album=kill")
    assert faults.armed() == {"worker.after_store": "raise", "notifier.after_album": "kill"}
    fault_point("worker.before_ack")
    with pytest.raises(FaultInjected):
        fault_point("worker.after_store")


def test_a_point_armed_to_kill_kills_its_process_with_sigkill():
    code = "from runtime.faults import fault_point; fault_point('x'); print('survived')"
    env = {**os.environ, faults.VARIABLE: "x=kill"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, timeout=60
    )
    assert done.returncode == -9 and b"survived" not in done.stdout


SETTLED_PROCESS = """
import gc, weakref
from runtime.heap import settle_after_start

class Node:
    pass

kept = [Node() for _ in range(5000)]  # what start-up leaves behind
frozen = settle_after_start()
walked = len(gc.get_objects(generation=2))
later = Node()
later.me = later  # garbage made while serving, in a cycle only the collector frees
gone = weakref.ref(later)
del later
gc.collect()
print(frozen, walked, gone() is None)
"""


def test_start_ups_objects_are_kept_out_of_the_collectors_walks_and_later_garbage_is_freed():
    # In a process of its own: freezing the test runner's heap would outlive this test.
    done = subprocess.run(
        [sys.executable, "-c", SETTLED_PROCESS],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    frozen, walked, freed = done.stdout.split()
    assert int(frozen) > 5000  # the start-up objects, and the imports' besides
    assert int(walked) < 100  # a full collection no longer walks them
    assert freed == "True"


LISTENING_PROCESS = """
import asyncio, os, signal, sys
from aiohttp import web
from runtime.signals import serve_until_stopped

port = int(sys.argv[1])

async def when_listening():
    reader, writer = await asyncio.open_connection("127.0.0.1", port)  # refused if not yet
    writer.close()
    print("connected")
    os.kill(os.getpid(), signal.SIGTERM)

asyncio.run(serve_until_stopped(web.Application(), "127.0.0.1", port, when_listening))
print("stopped")
"""


def test_a_server_is_listening_before_anyone_is_told_where_it_is():
    # A webhook set before its port listens loses Telegram's first updates to a refusal.
    done = subprocess.run(
        [sys.executable, "-c", LISTENING_PROCESS, str(free_port())],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["connected", "stopped"]


@pytest.mark.parametrize(
    ("part", "serving"),
    [
        ("run_bot", "bot.main"),
        ("run_worker", "inference.worker.main"),
        ("run_panel", "panel.app"),
        ("run_scheduler", "scheduler.main"),
    ],
)
def test_each_long_running_process_runs_on_uvloop(
    part: str, serving: str, monkeypatch: pytest.MonkeyPatch
):
    """Its command serves inside uvloop's loop (its `serve` replaced by one that only
    looks at the loop it runs in)."""
    loops: list[type] = []

    async def serve(*args: object) -> None:
        loops.append(type(asyncio.get_running_loop()))

    monkeypatch.setattr(importlib.import_module(serving), "serve", serve)
    assert getattr(parts, part)(argparse.Namespace(name="w")) == 0
    assert loops == [uvloop.Loop]
