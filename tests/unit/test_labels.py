"""Product labels: CLIP zero-shot over the catalogue, optional without weights."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog import catalog
from inference.engine import EngineUnavailable
from inference.labeler import ProductLabeler
from tests.support.photos import ring_photo


def test_a_loaded_clip_names_a_catalogue_category(tiny_clip: Path):
    labeler = ProductLabeler.load(str(tiny_clip), "cpu", local_files_only=True, min_confidence=0)
    assert labeler.text_features.shape == (len(catalog().categories), 32)
    assert labeler.label(ring_photo(64)) in catalog().categories
    assert labeler.label(ring_photo(64).convert("L")) in catalog().categories, "any image mode"


def test_an_unsure_clip_gives_no_label(tiny_clip: Path):
    # A random CLIP spreads its belief over 29 categories: never 90% sure.
    labeler = ProductLabeler.load(str(tiny_clip), "cpu", True, min_confidence=0.9)
    assert labeler.label(ring_photo(64)) is None


def test_a_missing_model_says_what_to_download(tmp_path: Path):
    with pytest.raises(EngineUnavailable) as caught:
        ProductLabeler.load(str(tmp_path / "no-clip"), "cpu", True, 0.2)
    message = str(caught.value)
    assert "LABEL_MODEL" in message and "hf download" in message and "\n" not in message
