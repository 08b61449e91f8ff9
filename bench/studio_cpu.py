"""The studio engine on one CPU core: seconds per 1024×1024 image, segmentation included.

    python -m bench.studio_cpu [--runs 10] [--core 0]

Pins itself to one core and one thread per library (onnxruntime, OpenCV, BLAS),
as `taskset -c 0` with OMP_NUM_THREADS=1 would, then times whole requests on a
synthetic 1024×1024 product photo after two warm-up runs.
"""

from __future__ import annotations

import os

# Before numpy, OpenCV and onnxruntime are imported: their thread pools size themselves
# from these at import (rembg sizes its onnxruntime session from OMP_NUM_THREADS).
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402

from bench.photos import product_photo  # noqa: E402
from inference.engine import GenerationRequest  # noqa: E402
from inference.segmentation.segmenter import load_segmenter  # noqa: E402
from inference.studio.engine import StudioEngine  # noqa: E402
from settings import Settings  # noqa: E402

SIDE = 1024


def timed(action: Callable[[], object], runs: int) -> dict[str, float]:
    """Median, 90th percentile and minimum wall seconds, and the median CPU seconds of
    this process: on a shared machine the CPU time shows the work without the waiting."""
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    ordered = sorted(wall)
    return {
        "median_s": round(statistics.median(ordered), 3),
        "p90_s": round(ordered[round(0.9 * (len(ordered) - 1))], 3),
        "min_s": round(ordered[0], 3),
        "cpu_median_s": round(statistics.median(cpu), 3),
    }


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--core", type=int, default=0)
    args = parser.parse_args()
    os.sched_setaffinity(0, {args.core})
    cv2.setNumThreads(1)

    settings = Settings(_env_file=None)
    segmenter = load_segmenter(settings, "cpu")
    engine = StudioEngine(segmenter, 4, settings.canvas_fill)
    photo = product_photo(SIDE)
    one = GenerationRequest(image=photo, style="minimal", count=1)
    four = GenerationRequest(image=photo, style="studio-white", count=4)
    for _ in range(2):
        engine.generate(one)

    results = {
        "machine": f"{cpu_model()}, {os.cpu_count()} cores, pinned to core {args.core}",
        "segmenter": f"{segmenter.name} at {settings.segmentation_side} px",
        "image": f"{SIDE}x{SIDE}",
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "cut_out_only": timed(lambda: segmenter.cut(photo), args.runs),
        "one_image_request": timed(lambda: engine.generate(one), args.runs),
        "four_image_request": timed(lambda: engine.generate(four), args.runs),
    }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
