"""Cut-out quality on the evaluation set (bench.cutout_set), one CPU core.

    python -m bench.cutout_quality [--set tuning|held-out|...|held-out-4|all]
                                   [--only NAME,...] [--out FILE] [--core 0]

For each product photo, three masks against its ground truth (all thresholded at
one half, at the photo's full size):

- raw: the segmentation model's own mask (u2netp at SEGMENTATION_SIDE), enlarged;
- grabcut: the classical fallback's own mask (inference.segmentation.grabcut), enlarged;
- refined: Vitrina's cut-out (`Segmenter.cut`: refinement, plausibility, fallback,
  matting). A refused photo (UnsureCutout) scores 0: the user got no image.

Reported per product and per set: IoU, boundary F-measure (boundary pixels within
BOUNDARY_PX pixels of the truth's, at full size), and seconds per image on one core
(CPU time of this process, which the pinning makes one core's). One JSON document is
printed, and written to --out.
"""

from __future__ import annotations

import os

# Before numpy, OpenCV and onnxruntime are imported: their thread pools size themselves
# from these at import (rembg sizes its onnxruntime session from OMP_NUM_THREADS).
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from bench.cutout_set import CATALOGUE, SETS, Sample, evaluation_set  # noqa: E402
from bench.studio_cpu import cpu_model  # noqa: E402
from inference.segmentation import (  # noqa: E402
    Segmenter,
    UnsureCutout,
    analysis_copy,
    load_segmenter,
)
from inference.segmentation.grabcut import GrabCutMasker  # noqa: E402
from settings import Settings  # noqa: E402

BOUNDARY_PX = 2


def iou(mask: np.ndarray, truth: np.ndarray) -> float:
    union = int((mask | truth).sum())
    return float((mask & truth).sum() / union) if union else 1.0


def outline(mask: np.ndarray) -> np.ndarray:
    solid = mask.astype(np.uint8)
    return (solid - cv2.erode(solid, np.ones((3, 3), np.uint8))).astype(bool)


def boundary_f(mask: np.ndarray, truth: np.ndarray, tolerance: float = BOUNDARY_PX) -> float:
    """F-measure of the outlines' pixels matched within `tolerance` pixels."""
    found, true = outline(mask), outline(truth)
    if not found.any() or not true.any():
        return float(found.any() == true.any())
    to_true = cv2.distanceTransform((~true).astype(np.uint8), cv2.DIST_L2, 3)
    to_found = cv2.distanceTransform((~found).astype(np.uint8), cv2.DIST_L2, 3)
    precision = float((to_true[found] <= tolerance).mean())
    recall = float((to_found[true] <= tolerance).mean())
    return 2 * precision * recall / max(precision + recall, 1e-9)


def cpu_seconds(action: Callable[[], object]) -> tuple[object, float]:
    started = time.process_time()
    result = action()
    return result, time.process_time() - started


def scored(mask: np.ndarray, truth: np.ndarray, seconds: float) -> dict[str, float]:
    return {
        "iou": round(iou(mask, truth), 4),
        "boundary_f": round(boundary_f(mask, truth), 4),
        "seconds": round(seconds, 3),
    }


def enlarged(coarse: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    size = (shape[1], shape[0])
    return cv2.resize(coarse.astype(np.float32), size, interpolation=cv2.INTER_LINEAR) >= 0.5


def measure(sample: Sample, segmenter: Segmenter) -> dict[str, object]:
    """The three masks of one photo, scored and timed."""
    truth, shape = sample.alpha >= 0.5, sample.alpha.shape
    analysed = analysis_copy(sample.photo)
    raw, raw_s = cpu_seconds(lambda: segmenter.masker.coarse_mask(analysed))
    grab, grab_s = cpu_seconds(lambda: GrabCutMasker().coarse_mask(analysed))
    row: dict[str, object] = {"name": sample.name, "tags": list(sample.tags)}
    row["raw"] = scored(enlarged(raw, shape), truth, raw_s)
    row["grabcut"] = scored(enlarged(grab, shape), truth, grab_s)
    started = time.process_time()
    try:
        cutout = segmenter.cut(Image.fromarray(sample.photo))
        refined, doubt, refused = cutout.alpha >= 0.5, cutout.doubt, None
    except UnsureCutout as error:
        refined, doubt, refused = np.zeros_like(truth), None, str(error)
    row["refined"] = scored(refined, truth, time.process_time() - started)
    row["refined"] |= {"doubt": doubt, "refused": refused}
    return row


def summary(rows: list[dict[str, object]]) -> dict[str, dict[str, float]]:
    result = {}
    for method in ("raw", "grabcut", "refined"):
        scores = [row[method] for row in rows]
        ious = [s["iou"] for s in scores]
        result[method] = {
            "mean_iou": round(statistics.fmean(ious), 4),
            "min_iou": round(min(ious), 4),
            "mean_boundary_f": round(statistics.fmean(s["boundary_f"] for s in scores), 4),
            "median_s": round(statistics.median(s["seconds"] for s in scores), 3),
        }
    result["refined"]["refused"] = sum(row["refined"]["refused"] is not None for row in rows)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=[*SETS, "all"], default="all")
    parser.add_argument("--only", help=f"comma-separated names from: {', '.join(CATALOGUE)}")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--core", type=int, default=0)
    args = parser.parse_args()
    os.sched_setaffinity(0, {args.core})
    cv2.setNumThreads(1)
    names = args.only.split(",") if args.only else None
    unknown = sorted(set(names or []) - set(CATALOGUE))
    if unknown:
        parser.error(f"unknown products: {', '.join(unknown)}")

    segmenter = load_segmenter(Settings(_env_file=None), "cpu")
    warm = evaluation_set(products=names[:1] if names else ["ring_on_wood"])[0]
    measure(warm, segmenter)  # the first call pays for lazy initialisation
    report: dict[str, object] = {
        "machine": f"{cpu_model()}, {os.cpu_count()} cores, pinned to core {args.core}",
        "date": datetime.datetime.now().isoformat(timespec="minutes"),
        "segmenter": segmenter.name,
        "boundary_tolerance_px": BOUNDARY_PX,
    }
    for name in list(SETS) if args.set == "all" else [args.set]:
        rows = [measure(item, segmenter) for item in evaluation_set(name, names)]
        report[name] = {"seed": SETS[name], "summary": summary(rows), "products": rows}
    report["load_average"] = [round(load, 2) for load in os.getloadavg()]
    text = json.dumps(report, indent=2)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
