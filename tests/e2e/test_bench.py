"""The benchmark scripts run end to end on this machine (their figures are not checked:
speed goals live in docs/BENCHMARKS.md, measured by these scripts, never by tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from tests.support.models import requires_u2netp
from tests.support.services import REPO_ROOT


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        # A cold first run imports torch and diffusers for the first time: minutes on a
        # fresh 2-core machine. The scripts' speed is what they measure, not what we test.
        timeout=900,
        check=False,
    )


def test_gpu_benchmark_runs_tiny_on_cpu_and_reports_every_phase(tmp_path: Path) -> None:
    out = tmp_path / "gpu.json"
    done = run_script(
        "bench.gpu_diffusion", "--tiny", "--runs", "1", "--batches", "1,2", "--out", str(out)
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(out.read_text())
    # The last line printed is the whole report, the same as the file.
    assert json.loads(done.stdout[done.stdout.index("{\n") :]) == report
    assert report["device"] == "CPU" and report["size"] == 64
    assert report["plain"]["images_per_s"] > 0
    assert set(report["vitrina"]["by_batch"]) == {"1", "2"}
    assert report["vitrina"]["best_batch"] in (1, 2)
    assert 0 < report["vitrina"]["by_batch"]["2"]["pipeline_share"] <= 1
    assert report["speedup"]["vitrina"] == round(
        report["vitrina"]["images_per_s"] / report["plain"]["images_per_s"], 2
    )
    assert "vitrina_compiled" not in report  # compiling is measured on CUDA only
    assert report["cpu_per_image"]["cut_s"] > 0


@pytest.mark.skipif(torch.cuda.is_available(), reason="with a GPU it would run the full size")
def test_gpu_benchmark_refuses_full_size_without_a_gpu_in_one_line() -> None:
    done = run_script("bench.gpu_diffusion")
    assert done.returncode != 0
    assert done.stderr.strip() == (
        "the full-size benchmark needs an NVIDIA GPU; --tiny runs on a CPU"
    )


def test_gpu_benchmark_rejects_bad_batch_sizes() -> None:
    done = run_script("bench.gpu_diffusion", "--tiny", "--batches", "4,0")
    assert done.returncode == 2
    assert "'0' is not a positive integer" in done.stderr


def test_studio_benchmark_runs_and_times_whole_requests() -> None:
    done = run_script("bench.studio_cpu", "--runs", "1")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["image"] == "1024x1024"
    for phase in ("cut_out_only", "one_image_request", "four_image_request"):
        assert report[phase]["median_s"] > 0


def test_queue_benchmark_runs_tiny_and_reports_every_phase(tmp_path: Path) -> None:
    out = tmp_path / "queue.json"
    done = run_script(
        "bench.queue_load",
        *("--chats", "2", "--jobs-per-chat", "2", "--think-s", "0"),
        *("--latency-gpu-s", "0.01", "--latency-workers", "1"),
        *("--images", "2", "--photo-side", "320"),
        *("--workers", "1,2", "--scaling-gpu-s", "0.01", "--scaling-jobs", "2"),
        *("--drain", "5", "--drain-workers", "2", "--drain-gpu-s", "0.01"),
        *("--count-calls", "--out", str(out)),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.read_text())
    assert json.loads(done.stdout) == report
    assert report["machine"]["cores"] >= 1 and len(report["machine"]["loadavg_end"]) == 3
    latency = report["latency"]
    assert latency["jobs"] == 4 and latency["jobs_per_s"] > 0
    assert (latency["images_per_job"], latency["photo_side"]) == (2, 320)
    assert set(latency["added_latency_ms"]) == {"p50", "p95", "p99", "mean"}
    assert set(latency["stages_p50_ms"]) == {"handler", "queue", "worker_and_delivery"}
    slowest = latency["stages_slowest_5pct_ms"]  # of 4 jobs, the slowest one's stages
    assert set(slowest) == set(latency["stages_p50_ms"]) and slowest["handler"] > 0
    assert latency["stages_p50_ms"]["queue"] > 0  # the jobs were found, their start read
    cpu = latency["cpu_ms_per_job"]
    assert {"bot", "workers", "mongo", "redis", "harness"} <= set(cpu) and cpu["all"] > 0
    calls = latency["calls_per_job"]
    assert calls["bot"]["telegram"]["SendMediaGroup"] == 1.0  # one album per job, 2 images
    assert calls["bot"]["mongo"]["all"] > 0 and calls["workers"]["redis"]["XADD"] > 0
    scaling = report["scaling"]["by_workers"]
    assert set(scaling) == {"1", "2"} and scaling["1"]["speedup"] == 1.0
    assert all(entry["jobs_per_s"] > 0 for entry in scaling.values())
    drain = report["drain"]
    assert (drain["jobs"], drain["lost"], drain["duplicated"]) == (5, 0, 0)


@requires_u2netp
def test_cutout_benchmark_scores_every_method_and_set(tmp_path: Path) -> None:
    out = tmp_path / "cutout.json"
    done = run_script("bench.cutout_quality", "--only", "ring_on_wood", "--out", str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(out.read_text())
    assert report["boundary_tolerance_px"] == 2
    for part in ("tuning", "held-out", "held-out-2", "held-out-3", "held-out-4"):
        (product,) = report[part]["products"]
        assert product["name"] == "ring_on_wood" and "holes" in product["tags"]
        for method in ("raw", "grabcut", "refined"):
            assert 0.0 <= product[method]["iou"] <= 1.0
            assert 0.0 <= product[method]["boundary_f"] <= 1.0
            assert product[method]["seconds"] > 0
        assert set(report[part]["summary"]) == {"raw", "grabcut", "refined"}


def test_cutout_benchmark_rejects_unknown_products() -> None:
    done = run_script("bench.cutout_quality", "--only", "no_such_product")
    assert done.returncode == 2 and "no_such_product" in done.stderr
