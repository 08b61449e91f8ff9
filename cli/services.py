"""Embedded Redis and MongoDB-protocol servers for one machine without Docker (and for tests)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 30.0


class ServiceError(RuntimeError):
    pass


@dataclass
class Service:
    name: str
    process: subprocess.Popen
    url: str

    def stop(self, timeout_s: float = 10.0) -> None:
        stop_process(self.process, timeout_s)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(data_dir: Path, port: int, persist: bool = True) -> Service:
    binary = shutil.which("redis-server")
    if binary is None:
        raise ServiceError(
            "redis-server is not installed: run `sudo apt-get install redis-server` "
            "or set REDIS_URL to a running Redis"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    durability = (
        ["--appendonly", "yes", "--save", "60 1"]
        if persist
        else ["--appendonly", "no", "--save", ""]
    )
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(data_dir),
            "--logfile",
            "redis.log",
            *durability,
        ],
        stdout=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C reaches the supervisor, which stops it last
    )
    wait_for_port(port, process, "redis-server", data_dir / "redis.log")
    return Service("redis", process, f"redis://127.0.0.1:{port}/0")


def start_mongo(data_dir: Path, port: int) -> Service:
    binary = Path(sys.executable).with_name("nx-27017")
    if not binary.exists():
        raise ServiceError("nx-27017 is not installed in this environment: run `make venv`")
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / "nx-27017.log"
    process = subprocess.Popen(
        [
            str(binary),
            "--data-dir",
            str(data_dir),
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
            "--log-file",
            str(log),
            "--pid-file",
            str(data_dir / "nx-27017.pid"),
            # A thread per connection answers each command where it was read; its
            # asyncio mode hands every command to a thread pool and back, which cost
            # a quarter more of its CPU per job (docs/BENCHMARKS.md).
            "--threaded",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C reaches the supervisor, which stops it last
    )
    wait_for_port(port, process, "nx-27017", log)
    return Service("mongo", process, f"mongodb://127.0.0.1:{port}/")


def wait_for_port(port: int, process: subprocess.Popen, name: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceError(f"{name} exited with code {process.returncode}; see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    stop_process(process, 5)
    raise ServiceError(f"{name} did not open port {port} in {START_TIMEOUT_S:.0f} s; see {log}")


def stop_process(process: subprocess.Popen, timeout_s: float) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
