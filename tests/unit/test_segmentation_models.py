"""Which model cuts out: `auto` picks the strongest present where it pays, every name
and file loads through rembg's real sessions, and one line says which model serves."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bench.random_models import tiny_segmentation_onnx
from inference.devices import onnx_providers
from inference.segmentation import load_segmenter
from inference.segmentation.models import choose_model
from tests.support.models import engine_settings, requires_u2netp
from tests.support.photos import ring_photo


@pytest.fixture(scope="module")
def tiny_onnx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("onnx") / "tiny.onnx"
    tiny_segmentation_onnx(path)
    return path


def models_with(folder: Path, tiny_onnx: Path, *names: str) -> Path:
    for name in names:
        (folder / f"{name}.onnx").write_bytes(tiny_onnx.read_bytes())
    return folder


@pytest.mark.parametrize(
    ("present", "device", "chosen"),
    [
        (("birefnet-general", "isnet-general-use", "u2netp"), "cuda", "birefnet-general"),
        (("isnet-general-use", "u2netp"), "cuda", "isnet-general-use"),
        (("u2netp",), "cuda", "u2netp"),
        (("birefnet-general", "u2netp"), "cpu", "u2netp"),  # 1024 px models cost seconds on a CPU
    ],
)
def test_auto_takes_the_strongest_model_present_where_it_pays(
    tmp_path: Path, tiny_onnx: Path, present, device, chosen
):
    folder = models_with(tmp_path, tiny_onnx, *present)
    settings = engine_settings(tmp_path, models_dir=folder, segmentation_model="auto")
    choice = choose_model(settings, device)
    assert (choice.name, choice.file) == (chosen, folder / f"{chosen}.onnx")


@pytest.mark.parametrize("name", ["birefnet-general", "isnet-general-use"])
def test_a_1024_px_model_loads_through_its_rembg_session_and_cuts(
    tmp_path: Path, tiny_onnx: Path, caplog: pytest.LogCaptureFixture, name: str
):
    folder = models_with(tmp_path, tiny_onnx, name)
    settings = engine_settings(tmp_path, models_dir=folder, segmentation_model=name)
    with caplog.at_level(logging.INFO, logger="inference"):
        segmenter = load_segmenter(settings, "cpu")
    assert segmenter.name == name
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("cutting")]
    assert line == f"cutting out with {name} on cpu (CPUExecutionProvider)"
    cutout = segmenter.cut(ring_photo(128))
    assert cutout.alpha.shape == (128, 128) and 0 < cutout.alpha.mean() < 1


def test_a_local_isnet_file_is_read_with_isnets_preprocessing(tmp_path: Path, tiny_onnx: Path):
    path = tmp_path / "catalogue-isnet-finetuned.onnx"
    path.write_bytes(tiny_onnx.read_bytes())
    settings = engine_settings(tmp_path, segmentation_model=str(path))
    assert choose_model(settings, "cpu").session == "dis_custom"
    assert load_segmenter(settings, "cpu").name == "catalogue-isnet-finetuned"


def test_a_session_that_would_send_the_photo_away_is_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    settings = engine_settings(tmp_path, segmentation_model="atlascloud")
    with caplog.at_level(logging.WARNING, logger="inference"):
        assert load_segmenter(settings, "cpu").name == "grabcut"
    assert "'atlascloud' is none of auto, birefnet-general" in caplog.records[0].getMessage()


@requires_u2netp
def test_auto_on_a_cpu_is_u2netp_at_its_reduced_side(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    settings = engine_settings(tmp_path, segmentation_model="auto")
    with caplog.at_level(logging.INFO, logger="inference"):
        assert load_segmenter(settings, "cpu").name == "u2netp"
    assert any(
        r.getMessage() == "cutting out with u2netp at 256 px on cpu (CPUExecutionProvider)"
        for r in caplog.records
    )


def test_a_gpu_worker_asks_onnxruntime_for_cuda_first(monkeypatch: pytest.MonkeyPatch):
    import onnxruntime

    available = ["CUDAExecutionProvider", "CPUExecutionProvider"]
    monkeypatch.setattr(onnxruntime, "get_available_providers", lambda: available)
    assert onnx_providers("cuda") == ["CUDAExecutionProvider", "CPUExecutionProvider"]
    assert onnx_providers("cpu") == ["CPUExecutionProvider"]
    monkeypatch.setattr(onnxruntime, "get_available_providers", lambda: ["CPUExecutionProvider"])
    assert onnx_providers("cuda") == ["CPUExecutionProvider"]
