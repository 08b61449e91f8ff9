"""The diffusion engine: SD 1.5 / SDXL inpainting paints the scene around the product."""

from inference.diffusion.engine import DiffusionEngine, DiffusionOptions

__all__ = ["DiffusionEngine", "DiffusionOptions"]
