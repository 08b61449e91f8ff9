"""Cutting the product out of its photo: a rembg model or GrabCut, refined, checked, matted."""

from catalog.cutouts import CutoutChoice
from inference.segmentation.preview import checkerboard_preview
from inference.segmentation.segmenter import (
    Segmenter,
    UnsureCutout,
    analysis_copy,
    load_segmenter,
)

__all__ = [
    "CutoutChoice",
    "Segmenter",
    "UnsureCutout",
    "analysis_copy",
    "checkerboard_preview",
    "load_segmenter",
]
