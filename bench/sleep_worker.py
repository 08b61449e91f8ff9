"""A worker process whose engine only sleeps a set GPU time per image: the queue benchmark's
stand-in for a GPU (part of the benchmark, never a production engine).

    python -m bench.sleep_worker --gpu-s 0.5 [--name NAME]

Everything else is the production worker: the loop, the lifecycle, Redis and MongoDB.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import time
from collections.abc import Sequence

from PIL import Image

from inference.engine import GenerationRequest, GenerationResult, ProgressCallback
from inference.worker.loop import Worker
from inference.worker.main import worker_context
from runtime import eventloop
from runtime.heap import settle_after_start
from runtime.signals import stop_event
from settings import Settings


class SleepEngines:
    """The engine-set interface the worker uses, sleeping `gpu_s` per image (sleeping frees
    the interpreter, as a GPU kernel does) and returning the photo itself as each image."""

    labeler = None  # no category model: every photo is "a product"

    def __init__(self, gpu_s: float) -> None:
        self.gpu_s = gpu_s

    def available(self) -> list[str]:
        return ["sleep"]

    def label(self, image: Image.Image) -> str | None:
        return None

    def generate_batch(
        self,
        requests: Sequence[GenerationRequest],
        progress: Sequence[ProgressCallback | None] | None = None,
    ) -> list[GenerationResult]:
        results = []
        for index, request in enumerate(requests):
            report = progress[index] if progress else None
            for done in range(1, request.count + 1):
                time.sleep(self.gpu_s)
                if report is not None:
                    report(done, request.count)
            mask = Image.new("L", request.image.size, 255)
            images = [request.image.copy() for _ in range(request.count)]
            results.append(GenerationResult(images=images, mask=mask, engine="sleep"))
        return results


async def serve(gpu_s: float, name: str) -> None:
    settings = Settings()
    stop = stop_event()
    async with worker_context(settings, SleepEngines(gpu_s), name) as ctx:  # type: ignore[arg-type]
        settle_after_start()  # as the production worker does
        await Worker(ctx).run(stop)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gpu-s", type=float, required=True, help="seconds per image")
    parser.add_argument("--name", default=f"{socket.gethostname()}-{os.getpid()}")
    args = parser.parse_args()
    logging.basicConfig(level="WARNING", stream=sys.stderr)
    eventloop.run(serve(args.gpu_s, args.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
