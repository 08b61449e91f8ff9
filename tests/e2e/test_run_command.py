"""`vitrina run` with embedded defaults: starts everything, serves, stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import aiohttp

from cli.services import free_port
from tests.support.panel import PanelClient
from tests.support.services import REPO_ROOT
from tests.support.waiting import eventually

# A cold first start imports torch and friends for the first time: minutes on 2 cores.
START_TIMEOUT_S = 400


async def healthy(http: aiohttp.ClientSession, url: str, process: subprocess.Popen) -> bool:
    assert process.poll() is None, "vitrina run exited early"
    try:
        async with http.get(url) as resp:
            return resp.status == 200
    except aiohttp.ClientError:
        return False


def logged(log, text: str, process: subprocess.Popen) -> bool:
    assert process.poll() is None, log.read_text()
    return text in log.read_text()


async def test_run_starts_embedded_services_and_stops_on_ctrl_c(tmp_path):
    port, worker_metrics = free_port(), free_port()
    unset = {"BOT_TOKEN", "REDIS_URL", "MONGO_URL", "PANEL_PASSWORD_HASH", "PANEL_SECRET_KEY"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        {
            "VAR_DIR": str(tmp_path / "var"),
            "PANEL_PORT": str(port),
            "MODELS_DIR": str(REPO_ROOT / "var" / "models"),
            "WORKER_METRICS_PORT": str(worker_metrics),
            "SCHEDULER_METRICS_PORT": str(free_port()),
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
        url = f"http://127.0.0.1:{port}/healthz"
        async with aiohttp.ClientSession() as http:
            await eventually(lambda: healthy(http, url, process), START_TIMEOUT_S, interval=0.5)
        # With nothing configured the panel makes a password and logs it once.
        shown = re.compile(r"with the password (\S+)")
        await eventually(lambda: shown.search(log.read_text()), START_TIMEOUT_S, 0.5, log.read_text)
        panel = PanelClient(f"http://127.0.0.1:{port}")
        try:
            assert (await panel.get("/metrics"))[0] == 401
            assert await panel.login(shown.search(log.read_text()).group(1)) == 303
            status, metrics, _ = await panel.get("/metrics")
        finally:
            await panel.close()
        assert status == 200 and "vitrina_queue_depth 0.0" in metrics
        what = log.read_text
        ready = "ready with engines"
        await eventually(lambda: logged(log, ready, process), START_TIMEOUT_S, 0.5, what)
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{worker_metrics}/metrics") as resp,
        ):
            assert "vitrina_worker_jobs_total" in await resp.text()
        leading = "holds the lock"
        await eventually(lambda: logged(log, leading, process), START_TIMEOUT_S, 0.5, what)
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
    assert (tmp_path / "var" / "panel-password.hash").exists()
    assert (tmp_path / "var" / "panel-secret.key").exists()
