"""Models for the inference tests: the real u2netp when placed, tiny random ones built here.

The tiny SD 1.5 inpainting, SDXL inpainting and CLIP models (bench.random_models, the
one home of their builders) have random weights and are written with
`save_pretrained` into a session folder, then loaded by the very
`from_pretrained(..., local_files_only=True)` path production uses. Their pictures are
noise, but every tensor shape, dtype and call is the real one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bench import random_models
from settings import Settings
from tests.support.services import MODELS_DIR

U2NETP = MODELS_DIR / "u2netp.onnx"

requires_u2netp = pytest.mark.skipif(
    not U2NETP.is_file(), reason=f"{U2NETP} is absent: `make models` places it"
)


def engine_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings for engine tests: no .env, the repo's models folder, offline."""
    values = {"models_dir": MODELS_DIR, "local_files_only": True, "device": "cpu"}
    return Settings(_env_file=None, **{**values, **overrides})


def _save_sd_inpaint(folder: Path) -> None:
    random_models.sd15_inpaint_pipeline(full=False).save_pretrained(folder)


def _save_sdxl_inpaint(folder: Path) -> None:
    random_models.tiny_sdxl_inpaint_pipeline().save_pretrained(folder)


def _save_clip(folder: Path) -> None:
    model, processor = random_models.tiny_clip()
    model.save_pretrained(folder)
    processor.save_pretrained(folder)


def _built_once(tmp_path_factory: pytest.TempPathFactory, name: str, save: Callable) -> Path:
    folder = tmp_path_factory.getbasetemp() / name
    if not (folder / "done").exists():
        save(folder)
        (folder / "done").touch()
    return folder


@pytest.fixture(scope="session")
def tiny_sd_inpaint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random SD 1.5-style inpainting pipeline's folder (paints at 64 px)."""
    return _built_once(tmp_path_factory, "tiny_sd_inpaint", _save_sd_inpaint)


@pytest.fixture(scope="session")
def tiny_sdxl_inpaint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random SDXL-style inpainting pipeline's folder (paints at 64 px)."""
    return _built_once(tmp_path_factory, "tiny_sdxl_inpaint", _save_sdxl_inpaint)


@pytest.fixture(scope="session")
def tiny_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random CLIP with its processor's folder."""
    return _built_once(tmp_path_factory, "tiny_clip", _save_clip)
