"""DESIGN.md's import directions and the project's lint rules, enforced."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from tests.support.services import REPO_ROOT

BIN = Path(sys.executable).parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)


def test_import_rules_hold():
    result = run(str(BIN / "lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_clean():
    check = run(str(BIN / "ruff"), "check", ".")
    assert check.returncode == 0, check.stdout
    fmt = run(str(BIN / "ruff"), "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout


def test_the_image_library_contract_names_every_part_of_inference_but_the_worker():
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    [library] = [
        contract
        for contract in config["tool"]["importlinter"]["contracts"]
        if contract["name"].startswith("the image library knows nothing")
    ]
    folder = REPO_ROOT / "inference"
    parts = {
        f"inference.{path.stem}"
        for path in folder.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").is_file()
    }
    assert set(library["source_modules"]) == parts - {"inference.worker"}


def test_only_the_job_lifecycle_changes_a_jobs_record():
    """`JobRepo.swap` moves a job between states; only jobs/lifecycle.py and its helpers
    (the reaper, the delivery leases) call it, and only through `Lifecycle.change`."""
    callers = {
        path.relative_to(REPO_ROOT).as_posix()
        for folder in ("bot", "handlers", "inference", "jobs", "panel", "cli", "storage")
        for path in (REPO_ROOT / folder).rglob("*.py")
        if ".jobs.swap(" in path.read_text() or "jobs.swap(" in path.read_text()
    }
    assert callers == {"jobs/lifecycle.py"}
