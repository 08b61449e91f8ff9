"""Cutting the product out of its photo: a rembg model or GrabCut, then matting."""

from inference.segmentation.segmenter import Segmenter, load_segmenter

__all__ = ["Segmenter", "load_segmenter"]
