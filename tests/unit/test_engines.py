"""EngineSet: what the worker gets, with and without diffusion weights."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from inference.engine import GenerationRequest, InvalidRequest
from inference.engine_set import EngineSet
from tests.support.models import engine_settings
from tests.support.photos import ring_photo


@pytest.fixture(scope="module")
def engines(tiny_sd_inpaint: Path, tiny_clip: Path) -> EngineSet:
    settings = engine_settings(
        Path(),
        engine="diffusion",
        diffusion_model=str(tiny_sd_inpaint),
        diffusion_steps=2,
        label_model=str(tiny_clip),
        label_min_confidence=0.0,
    )
    return EngineSet.load(settings)


def test_diffusion_serves_scenes_and_studio_the_marketplace_white(engines: EngineSet):
    assert engines.available() == ["studio", "diffusion"]
    assert engines.for_style("loft").name == "diffusion"
    assert engines.for_style("loft", "studio").name == "studio"
    assert engines.for_style("studio-white", "diffusion").name == "studio"
    with pytest.raises(InvalidRequest, match="unknown engine"):
        engines.for_style("loft", "dalle")


def test_a_batch_mixing_engines_comes_back_in_order(engines: EngineSet):
    requests = [
        GenerationRequest(image=ring_photo(80), style="studio-white", count=1),
        GenerationRequest(image=ring_photo(80), style="loft", count=2),
        GenerationRequest(image=ring_photo(80), style="nature", count=1, engine="studio"),
    ]
    results = engines.generate_batch(requests)
    assert [(r.engine, len(r.images)) for r in results] == [
        ("studio", 1),
        ("diffusion", 2),
        ("studio", 1),
    ]
    white = np.asarray(results[0].images[0])
    assert (white[0, 0] == 255).all()


def test_labels_come_from_the_loaded_clip(engines: EngineSet):
    assert isinstance(engines.label(ring_photo(64)), str)


def test_without_weights_one_line_says_what_to_do_and_studio_serves(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    settings = engine_settings(
        tmp_path,
        engine="diffusion",
        diffusion_model="vitrina-test/no-such-inpainting-model",
        label_model=str(tmp_path / "no-clip"),
    )
    with caplog.at_level(logging.WARNING, logger="inference"):
        engines = EngineSet.load(settings)
    diffusion_lines = [r.getMessage() for r in caplog.records if "diffusion" in r.getMessage()]
    assert len(diffusion_lines) == 1
    (line,) = diffusion_lines
    assert "DIFFUSION_MODEL" in line and "hf download vitrina-test/no-such" in line
    assert "\n" not in line and "Traceback" not in caplog.text
    assert engines.available() == ["studio"]
    assert engines.for_style("loft", "diffusion").name == "studio"
    assert engines.label(ring_photo(64)) is None
    request = GenerationRequest(image=ring_photo(64), style="loft")
    assert engines.for_style("loft").generate_batch([request])[0].engine == "studio"


def test_an_absent_gpu_is_said_not_silently_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    settings = engine_settings(tmp_path, device="cuda", engine="diffusion", label_model="")
    with caplog.at_level(logging.WARNING, logger="inference"):
        engines = EngineSet.load(settings)
    assert "DEVICE=cuda" in caplog.text
    assert engines.available() == ["studio"]
    assert "DEVICE=cuda" in engines.diffusion_error
