"""`vitrina generate`: DESIGN.md's command-line contract."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cli.main import main
from tests.support.models import U2NETP
from tests.support.photos import ring_photo, white_box_photo


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder without a .env, models from the repo, the studio engine by default."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MODELS_DIR", str(U2NETP.parent))
    monkeypatch.setenv("ENGINE", "studio")
    monkeypatch.setenv("DEVICE", "cpu")
    ring_photo(120).save(tmp_path / "ring.jpg", quality=95)
    white_box_photo(100).save(tmp_path / "box.png")
    return tmp_path


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_writes_images_and_masks_and_reports_json(workdir: Path, capsys: pytest.CaptureFixture):
    argv = ["generate", "ring.jpg", "box.png", "--style", "minimal", "--count", "2"]
    assert main([*argv, "--out", "out", "--json", "--seed", "3"]) == 0
    records = json_lines(capsys.readouterr().out)
    assert [r["input"] for r in records] == ["ring.jpg", "box.png"]
    for record, size in zip(records, [(120, 120), (100, 100)], strict=True):
        assert record["engine"] == "studio" and record["style"] == "minimal"
        assert record["seconds"] > 0 and len(record["outputs"]) == 2
        for output in record["outputs"]:
            with Image.open(output) as image:
                assert image.format == "PNG" and image.size == size
        with Image.open(record["mask"]) as mask:
            assert mask.mode == "L" and mask.size == size
            assert set(np.unique(mask)) >= {0, 255}


def test_a_canvas_preset_sets_the_output_size(workdir: Path, capsys: pytest.CaptureFixture):
    argv = ["generate", "box.png", "--style", "studio-white", "--canvas", "3:4", "--out", "o"]
    assert main([*argv, "--json"]) == 0
    (record,) = json_lines(capsys.readouterr().out)
    with Image.open(record["outputs"][0]) as image:
        assert image.size == (900, 1200)


def test_the_cutout_choice_reaches_the_mask(workdir: Path, capsys: pytest.CaptureFixture):
    masks = {}
    for choice in ("auto", "holes_filled"):
        argv = ["generate", "ring.jpg", "--style", "minimal", "--cutout", choice]
        assert main([*argv, "--out", choice, "--json"]) == 0
        (record,) = json_lines(capsys.readouterr().out)
        with Image.open(record["mask"]) as mask:
            masks[choice] = np.asarray(mask)
    assert masks["auto"][60, 60] == 0 and masks["holes_filled"][60, 60] == 255


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        (["missing.jpg", "--style", "loft"], "missing.jpg: no such file"),
        (["notes.txt", "--style", "loft"], "notes.txt: not an image"),
        (["box.png", "--style", "baroque"], "unknown style 'baroque'"),
        (["box.png", "--style", "loft", "--count", "9"], "count must be 1–4"),
        (["box.png", "--style", "loft", "--canvas", "huge"], "is not WIDTHxHEIGHT"),
        (["box.png", "--style", "loft", "--engine", "dalle"], "--engine must be"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line(
    workdir: Path, capsys: pytest.CaptureFixture, extra: list[str], reason: str
):
    (workdir / "notes.txt").write_text("not an image")
    assert main(["generate", *extra, "--out", "out"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("vitrina generate: ") and reason in line
    assert not (workdir / "out").exists(), "nothing is written for bad input"


def test_diffusion_without_weights_is_refused_in_one_line(
    workdir: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("DIFFUSION_MODEL", str(workdir / "no-model"))
    argv = ["generate", "box.png", "--style", "loft", "--engine", "diffusion", "--out", "out"]
    assert main(argv) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("vitrina generate: diffusion model") and "DIFFUSION_MODEL" in last


def test_diffusion_with_a_local_model_folder(
    workdir: Path,
    capsys: pytest.CaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    tiny_sd_inpaint: Path,
):
    monkeypatch.setenv("DIFFUSION_MODEL", str(tiny_sd_inpaint))
    monkeypatch.setenv("DIFFUSION_STEPS", "2")
    argv = ["generate", "ring.jpg", "--style", "loft", "--engine", "diffusion", "--count", "2"]
    assert main([*argv, "--out", "out", "--json"]) == 0
    (record,) = json_lines(capsys.readouterr().out)
    assert record["engine"] == "diffusion" and len(record["outputs"]) == 2


def test_without_the_image_libraries_generate_says_what_to_install(workdir: Path):
    # The bot and panel image has no OpenCV or torch: a one-line reason, not a traceback.
    code = (
        "import sys; sys.modules['cv2'] = None; from cli.main import main; "
        "sys.exit(main(['generate', 'box.png', '--style', 'loft', '--out', 'out']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=workdir, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "vitrina generate: the image libraries are not installed (cv2 is missing); "
        "install them with `pip install 'vitrina[worker]'`"
    )


def test_a_run_killed_while_writing_leaves_no_truncated_image(workdir: Path):
    """An output is written whole under its name, or not at all."""
    argv = ["generate", "box.png", "--style", "minimal", "--out", "out"]
    env = {**os.environ, "VITRINA_FAULTS": "generate.before_rename=kill"}
    code = f"import sys; from cli.main import main; sys.exit(main({argv!r}))"
    done = subprocess.run([sys.executable, "-c", code], cwd=workdir, env=env, timeout=600)
    assert done.returncode == -signal.SIGKILL
    assert sorted(p.name for p in (workdir / "out").iterdir()) == ["box-1.png.part"]
    assert main(argv) == 0  # run again: whole images, nothing left over
    assert sorted(p.name for p in (workdir / "out").iterdir()) == ["box-1.png", "box-mask.png"]
