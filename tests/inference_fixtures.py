"""Shared fixtures of the inference tests: synthetic product photos and tiny models.

The tiny SD 1.5 inpainting, SDXL inpainting and CLIP models have random weights
and are written with `save_pretrained` into a session folder, then loaded by the
very `from_pretrained(..., local_files_only=True)` path production uses. Their
pictures are noise, but every tensor shape, dtype and call is the real one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from settings import Settings
from tests.conftest import REPO_ROOT

U2NETP = REPO_ROOT / "var" / "models" / "u2netp.onnx"
# The backdrop and product colours of the synthetic photos.
BLUE = (40, 90, 200)
ORANGE = (230, 120, 30)
WHITE = (255, 255, 255)
# Stable Diffusion's noise schedule, as its scheduler configs publish it.
SD_BETAS = {"beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear"}

requires_u2netp = pytest.mark.skipif(
    not U2NETP.is_file(),
    reason=f"{U2NETP} is absent: `python -m inference.fetch_u2netp var/models` places it",
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


def byte_level_clip_tokenizer(max_length: int = 77) -> object:
    """A CLIP tokenizer built in code: the 256 byte-level symbols, no merges."""
    from tokenizers.pre_tokenizers import ByteLevel
    from transformers import CLIPTokenizer

    symbols = sorted(ByteLevel.alphabet())
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for symbol in symbols:
        vocab[symbol] = len(vocab)
        vocab[symbol + "</w>"] = len(vocab)
    return CLIPTokenizer(vocab=vocab, merges=[], model_max_length=max_length)


def _text_config(**overrides: object) -> object:
    from transformers import CLIPTextConfig

    values = dict(
        vocab_size=600,
        hidden_size=32,
        intermediate_size=37,
        num_attention_heads=4,
        num_hidden_layers=2,
        max_position_embeddings=77,
        bos_token_id=0,
        eos_token_id=1,
        pad_token_id=1,
        projection_dim=32,
    )
    return CLIPTextConfig(**{**values, **overrides})


def _tiny_vae() -> object:
    from diffusers import AutoencoderKL

    return AutoencoderKL(
        block_out_channels=(16, 32),
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
        latent_channels=4,
        norm_num_groups=8,
        sample_size=64,
    )


def _tiny_unet(**overrides: object) -> object:
    from diffusers import UNet2DConditionModel

    values = dict(
        block_out_channels=(16, 32),
        layers_per_block=1,
        sample_size=32,
        in_channels=9,  # latents, mask, masked-image latents: a real inpainting UNet
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
        attention_head_dim=4,
        norm_num_groups=8,
    )
    return UNet2DConditionModel(**{**values, **overrides})


def build_tiny_sd_inpaint(folder: Path) -> Path:
    """A random SD 1.5-style inpainting pipeline saved to `folder` (paints at 64 px)."""
    import torch
    from diffusers import DDIMScheduler, StableDiffusionInpaintPipeline
    from transformers import CLIPTextModel

    torch.manual_seed(0)
    pipeline = StableDiffusionInpaintPipeline(
        vae=_tiny_vae(),
        text_encoder=CLIPTextModel(_text_config()),
        tokenizer=byte_level_clip_tokenizer(),
        unet=_tiny_unet(),
        scheduler=DDIMScheduler(**SD_BETAS, clip_sample=False, steps_offset=1),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipeline.save_pretrained(folder)
    return folder


def build_tiny_sdxl_inpaint(folder: Path) -> Path:
    """A random SDXL-style inpainting pipeline (two text encoders, micro-conditioning)."""
    import torch
    from diffusers import EulerDiscreteScheduler, StableDiffusionXLInpaintPipeline
    from transformers import CLIPTextModel, CLIPTextModelWithProjection

    torch.manual_seed(0)
    unet = _tiny_unet(
        cross_attention_dim=64,  # both encoders' hidden states side by side
        addition_embed_type="text_time",
        addition_time_embed_dim=8,
        projection_class_embeddings_input_dim=6 * 8 + 32,  # six size/crop ids + pooled text
        use_linear_projection=True,
    )
    pipeline = StableDiffusionXLInpaintPipeline(
        vae=_tiny_vae(),
        text_encoder=CLIPTextModel(_text_config()),
        text_encoder_2=CLIPTextModelWithProjection(_text_config()),
        tokenizer=byte_level_clip_tokenizer(),
        tokenizer_2=byte_level_clip_tokenizer(),
        unet=unet,
        scheduler=EulerDiscreteScheduler(**SD_BETAS, steps_offset=1),
        requires_aesthetics_score=False,
    )
    pipeline.save_pretrained(folder)
    return folder


def build_tiny_clip(folder: Path) -> Path:
    """A random CLIP with its processor (32 px images) saved to `folder`."""
    import torch
    from transformers import (
        CLIPConfig,
        CLIPImageProcessor,
        CLIPModel,
        CLIPProcessor,
        CLIPVisionConfig,
    )

    torch.manual_seed(0)
    vision = CLIPVisionConfig(
        hidden_size=32,
        intermediate_size=37,
        num_attention_heads=4,
        num_hidden_layers=2,
        image_size=32,
        patch_size=8,
        projection_dim=32,
    )
    config = CLIPConfig(
        text_config=_text_config().to_dict(), vision_config=vision.to_dict(), projection_dim=32
    )
    CLIPModel(config).save_pretrained(folder)
    image_processor = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size=32)
    tokenizer = byte_level_clip_tokenizer()
    CLIPProcessor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(folder)
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
