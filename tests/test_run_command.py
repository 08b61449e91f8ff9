"""`vitrina run` with embedded defaults: starts everything, serves, stops cleanly on Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

import aiohttp
import pytest

from cli.services import free_port
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.timeout(180)


async def wait_healthy(url: str, process: subprocess.Popen, timeout_s: float = 120) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    async with aiohttp.ClientSession() as http:
        while asyncio.get_running_loop().time() < deadline:
            assert process.poll() is None, "vitrina run exited early"
            try:
                async with http.get(url) as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.5)
    raise TimeoutError(url)


async def wait_for_line(log, text: str, process: subprocess.Popen, timeout_s: float = 300) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while text not in log.read_text():
        assert process.poll() is None, log.read_text()
        assert asyncio.get_running_loop().time() < deadline, log.read_text()
        await asyncio.sleep(0.5)


async def test_run_starts_embedded_services_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "REDIS_URL", "MONGO_URL"}}
    env.update(
        {
            "VAR_DIR": str(tmp_path / "var"),
            "PANEL_PORT": str(port),
            "MODELS_DIR": str(REPO_ROOT / "var" / "models"),
        }
    )
    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "run"],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, like a terminal's foreground job
        )
    try:
        await wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/metrics") as resp,
        ):
            metrics = await resp.text()
        assert "vitrina_queue_depth 0.0" in metrics
        await wait_for_line(log, "ready with engines", process)
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
        assert process.wait(60) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
    output = log.read_text()
    assert "BOT_TOKEN is not set" in output
    assert "Traceback" not in output, output  # the servers outlived the parts using them
    assert (tmp_path / "var" / "redis" / "appendonlydir").exists()
    assert list((tmp_path / "var" / "mongo").glob("*.db"))
