"""The plain diffusers pipeline against Vitrina's worker path, on one card, in one run.

    python -m bench.gpu_diffusion            # full-size SD 1.5 inpainting, NVIDIA GPU
    python -m bench.gpu_diffusion --tiny     # the same script end to end on a CPU

Builds SD 1.5 inpainting's UNet, VAE and text encoder from their published
configs with random weights (nothing is downloaded; random weights cost exactly
what trained ones do) and measures at 512×512, 25 steps:

1. plain: StableDiffusionInpaintPipeline in fp16, one request per call, as its
   documentation shows it (with the same cut-out for its mask);
2. vitrina: the DiffusionEngine the worker runs (channels-last, fused QKV, SDPA,
   TF32, the cut-out, compositing and expansion check included), one request,
   then batches of several jobs in one UNet call;
3. vitrina + torch.compile of the UNet, at the best batch size.

Prints one JSON object: seconds per image, images per second at saturation, peak
GPU memory, the share of time spent inside the pipeline, and the speed-up.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image

from bench.photos import product_photo
from bench.random_models import sd15_inpaint_pipeline
from catalog import catalog
from inference.devices import onnx_providers
from inference.diffusion.engine import DiffusionEngine, DiffusionOptions, model_image, repaint_mask
from inference.diffusion.pipelines import prepare_pipeline
from inference.engine import GenerationRequest
from inference.segmentation.segmenter import Segmenter, load_segmenter
from settings import Settings

# Random weights paint NaNs now and then; diffusers' numpy-to-PIL step warns about them.
warnings.filterwarnings("ignore", "invalid value encountered in cast", RuntimeWarning)


@dataclass(frozen=True)
class Plan:
    side: int
    steps: int
    batches: tuple[int, ...]
    runs: int


FULL = Plan(side=512, steps=25, batches=(1, 4, 8, 16), runs=3)
TINY = Plan(side=64, steps=2, batches=(1, 2, 4), runs=2)


class TimedPipeline:
    """The pipeline, counting the seconds spent inside its calls."""

    def __init__(self, pipeline: object, sync: Callable[[], None]) -> None:
        self.pipeline, self.sync, self.seconds = pipeline, sync, 0.0

    def __getattr__(self, name: str) -> object:
        return getattr(self.pipeline, name)

    def __call__(self, **kwargs: object) -> object:
        self.sync()
        started = time.perf_counter()
        output = self.pipeline(**kwargs)
        self.sync()
        self.seconds += time.perf_counter() - started
        return output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="tiny random models, runs on CPU")
    parser.add_argument("--no-compile", action="store_true", help="skip the torch.compile run")
    parser.add_argument("--out", type=Path, help="also write the JSON here, after every phase")
    parser.add_argument("--runs", type=positive_int, help="timed runs per phase (median taken)")
    parser.add_argument("--batches", type=batch_sizes, help="jobs per UNet call, e.g. 1,4,8,16")
    args = parser.parse_args()
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu" and not args.tiny:
        raise SystemExit("the full-size benchmark needs an NVIDIA GPU; --tiny runs on a CPU")
    plan = TINY if args.tiny else FULL
    plan = replace(plan, runs=args.runs or plan.runs, batches=args.batches or plan.batches)
    dtype = torch.float16 if device == "cuda" else torch.float32
    memory = GpuMemory(device)

    # 1. Models with random weights, made directly on the device.
    started = time.perf_counter()
    with torch.device(device):
        pipeline = sd15_inpaint_pipeline(full=not args.tiny)
    if dtype != torch.float32:
        pipeline.to(dtype=dtype)
    pipeline.set_progress_bar_config(disable=True)
    report = {
        "device": torch.cuda.get_device_name() if device == "cuda" else "CPU",
        "torch": torch.__version__,
        "model": "tiny random SD-1.5-inpainting" if args.tiny else "SD 1.5 inpainting (random)",
        "size": plan.side,
        "steps": plan.steps,
        "build_s": round(time.perf_counter() - started, 1),
    }
    segmenter = load_segmenter(Settings(_env_file=None), device)
    photo = product_photo(plan.side)
    report["host"] = {
        "cpus": os.cpu_count(),
        "segmenter": segmenter.name,
        "onnxruntime": onnx_providers(device),
    }
    report["cpu_per_image"] = cpu_work(segmenter, photo, plan.runs)

    # 2. The plain pipeline, one request per call.
    report["plain"] = memory.measure(lambda: plain_pipeline(pipeline, segmenter, photo, plan))
    emit(report, args.out)

    # 3. Vitrina's engine: one request, then several jobs per UNet call.
    timed = TimedPipeline(prepare_pipeline(pipeline, device), memory.sync)
    engine = DiffusionEngine(timed, segmenter, engine_options(plan))
    report["vitrina"] = memory.measure(lambda: worker_path(engine, timed, photo, plan))
    emit(report, args.out)

    # 4. The same with the UNet compiled, at the batch size that served most. A compiler
    # failure is a result too: the figures measured so far stand.
    if device == "cuda" and not args.no_compile:
        best = report["vitrina"]["best_batch"]
        try:
            report["vitrina_compiled"] = memory.measure(
                lambda: compiled_path(engine, timed, photo, plan, best)
            )
        except Exception as error:  # any compiler error ends only this phase
            report["vitrina_compiled"] = {"failed": f"{type(error).__name__}: {error}"[:500]}
    emit(report, args.out, final=True)


def positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer")
    return int(text)


def batch_sizes(text: str) -> tuple[int, ...]:
    """Comma-separated jobs per UNet call, e.g. 1,4,8,16."""
    return tuple(positive_int(part) for part in text.split(","))


def emit(report: dict, out: Path | None, final: bool = False) -> None:
    """The report so far: a line per phase while running, the whole JSON at the end."""
    plain_rate = report["plain"]["images_per_s"]
    report["speedup"] = {
        name: round(report[name]["images_per_s"] / plain_rate, 2)
        for name in ("vitrina", "vitrina_compiled")
        if "images_per_s" in report.get(name, {})
    }
    if out is not None:
        out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2 if final else None), flush=True)


def cpu_work(segmenter: Segmenter, photo: Image.Image, runs: int) -> dict:
    """What each image costs the host outside the pipeline: the cut-out, and the
    re-segmentation of the expansion check (the engine runs them on a thread pool)."""
    pixels = np.asarray(photo.convert("RGB"))
    segmenter.cut(photo)  # warm-up
    return {
        "cut_s": rounded(timed_runs(lambda: segmenter.cut(photo), runs)),
        "recheck_s": rounded(timed_runs(lambda: segmenter.coarse_alpha(pixels), runs)),
    }


def engine_options(plan: Plan) -> DiffusionOptions:
    return DiffusionOptions(
        steps=plan.steps,
        guidance=7.5,
        max_count=max(plan.batches),
        canvas_fill=0.85,
        batch_images=max(plan.batches),
        # Random weights paint noise, which re-segments as anything: re-rolls would
        # measure chance. The expansion check itself still runs.
        max_expansion=1.0,
        rerolls=0,
    )


def plain_pipeline(pipeline: object, segmenter: object, photo: Image.Image, plan: Plan) -> dict:
    import torch

    size = (plan.side, plan.side)
    prompt = catalog().model_prompt("scandinavian", None)
    negative_prompt = catalog().negative_prompt("scandinavian")

    def one() -> None:
        # A plain user needs the product's mask too: the same cut-out, inside the timing.
        cutout = segmenter.cut(photo)
        pipeline(
            prompt=prompt,
            negative_prompt=negative_prompt,
            image=model_image(cutout, size),
            mask_image=repaint_mask(cutout.alpha, size, pipeline.vae_scale_factor),
            num_inference_steps=plan.steps,
            generator=torch.Generator("cpu").manual_seed(0),
        )

    one()  # warm-up
    seconds = timed_runs(one, plan.runs)
    return {"s_per_image": rounded(seconds), "images_per_s": rounded(1 / seconds)}


def worker_path(engine: DiffusionEngine, timed: TimedPipeline, photo: Image.Image, plan: Plan):
    sweep = {}
    for batch in plan.batches:
        sweep[batch] = run_batch(engine, timed, photo, plan, batch)
    best = max(sweep, key=lambda b: sweep[b]["images_per_s"])
    return {
        "s_per_image": sweep[1]["s_per_batch"],
        "images_per_s": sweep[best]["images_per_s"],
        "best_batch": best,
        "by_batch": sweep,
    }


def compiled_path(engine, timed, photo, plan, batch) -> dict:
    import torch

    pipeline = timed.pipeline
    pipeline.unet = torch.compile(pipeline.unet, fullgraph=True)
    started = time.perf_counter()
    run_batch(engine, timed, photo, Plan(plan.side, plan.steps, (batch,), runs=1), batch)
    compile_s = time.perf_counter() - started
    result = run_batch(engine, timed, photo, plan, batch)
    return {**result, "batch": batch, "compile_and_first_batch_s": round(compile_s, 1)}


def run_batch(engine, timed: TimedPipeline, photo: Image.Image, plan: Plan, batch: int) -> dict:
    requests = [
        GenerationRequest(image=photo, style="scandinavian", count=1, seed=job)
        for job in range(batch)
    ]
    engine.generate_batch(requests)  # warm-up (and cuDNN's algorithm search)
    timed.seconds = 0.0
    seconds = timed_runs(lambda: engine.generate_batch(requests), plan.runs)
    return {
        "s_per_batch": rounded(seconds),
        "images_per_s": rounded(batch / seconds),
        "pipeline_share": round(timed.seconds / (seconds * plan.runs), 3),
    }


def timed_runs(action: Callable[[], object], runs: int) -> float:
    """Median wall seconds of `runs` calls."""
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return float(np.median(seconds))


def rounded(value: float) -> float:
    return round(value, 4 if value < 1 else 2)


class GpuMemory:
    """Peak GPU memory of a phase (None on a CPU)."""

    def __init__(self, device: str) -> None:
        self.device = device

    def sync(self) -> None:
        if self.device == "cuda":
            import torch

            torch.cuda.synchronize()

    def measure(self, phase: Callable[[], dict]) -> dict:
        import torch

        if self.device != "cuda":
            return {**phase(), "peak_gpu_gib": None}
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        result = phase()
        return {**result, "peak_gpu_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2)}


if __name__ == "__main__":
    main()
