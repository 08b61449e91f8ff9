"""The production compose file is valid and has what DESIGN.md promises."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from tests.support.services import REPO_ROOT


@pytest.fixture
def compose_dir(tmp_path):
    for name in ("docker-compose.yml", "Dockerfile"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    shutil.copy(REPO_ROOT / ".env.example", tmp_path / ".env")
    return tmp_path


def test_compose_file_is_valid(compose_dir):
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not installed (make test installs it when run as root)")
    result = subprocess.run(
        [binary, "config", "-q"], cwd=compose_dir, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_every_service_has_a_health_check_and_the_worker_a_gpu():
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) >= {"bot", "worker", "panel", "redis", "mongo"}
    assert all("healthcheck" in s for s in services.values())
    devices = services["worker"]["deploy"]["resources"]["reservations"]["devices"]
    assert devices[0]["capabilities"] == ["gpu"]
    assert {"redis-data", "mongo-data", "models"} <= set(compose["volumes"])
