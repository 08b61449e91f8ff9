"""The intake decides from the header before decoding: each kind of bad file gets its
reason, and good ones of every kind are taken."""

from __future__ import annotations

import pytest
from PIL import Image

from inference import intake
from tests.support.corpus import blank_png, corpus, sample


@pytest.mark.parametrize("s", corpus(), ids=lambda s: s.name)
def test_each_file_of_the_corpus(s):
    if s.outcome == "refused":
        with pytest.raises(intake.UnusableImage) as refusal:
            intake.inspect(s.data, min_side=64)
        assert refusal.value.reason == s.reason
        assert "\n" not in str(refusal.value), "one line for the command line"
    else:
        inspected = intake.inspect(s.data, min_side=64)
        assert inspected.animated == s.animated


def test_pixels_are_refused_from_the_header_before_any_decoding(monkeypatch):
    def no_decoding(*args, **kwargs):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    monkeypatch.setattr(intake, "_decode_first_frame", no_decoding)
    with pytest.raises(intake.UnusableImage) as refusal:
        intake.inspect(blank_png(8_000, 7_000))
    assert refusal.value.reason == "too-many-pixels" and "8000×7000" in str(refusal.value)


def test_the_pixel_limit_is_the_callers():
    assert intake.inspect(blank_png(300, 200), max_pixels=60_000).width == 300
    with pytest.raises(intake.UnusableImage):
        intake.inspect(blank_png(300, 201), max_pixels=60_000)


def test_other_formats_are_named():
    import io

    buffer = io.BytesIO()
    Image.new("RGB", (80, 80)).save(buffer, "TIFF")
    with pytest.raises(intake.UnusableImage) as refusal:
        intake.inspect(buffer.getvalue())
    assert refusal.value.reason == "unsupported-format"
    assert refusal.value.details == {"format": "TIFF"}


def test_avif_without_its_decoder_is_refused_like_heic(monkeypatch):
    monkeypatch.setattr(intake, "_has_decoder", lambda fmt: False)
    with pytest.raises(intake.UnusableImage) as refusal:
        intake.inspect(sample("avif").data)
    assert (refusal.value.reason, refusal.value.details) == ("no-decoder", {"format": "AVIF"})


def test_too_small():
    with pytest.raises(intake.UnusableImage) as refusal:
        intake.inspect(blank_png(40, 400), min_side=64)
    assert refusal.value.reason == "too-small" and refusal.value.details == {"min": 64}
