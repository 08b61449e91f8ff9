"""The hostile-input corpus through `vitrina generate` as a real process: a bad file
exits non-zero with one friendly line and writes nothing; the others all come out, an
animation from its first frame (and says so), a phone photo upright."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.support.corpus import UPRIGHT_SIZE, corpus
from tests.support.services import MODELS_DIR

REASONS = {
    "zero-byte": "the file is empty",
    "truncated-jpeg": "the image is damaged and cannot be read",
    "text-named-jpg": "not an image",
    "decompression-bomb": "over 50 megapixels",
    "huge-dimensions": "the picture is 9000×6000 px, over 50 megapixels",
    "svg": "SVG is a vector drawing",
    "heic": "HEIC images cannot be read here",
}


def vitrina(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ENGINE", "DEVICE"))},
        "MODELS_DIR": str(MODELS_DIR),
        "ENGINE": "studio",
        "DEVICE": "cpu",
    }
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    for s in corpus():
        (folder / s.file_name).write_bytes(s.data)
    return folder


@pytest.mark.parametrize("name", sorted(REASONS))
def test_a_bad_file_is_refused_in_one_line(workdir: Path, name: str):
    [s] = [s for s in corpus() if s.name == name]
    done = vitrina(workdir, "generate", s.file_name, "--style", "loft", "--out", f"out-{name}")
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"vitrina generate: {s.file_name}: ") and REASONS[name] in line
    assert "Traceback" not in done.stderr
    assert not (workdir / f"out-{name}").exists()


def test_every_usable_file_comes_out(workdir: Path):
    usable = [s for s in corpus() if s.outcome == "accepted"]
    names = [s.file_name for s in usable]
    done = vitrina(workdir, "generate", *names, "--style", "studio-white", "--out", "out", "--json")
    assert done.returncode == 0, done.stderr
    records = {Path(r["input"]).name: r for r in map(json.loads, done.stdout.splitlines())}
    assert list(records) == names
    for s in usable:
        record = records[s.file_name]
        assert (record["frames"] > 1) == s.animated
        with Image.open(workdir / record["outputs"][0]) as output:
            assert output.format == "PNG"
        with Image.open(workdir / record["mask"]) as mask:
            assert mask.mode == "L"
    for s in usable:
        if s.animated:
            frames = records[s.file_name]["frames"]
            assert frames > 1
            note = f"vitrina generate: {s.file_name}: an animation of {frames} frames; "
            assert note + "the first frame is used" in done.stderr


def test_a_phone_photo_comes_out_upright(workdir: Path):
    done = vitrina(
        workdir, "generate", "phone.jpg", "--style", "studio-white", "--out", "up", "--json"
    )
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    with Image.open(workdir / record["outputs"][0]) as output:
        image = output.convert("RGB")
    assert image.size == UPRIGHT_SIZE
    width, height = image.size
    # The product is kept as photographed: its red body above, its dark base below.
    body = image.getpixel((width // 2, int(height * 0.45)))
    base = image.getpixel((width // 2, int(height * 0.75)))
    assert body[0] > 150 and body[1] < 90, body
    assert sum(base) < 200, base
