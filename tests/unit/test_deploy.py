"""The production images and compose files: valid, and what README.md's Deployment promises."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from settings import Settings
from tests.support.services import REPO_ROOT

COMPOSE = REPO_ROOT / "docker-compose.yml"
DOCKER = REPO_ROOT / "docker"
SHARE = DOCKER / "share-services.yml"
APP_DOCKERFILE = DOCKER / "app.Dockerfile"
WORKER_DOCKERFILE = DOCKER / "worker.Dockerfile"
PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
PACKAGES = [p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]]

# What a deployment adds to .env.example (README.md, Deployment).
DEPLOYMENT_ENV = """
REDIS_PASSWORD=redispass
MONGO_INITDB_ROOT_PASSWORD=mongopass
REDIS_URL=redis://:redispass@redis:6379/0
MONGO_URL=mongodb://vitrina:mongopass@mongo:27017/?authSource=admin
SHARE_ADDRESS=10.0.0.1
"""
# The libraries only workers need; the app image must do without them.
MODEL_LIBRARIES = {
    "torch",
    "diffusers",
    "transformers",
    "accelerate",
    "rembg",
    "onnx",
    "onnxruntime",
    "onnxruntime-gpu",
    "opencv-python-headless",
    "numpy",
}


def compose_services() -> dict[str, dict]:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def workers() -> dict[str, dict]:
    return {name: s for name, s in compose_services().items() if name.startswith("worker")}


def final_stage(dockerfile) -> list[str]:
    """The instructions of the last stage, continuation lines joined, comments left out."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    last_from = max(i for i, line in enumerate(lines) if line.upper().startswith("FROM "))
    return lines[last_from:]


def seconds(duration: str) -> float:
    """A compose duration such as 150s or 2m30s, in seconds."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", duration)
    assert "".join(n + u for n, u in parts) == duration, duration
    return sum(float(n) * units[u] for n, u in parts)


def requirement_name(requirement: str) -> str:
    return canonicalize_name(Requirement(requirement).name)


def docker_compose(cwd, *args: str) -> subprocess.CompletedProcess:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not installed (make test installs it when run as root)")
    return subprocess.run([binary, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


@pytest.fixture
def compose_dir(tmp_path):
    shutil.copy(COMPOSE, tmp_path / COMPOSE.name)
    shutil.copytree(DOCKER, tmp_path / DOCKER.name)
    example = (REPO_ROOT / ".env.example").read_text()
    (tmp_path / ".env").write_text(example + DEPLOYMENT_ENV)
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--profile", "gpu1", "--profile", "gpu2", "--profile", "gpu3", "--profile", "proxy"],
        ["-f", "docker-compose.yml", "-f", "docker/share-services.yml"],
    ],
    ids=["default", "all-profiles", "shared-services"],
)
def test_compose_files_are_valid(compose_dir, args):
    result = docker_compose(compose_dir, *args, "config", "-q")
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_run_without_the_passwords_and_urls(compose_dir):
    (compose_dir / ".env").write_text((REPO_ROOT / ".env.example").read_text())
    result = docker_compose(compose_dir, "config", "-q")
    assert result.returncode != 0
    assert "in .env (README.md, Deployment)" in result.stderr


def test_every_service_has_a_health_check_and_the_data_volumes():
    compose = yaml.safe_load(COMPOSE.read_text())
    assert set(compose["services"]) >= {"bot", "worker-gpu0", "worker-gpu1", "panel", "redis"}
    assert all("healthcheck" in s for s in compose["services"].values())
    assert {"redis-data", "mongo-data", "models"} <= set(compose["volumes"])


def test_each_worker_reserves_a_gpu_of_its_own_by_device_id():
    found = workers()
    assert len(found) >= 2
    ids = []
    for name, service in found.items():
        devices = service["deploy"]["resources"]["reservations"]["devices"]
        assert len(devices) == 1, name
        (device,) = devices
        # `count` lets Docker give several containers the same GPU (docker/compose#11863).
        assert "count" not in device, name
        assert device["driver"] == "nvidia" and device["capabilities"] == ["gpu"], name
        assert len(device["device_ids"]) == 1, name
        ids.append(device["device_ids"][0])
        assert name == f"worker-gpu{device['device_ids'][0]}"
        assert "replicas" not in service["deploy"], name
    assert len(set(ids)) == len(ids)
    # GPU 0 always has its worker; the others come with their profiles.
    assert "profiles" not in found["worker-gpu0"]
    assert all(
        s["profiles"] == [n.removeprefix("worker-")] for n, s in found.items() if n[-1] != "0"
    )


def test_workers_get_longer_to_stop_than_their_stop_deadline():
    default = Settings.model_fields["worker_stop_timeout_s"].default
    for name, service in workers().items():
        deadline = float(service["environment"]["WORKER_STOP_TIMEOUT_S"])
        assert deadline == default, name
        assert seconds(service["stop_grace_period"]) >= deadline + 10, name


def test_redis_syncs_its_log_every_second_never_evicts_and_asks_a_password():
    command = compose_services()["redis"]["command"]
    options = dict(zip(command[1::2], command[2::2], strict=True))
    assert command[0] == "redis-server"
    assert options["--appendonly"] == "yes"
    assert options["--appendfsync"] == "everysec"
    assert options["--maxmemory-policy"] == "noeviction"
    assert options["--requirepass"].startswith("${REDIS_PASSWORD:?")


def test_mongo_has_authentication_on_and_the_services_connect_with_urls_from_env():
    services = compose_services()
    environment = services["mongo"]["environment"]
    assert environment["MONGO_INITDB_ROOT_USERNAME"].startswith("${MONGO_INITDB_ROOT_USERNAME:?")
    assert environment["MONGO_INITDB_ROOT_PASSWORD"].startswith("${MONGO_INITDB_ROOT_PASSWORD:?")
    assert "ports" not in services["mongo"] and "ports" not in services["redis"]
    for name in ("bot", "panel", *workers()):
        environment = services[name]["environment"]
        assert environment["MONGO_URL"].startswith("${MONGO_URL:?"), name
        assert environment["REDIS_URL"].startswith("${REDIS_URL:?"), name


def test_only_the_webhook_and_the_panel_are_published_the_panel_on_loopback():
    published = {name: s["ports"] for name, s in compose_services().items() if "ports" in s}
    assert published == {
        "bot": ["127.0.0.1:8081:8081"],
        "panel": ["127.0.0.1:8080:8080"],
        "proxy": ["80:80", "443:443"],
    }
    assert all("network_mode" not in s for s in compose_services().values())
    # The proxy forwards to the bot's webhook server and nothing else (not the panel).
    caddyfile = (DOCKER / "Caddyfile").read_text()
    assert re.findall(r"reverse_proxy\s+(\S+)", caddyfile) == ["bot:8081"]
    # Sharing Redis and MongoDB with other GPU machines binds them to the private address only.
    shared = yaml.safe_load(SHARE.read_text())["services"]
    for service in shared.values():
        assert all(port.startswith("${SHARE_ADDRESS:?") for port in service["ports"])


def test_our_images_run_as_a_user_that_is_not_root():
    for dockerfile in (APP_DOCKERFILE, WORKER_DOCKERFILE):
        users = [line.split()[1] for line in final_stage(dockerfile) if line.startswith("USER ")]
        assert users, dockerfile.name
        assert users[-1].split(":")[0] not in {"root", "0"}, dockerfile.name
    for name, service in compose_services().items():
        if "build" in service:
            assert service.get("user", "vitrina").split(":")[0] not in {"root", "0"}, name


def test_bot_and_panel_use_the_small_image_and_workers_the_cuda_one():
    for name, service in compose_services().items():
        if "build" not in service:
            continue
        expected = WORKER_DOCKERFILE if name.startswith("worker") else APP_DOCKERFILE
        assert service["build"]["dockerfile"] == expected.relative_to(REPO_ROOT).as_posix(), name


def test_the_app_image_installs_no_model_library():
    base = {requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    assert not base & MODEL_LIBRARIES
    assert "nx-27017" not in base
    installs = [line for line in final_stage(APP_DOCKERFILE) if "pip install" in line]
    assert installs
    for line in installs:
        assert "[" not in line and "torch" not in line, line


def test_the_worker_image_has_the_pinned_cuda_torch_and_onnxruntime_gpu():
    extras = PYPROJECT["project"]["optional-dependencies"]
    (torch_pin,) = [r for r in extras["inference"] if requirement_name(r) == "torch"]
    lines = final_stage(WORKER_DOCKERFILE)
    torch_install = next(line for line in lines if "pip install" in line and "torch==" in line)
    assert torch_pin in torch_install.split()
    assert re.search(r"--index-url https://download\.pytorch\.org/whl/cu\d+ ", torch_install)
    assert any("--constraint" in line and "[worker-gpu]" in line for line in lines)
    gpu = {requirement_name(r) for r in extras["worker-gpu"]}
    assert "onnxruntime-gpu" in gpu and "onnxruntime" not in gpu
    assert any("inference.segmentation.fetch_u2netp /models" in line for line in lines)


def test_the_build_context_is_the_packages_and_nothing_else():
    lines = [
        line
        for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert lines[0] == "*"
    included = {line[1:] for line in lines if line.startswith("!")}
    packages = {
        p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    assert included == packages | {"pyproject.toml", "README.md"}


def _closure(requirements: list[str], extras: dict[str, list[str]]) -> set[str]:
    """The distributions these requirements install here, dependencies included."""
    seen: set[str] = set()
    todo = list(requirements)
    while todo:
        requirement = Requirement(todo.pop())
        name = canonicalize_name(requirement.name)
        if name == "vitrina":
            todo.extend(r for extra in requirement.extras for r in extras[extra])
            continue
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        todo.extend(
            r
            for r in requires
            if Requirement(r).marker is None or Requirement(r).marker.evaluate({"extra": ""})
        )
    return seen


IMPORT_ALL = """
import importlib, importlib.abc, pkgutil, sys

blocked = set(sys.argv[1].split(","))

class NotInTheAppImage(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in blocked:
            raise ImportError(name + " is not in the app image")

sys.meta_path.insert(0, NotInTheAppImage())
for package in sys.argv[2].split(","):
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
from cli.main import build_parser
build_parser()
"""


def test_bot_panel_and_cli_import_without_what_only_workers_install():
    project = PYPROJECT["project"]
    extras = project["optional-dependencies"]
    base = _closure(project["dependencies"], extras)
    worker_only = _closure(["vitrina[worker,embedded]"], extras) - base
    assert {"torch", "numpy", "onnxruntime", "nx-27017"} <= worker_only
    blocked = {
        module
        for module, dists in importlib.metadata.packages_distributions().items()
        if {canonicalize_name(d) for d in dists} <= worker_only
    }
    packages = [
        p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    ]
    app_packages = [p for p in packages if p != "inference"]
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL, ",".join(sorted(blocked)), ",".join(app_packages)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_every_part_is_checked_by_vitrina_healthcheck():
    compose = yaml.safe_load(COMPOSE.read_text())
    parts = {"bot", "worker", "panel", "scheduler"}
    checked = {
        service["command"][0]: service["healthcheck"]["test"]
        for service in compose["services"].values()
        if service.get("command", [None])[0] in parts
    }
    assert set(checked) == parts
    for part, test in checked.items():
        assert test == ["CMD", "vitrina", "healthcheck", part]
