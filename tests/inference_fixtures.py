"""Shared fixtures of the inference tests: synthetic product photos and tiny models.

The tiny SD 1.5 inpainting, SDXL inpainting and CLIP models (bench.random_models)
have random weights and are written with `save_pretrained` into a session
folder, then loaded by the very `from_pretrained(..., local_files_only=True)`
path production uses. Their pictures are noise, but every tensor shape, dtype
and call is the real one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from bench.random_models import sd15_inpaint_pipeline, tiny_clip, tiny_sdxl_inpaint_pipeline
from settings import Settings
from tests.conftest import REPO_ROOT

U2NETP = REPO_ROOT / "var" / "models" / "u2netp.onnx"
# The backdrop and product colours of the synthetic photos.
BLUE = (40, 90, 200)
ORANGE = (230, 120, 30)
WHITE = (255, 255, 255)

requires_u2netp = pytest.mark.skipif(
    not U2NETP.is_file(),
    reason=f"{U2NETP} is absent: `make models` places it",
)


def engine_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings for engine tests: no .env, the repo's models folder, offline."""
    values = {"models_dir": U2NETP.parent, "local_files_only": True, "device": "cpu"}
    return Settings(_env_file=None, **{**values, **overrides})


def ring_photo(size: int = 256, backdrop=BLUE, colour=ORANGE) -> Image.Image:
    """A flat ring on a plain backdrop: its hole must stay background."""
    image = np.full((size, size, 3), backdrop, np.uint8)
    centre = (size // 2, size // 2)
    cv2.circle(image, centre, int(size * 0.35), colour, -1, lineType=cv2.LINE_AA)
    cv2.circle(image, centre, int(size * 0.18), backdrop, -1, lineType=cv2.LINE_AA)
    return Image.fromarray(image)


def white_box_photo(size: int = 256, backdrop=BLUE) -> Image.Image:
    """A white product with soft, anti-aliased edges on a coloured backdrop."""
    image = np.full((size, size, 3), backdrop, np.uint8)
    corners = np.array([[0.3, 0.25], [0.7, 0.25], [0.75, 0.8], [0.25, 0.8]]) * size
    cv2.fillPoly(image, [corners.astype(np.int32)], WHITE, lineType=cv2.LINE_AA)
    return Image.fromarray(cv2.GaussianBlur(image, (0, 0), 1.2))


def build_tiny_sd_inpaint(folder: Path) -> Path:
    """A random SD 1.5-style inpainting pipeline saved to `folder` (paints at 64 px)."""
    sd15_inpaint_pipeline(full=False).save_pretrained(folder)
    return folder


def build_tiny_sdxl_inpaint(folder: Path) -> Path:
    """A random SDXL-style inpainting pipeline saved to `folder` (paints at 64 px)."""
    tiny_sdxl_inpaint_pipeline().save_pretrained(folder)
    return folder


def build_tiny_clip(folder: Path) -> Path:
    """A random CLIP with its processor saved to `folder`."""
    model, processor = tiny_clip()
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


def _built_once(build: Callable[[Path], Path], name: str):
    """A session fixture called `name`, built once even when several modules import it.

    Modules import it as `<name>_fixture` (unused by that name, hence `noqa: F401`)
    and ask for `name` as an argument, which keeps linters from seeing a redefinition.
    """

    @pytest.fixture(scope="session", name=name)
    def fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
        folder = tmp_path_factory.getbasetemp() / name
        if not (folder / "done").exists():
            build(folder)
            (folder / "done").touch()
        return folder

    return fixture


tiny_sd_inpaint_fixture = _built_once(build_tiny_sd_inpaint, "tiny_sd_inpaint")
tiny_sdxl_inpaint_fixture = _built_once(build_tiny_sdxl_inpaint, "tiny_sdxl_inpaint")
tiny_clip_fixture = _built_once(build_tiny_clip, "tiny_clip")
