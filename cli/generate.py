"""`vitrina generate`: product photos in, marketing images out, as DESIGN.md's contract says.

vitrina generate IMAGE... --style STYLE [--count N] [--prompt TEXT]
                 [--engine studio|diffusion] [--seed S] [--canvas WxH] --out DIR [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from catalog import style_ids
from inference.engine import ENGINE_NAMES, GenerationRequest, InvalidRequest
from settings import Settings

CANVAS_HELP = "WIDTHxHEIGHT or a preset: square, 1:1, 3:4, 16:9 (default: the input's size)"


class BadInput(ValueError):
    """Something on the command line cannot be used; the message is the one-line reason."""


@dataclass(frozen=True)
class Input:
    path: Path
    image: Image.Image
    name: str  # the output files' stem, unique among the inputs


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="turn product photos into marketing images (PNG files)",
        description="Writes COUNT images per input and its 8-bit product mask into DIR.",
    )
    parser.add_argument("images", nargs="+", metavar="IMAGE", type=Path, help="JPEG/PNG/WEBP")
    parser.add_argument("--style", required=True, help=f"one of: {', '.join(style_ids())}")
    parser.add_argument("--count", type=int, default=1, help="images per input (default 1)")
    parser.add_argument("--prompt", help="scene description in English (default: the style's)")
    parser.add_argument(
        "--engine", help=f"{' or '.join(ENGINE_NAMES)} (default: the ENGINE setting)"
    )
    parser.add_argument("--seed", type=int, default=0, help="first seed; variations use S+1…")
    parser.add_argument("--canvas", help=CANVAS_HELP)
    parser.add_argument("--out", required=True, type=Path, metavar="DIR")
    parser.add_argument("--json", action="store_true", help="one JSON object per input")
    parser.set_defaults(func=generate)


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
    for source, request in requests:
        started = time.perf_counter()
        try:
            result = engines.generate_batch([request])[0]
        except InvalidRequest as error:  # e.g. no believable cut-out: say so, go on
            print(f"vitrina generate: {source.path}: {error}", file=sys.stderr)
            status = 1
            continue
        outputs = [args.out / f"{source.name}-{i + 1}.png" for i in range(len(result.images))]
        for image, path in zip(result.images, outputs, strict=True):
            image.save(path)
        mask = args.out / f"{source.name}-mask.png"
        result.mask.save(mask)
        if args.json:
            record = {
                "input": str(source.path),
                "outputs": [str(path) for path in outputs],
                "mask": str(mask),
                "engine": result.engine,
                "style": request.style,
                "seconds": round(time.perf_counter() - started, 3),
            }
            print(json.dumps(record, ensure_ascii=False), flush=True)
    return status


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
        try:
            image = Image.open(path)
            image.load()
        except FileNotFoundError:
            raise BadInput(f"{path}: no such file") from None
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
            reason = str(error).splitlines()[0] if str(error) else "unreadable"
            raise BadInput(f"{path}: not a readable image ({reason})") from None
        name = path.stem
        while name in taken:  # two inputs named alike must not overwrite each other
            name += "_"
        taken.add(name)
        inputs.append(Input(path=path, image=image, name=name))
    return inputs
