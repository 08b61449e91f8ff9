"""`vitrina generate`: product photos in, marketing images out, as DESIGN.md's contract says.

vitrina generate IMAGE... --style STYLE [--count N] [--prompt TEXT]
                 [--engine studio|diffusion] [--seed S] [--canvas WxH]
                 [--cutout auto|holes_filled|tighter|looser|grabcut] --out DIR [--json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from catalog import style_ids
from catalog.cutouts import CutoutChoice
from inference.engine import ENGINE_NAMES, GenerationRequest, InvalidRequest
from inference.intake import UnusableImage, inspect
from inference.worker.images import encode_png
from runtime.faults import fault_point
from settings import Settings

CANVAS_HELP = "WIDTHxHEIGHT or a preset: square, 1:1, 3:4, 16:9 (default: the input's size)"
# A product photo, even a 16-bit TIFF-sized PNG, is far below this; a larger file is a
# mistake, and reading it whole would cost its size in memory.
MAX_FILE_BYTES = 256 * 1024 * 1024


class BadInput(ValueError):
    """Something on the command line cannot be used; the message is the one-line reason."""


@dataclass(frozen=True)
class Input:
    path: Path
    image: Image.Image  # upright (EXIF rotation applied), the first frame of an animation
    name: str  # the output files' stem, unique among the inputs
    frames: int  # above 1: an animation, of which the first frame is used


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="turn product photos into marketing images (PNG files)",
        description="Writes COUNT images per input and its 8-bit product mask into DIR.",
    )
    parser.add_argument(
        "images", nargs="+", metavar="IMAGE", type=Path, help="JPEG/PNG/WEBP (GIF: first frame)"
    )
    parser.add_argument("--style", required=True, help=f"one of: {', '.join(style_ids())}")
    parser.add_argument("--count", type=int, default=1, help="images per input (default 1)")
    parser.add_argument("--prompt", help="scene description in English (default: the style's)")
    parser.add_argument(
        "--engine", help=f"{' or '.join(ENGINE_NAMES)} (default: the ENGINE setting)"
    )
    parser.add_argument("--seed", type=int, default=0, help="first seed; variations use S+1…")
    parser.add_argument("--canvas", help=CANVAS_HELP)
    parser.add_argument(
        "--cutout",
        type=CutoutChoice,
        choices=list(CutoutChoice),
        default=CutoutChoice.AUTO,
        help="how to cut the product out (default auto; any other is never refused as "
        "implausible, only when nothing is left)",
    )
    parser.add_argument("--out", required=True, type=Path, metavar="DIR")
    parser.add_argument("--json", action="store_true", help="one JSON object per input")
    parser.set_defaults(func=generate, quiet_log_level="WARNING")


def generate(args: argparse.Namespace) -> int:
    settings = Settings()
    try:
        from inference.engine_set import EngineSet
    except ModuleNotFoundError as missing:
        print(f"vitrina generate: {missing_image_libraries(missing)}", file=sys.stderr)
        return 1
    try:
        requests = _requests(args, settings)
    except BadInput as error:
        print(f"vitrina generate: {error}", file=sys.stderr)
        return 2

    # Diffusion is loaded only when it will be used; product labels never are here.
    update = {"engine": args.engine or settings.engine, "label_model": ""}
    engines = EngineSet.load(settings.model_copy(update=update))
    if args.engine == "diffusion" and "diffusion" not in engines.available():
        print(f"vitrina generate: {engines.diffusion_error}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    status = 0
    for source, _ in requests:
        if source.frames > 1:
            print(
                f"vitrina generate: {source.path}: an animation of {source.frames} frames; "
                "the first frame is used",
                file=sys.stderr,
            )
    for source, request in requests:
        started = time.perf_counter()
        try:
            result = engines.generate_batch([request])[0]
        except InvalidRequest as error:  # e.g. no believable cut-out: say so, go on
            print(f"vitrina generate: {source.path}: {error}", file=sys.stderr)
            status = 1
            continue
        outputs = [args.out / f"{source.name}-{i + 1}.png" for i in range(len(result.images))]
        mask = args.out / f"{source.name}-mask.png"
        for image, path in zip([*result.images, result.mask], [*outputs, mask], strict=True):
            write_png(image, path)
        if args.json:
            record = {
                "input": str(source.path),
                "outputs": [str(path) for path in outputs],
                "mask": str(mask),
                "engine": result.engine,
                "style": request.style,
                "frames": source.frames,
                "seconds": round(time.perf_counter() - started, 3),
            }
            print(json.dumps(record, ensure_ascii=False), flush=True)
    return status


def write_png(image: Image.Image, path: Path) -> None:
    """Whole or not at all: a run killed while writing leaves a `.part` file beside it,
    never a truncated PNG under an output's name. Encoded as the service stores its
    results (lossless, zlib's fastest level)."""
    part = path.with_name(f"{path.name}.part")
    part.write_bytes(encode_png(image))
    fault_point("generate.before_rename")
    os.replace(part, path)


def missing_image_libraries(error: ModuleNotFoundError) -> str:
    """One line for a machine with the app's dependencies only (the bot and panel image)."""
    return (
        f"the image libraries are not installed ({error.name} is missing); "
        "install them with `pip install 'vitrina[worker]'`"
    )


def _requests(args: argparse.Namespace, settings: Settings) -> list[tuple[Input, object]]:
    """Every input opened and every option checked before any model is loaded."""
    from inference.canvas import parse_canvas
    from inference.checks import check_request

    if args.engine is not None and args.engine not in ENGINE_NAMES:
        raise BadInput(f"--engine must be {' or '.join(ENGINE_NAMES)}, got {args.engine!r}")
    try:
        canvas = parse_canvas(args.canvas) if args.canvas else None
    except ValueError as error:
        raise BadInput(str(error)) from None
    pairs = []
    for source in _inputs(args.images):
        request = GenerationRequest(
            image=source.image,
            style=args.style,
            count=args.count,
            prompt=args.prompt,
            seed=args.seed,
            canvas=canvas,
            engine=args.engine,
            cutout=args.cutout,
        )
        try:
            check_request(request, settings.max_images_per_job)
        except InvalidRequest as error:
            raise BadInput(f"{source.path}: {error}") from None
        pairs.append((source, request))
    return pairs


def _inputs(paths: list[Path]) -> list[Input]:
    inputs: list[Input] = []
    taken: set[str] = set()
    for path in paths:
        image, frames = _read(path)
        name = path.stem
        while name in taken:  # two inputs named alike must not overwrite each other
            name += "_"
        taken.add(name)
        inputs.append(Input(path=path, image=image, name=name, frames=frames))
    return inputs


def _read(path: Path) -> tuple[Image.Image, int]:
    """The photo upright as its owner sees it, and its frame count; checked the way the
    bot checks an upload (pixels capped from the header, before any decoding)."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise BadInput(f"{path}: the file is over {MAX_FILE_BYTES // 2**20} MB")
        data = path.read_bytes()
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BadInput(f"{path}: a folder, not an image") from None
    except OSError as error:
        raise BadInput(f"{path}: cannot be read ({error.strerror or error})") from None
    try:
        inspected = inspect(data)
    except UnusableImage as unusable:
        raise BadInput(f"{path}: {unusable}") from None
    image = Image.open(io.BytesIO(data))
    image.seek(0)
    image.load()
    return ImageOps.exif_transpose(image), inspected.frames
