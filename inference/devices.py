"""Where the models run: the `device` setting resolved once, never a silent CPU fallback."""

from __future__ import annotations

import logging

from inference.engine import EngineUnavailable

log = logging.getLogger(__name__)

DEVICE_CHOICES = ("auto", "cpu", "cuda")


def resolve_device(setting: str) -> str:
    """ "cuda" or "cpu" for the `device` setting; an explicit "cuda" without a GPU is an error.

    Users of other tools complain that they fell back to the CPU silently and ran
    100x slower, so "cuda" asked for and not found stops the worker with a reason,
    and "auto" on a machine without a GPU says once that diffusion will be slow.
    """
    import torch

    if setting not in DEVICE_CHOICES:
        raise EngineUnavailable(f"DEVICE={setting!r} is not one of {', '.join(DEVICE_CHOICES)}")
    has_cuda = torch.cuda.is_available()
    if setting == "cuda" and not has_cuda:
        raise EngineUnavailable(
            "DEVICE=cuda but torch sees no CUDA GPU (torch "
            f"{torch.__version__}); install a CUDA build of torch or set DEVICE=cpu"
        )
    if setting == "cpu" or not has_cuda:
        return "cpu"
    return "cuda"


def torch_dtype_for(device: str) -> object:
    """fp16 on CUDA (half the memory, tensor cores), fp32 on CPU (fp16 is slow there)."""
    import torch

    return torch.float16 if device == "cuda" else torch.float32


def onnx_providers(device: str) -> list[str]:
    """onnxruntime providers for the segmentation model on this device."""
    import onnxruntime

    if device == "cuda" and "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    return ["CPUExecutionProvider"]
