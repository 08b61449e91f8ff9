"""Photos are decoded to the tones they show, whatever their mode, and a transparent
background is the product's own mask."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from inference.decoding import decode
from inference.segmentation import Segmenter, UnsureCutout
from inference.segmentation.grabcut import GrabCutMasker


def reopened(image: Image.Image, format: str = "PNG", **options: object) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format, **options)
    buffer.seek(0)
    return Image.open(buffer)


def grey_product_16_bit() -> np.ndarray:
    """A mid-grey square on a darker ground, in 16-bit samples."""
    values = np.full((96, 96), 12000, np.uint16)
    values[24:72, 24:72] = 40000
    return values


def test_a_16_bit_png_keeps_its_real_tones():
    photo = reopened(Image.fromarray(grey_product_16_bit()))
    assert photo.mode == "I;16"
    decoded = decode(photo)
    assert decoded.rgb.dtype == np.uint8 and decoded.rgb.shape == (96, 96, 3)
    assert decoded.rgb[48, 48].tolist() == [156, 156, 156]  # 40000 / 257, not clipped
    assert decoded.rgb[5, 5].tolist() == [47, 47, 47]
    assert decoded.alpha is None


def test_a_16_bit_product_is_not_cut_out_white():
    photo = reopened(Image.fromarray(grey_product_16_bit()))
    cutout = Segmenter(GrabCutMasker()).cut(photo)
    inside = cutout.alpha >= 1.0
    assert inside[40:56, 40:56].all()
    assert np.array_equal(cutout.foreground[inside], np.full((int(inside.sum()), 3), 156.0))


@pytest.mark.parametrize(
    ("mode", "values", "expected"),
    [
        ("I", np.full((4, 4), 65535, np.int32), 255),  # a 16-bit range in 32 bits
        ("I", np.full((4, 4), 128, np.int32), 128),  # an 8-bit range in 32 bits
        ("F", np.full((4, 4), 0.5, np.float32), 128),  # 0–1 floats
    ],
)
def test_wide_integer_and_float_modes_are_scaled_by_their_range(mode, values, expected):
    photo = Image.fromarray(values, mode)
    assert decode(photo).rgb[0, 0].tolist() == [expected] * 3


def test_grey_palette_and_cmyk_photos_become_rgb():
    grey = Image.fromarray(np.full((8, 8), 77, np.uint8))
    assert decode(grey).rgb[0, 0].tolist() == [77, 77, 77]
    palette = Image.fromarray(np.full((8, 8, 3), (200, 30, 60), np.uint8)).quantize(4)
    assert decode(palette).rgb[0, 0].tolist() == [200, 30, 60]
    cyan = Image.new("CMYK", (8, 8), (255, 0, 0, 0))
    assert decode(reopened(cyan, "JPEG", quality=95)).rgb[4, 4].tolist() == pytest.approx(
        [0, 255, 255], abs=3
    )


def test_an_exif_rotated_photo_is_decoded_upright():
    tall = np.zeros((40, 20, 3), np.uint8)
    tall[:10] = 255  # white at the top of the upright picture
    stored = Image.fromarray(np.rot90(tall, k=1).copy())  # stored lying on its side
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    photo = reopened(stored, "JPEG", quality=95, exif=exif)
    rgb = decode(photo).rgb
    assert rgb.shape == (40, 20, 3)
    assert rgb[:8].mean() > 200 and rgb[12:].mean() < 40


def test_an_rgba_photo_with_a_transparent_background_brings_its_own_mask():
    rgba = np.zeros((64, 64, 4), np.uint8)
    rgba[16:48, 16:48] = (10, 200, 30, 255)
    rgba[15, 16:48, 3] = 128
    decoded = decode(reopened(Image.fromarray(rgba)))
    assert decoded.alpha is not None
    assert np.array_equal(np.rint(decoded.alpha * 255).astype(np.uint8), rgba[..., 3])


def test_an_opaque_rgba_photo_and_a_few_clear_pixels_are_cut_out_as_photos():
    rgba = np.full((64, 64, 4), 255, np.uint8)
    assert decode(Image.fromarray(rgba)).alpha is None
    rgba[0, :10, 3] = 0  # 10 of 4096 pixels: a stray edge, not a cut-out
    assert decode(Image.fromarray(rgba)).alpha is None


def test_a_palette_photo_with_a_transparent_colour_brings_its_own_mask():
    image = Image.new("P", (32, 32), 0)
    image.putpalette([255, 255, 255, 200, 40, 40] + [0] * 762)
    image.paste(1, (8, 8, 24, 24))
    image.info["transparency"] = 0
    alpha = decode(reopened(image)).alpha
    assert alpha is not None and alpha[16, 16] == 1.0 and alpha[2, 2] == 0.0


def test_a_picture_transparent_all_over_is_refused_in_one_line():
    empty = Image.fromarray(np.zeros((64, 64, 4), np.uint8))
    with pytest.raises(UnsureCutout) as raised:
        Segmenter(GrabCutMasker()).cut(empty)
    assert "\n" not in str(raised.value) and "transparent" in str(raised.value)
