"""Cutting the product out of its photo: a rembg model or GrabCut, refined, checked, matted."""

from inference.segmentation.segmenter import (
    Segmenter,
    UnsureCutout,
    analysis_copy,
    load_segmenter,
)

__all__ = ["Segmenter", "UnsureCutout", "analysis_copy", "load_segmenter"]
