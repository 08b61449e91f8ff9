"""Loading the SD 1.5 / SDXL inpainting pipeline once, and making it fast on its device."""

from __future__ import annotations

import logging

from inference.devices import torch_dtype_for
from inference.engine import LOAD_ERRORS, EngineUnavailable

log = logging.getLogger(__name__)


def load_inpaint_pipeline(
    model: str, device: str, local_files_only: bool, compile_unet: bool = False
) -> object:
    """The inpainting pipeline for a hub id or a local folder, on `device`, ready to call.

    Raises EngineUnavailable with one line saying what to download and which setting
    to change when the model is not usable here.
    """
    from diffusers import (
        AutoPipelineForInpainting,
        StableDiffusionInpaintPipeline,
        StableDiffusionXLInpaintPipeline,
    )

    try:
        pipeline = AutoPipelineForInpainting.from_pretrained(
            model, dtype=torch_dtype_for(device), local_files_only=local_files_only
        )
    except LOAD_ERRORS as error:
        raise EngineUnavailable(missing_model_message(model, error)) from error
    if not isinstance(pipeline, StableDiffusionInpaintPipeline | StableDiffusionXLInpaintPipeline):
        raise EngineUnavailable(
            f"DIFFUSION_MODEL={model} is a {type(pipeline).__name__}; the diffusion engine "
            "paints with SD 1.5 or SDXL inpainting pipelines"
        )
    return prepare_pipeline(pipeline, device, compile_unet)


def missing_model_message(model: str, error: BaseException) -> str:
    reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return (
        f"diffusion model {model!r} cannot be loaded ({reason[:200]}); download it with "
        f"`hf download {model}` or point DIFFUSION_MODEL at a local folder of an SD 1.5 / "
        "SDXL inpainting pipeline (LOCAL_FILES_ONLY=false lets the worker download it)"
    )


def prepare_pipeline(pipeline: object, device: str, compile_unet: bool = False) -> object:
    """Moves the pipeline to `device` and applies what pays off there.

    On CUDA: TF32 matmuls, channels-last UNet and VAE (faster convolutions on tensor
    cores), fused QKV projections, and optionally torch.compile of the UNet (20–60 s
    of compiling per batch shape; pays off for a long-running worker). Attention is
    PyTorch's scaled_dot_product_attention, diffusers' default on torch 2.
    """
    import torch

    pipeline.to(device)
    pipeline.set_progress_bar_config(disable=True)
    if pipeline.vae.dtype == torch.float32:
        # force_upcast guards fp16 VAEs against overflow; on an fp32 VAE it only makes
        # SDXL re-cast the VAE (and log a warning) on every call.
        pipeline.vae.register_to_config(force_upcast=False)
    if device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.benchmark = True
        pipeline.unet.to(memory_format=torch.channels_last)
        pipeline.vae.to(memory_format=torch.channels_last)
        pipeline.fuse_qkv_projections()
        if compile_unet:
            pipeline.unet = torch.compile(pipeline.unet, fullgraph=True)
    return pipeline


def native_side(pipeline: object) -> int:
    """The side the model was trained at: 512 for SD 1.5, 1024 for SDXL."""
    return int(pipeline.unet.config.sample_size * pipeline.vae_scale_factor)


def size_multiple(pipeline: object) -> int:
    """Image sides must be multiples of this: the VAE's and the UNet's downsampling."""
    return int(pipeline.vae_scale_factor * 2 ** (len(pipeline.unet.config.block_out_channels) - 1))


def is_sdxl(pipeline: object) -> bool:
    from diffusers import StableDiffusionXLInpaintPipeline

    return isinstance(pipeline, StableDiffusionXLInpaintPipeline)
