"""The catalogue's product categories, shared by the labeller (worker) and the
suggestions (bot): an id each, with the words a CLIP model reads it by."""

from __future__ import annotations

CATEGORIES: dict[str, str] = {
    "sofa": "sofa",
    "chair": "chair or armchair",
    "shelf": "shelf or bookcase",
    "textile": "rug, curtain or cushion",
    "table": "table",
    "bed": "bed",
    "wardrobe": "wardrobe",
    "lamp": "lamp",
    "chandelier": "chandelier",
    "faucet": "faucet",
    "sink": "sink",
    "bathtub": "bathtub",
    "toilet": "toilet",
    "mirror": "mirror",
    "kitchen": "kitchen cabinet",
    "appliance": "household appliance",
    "tile": "ceramic tile",
    "paint": "can of paint",
    "wallpaper": "roll of wallpaper",
    "flooring": "flooring planks",
    "door": "door",
    "window": "window",
    "tool": "tool",
    "plant": "potted plant",
    "decor": "home decor item",
}
