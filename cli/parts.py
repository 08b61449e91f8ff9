"""`vitrina bot`, `vitrina worker`, `vitrina panel`: one part of the service each."""

from __future__ import annotations

import argparse
import asyncio

from cli.generate import missing_image_libraries
from settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    bot = subparsers.add_parser("bot", help="the Telegram bot and its notifier")
    bot.set_defaults(func=run_bot)
    worker = subparsers.add_parser("worker", help="an inference worker (one per GPU)")
    worker.add_argument("--name", help="consumer name; host-pid by default")
    worker.set_defaults(func=run_worker)
    panel = subparsers.add_parser("panel", help="the admin web panel and /metrics")
    panel.set_defaults(func=run_panel)


def run_bot(args: argparse.Namespace) -> int:
    from bot.main import serve

    asyncio.run(serve(Settings()))
    return 0


def run_worker(args: argparse.Namespace) -> int:
    try:
        from inference.worker.main import serve
    except ModuleNotFoundError as missing:
        raise SystemExit(f"vitrina worker: {missing_image_libraries(missing)}") from None

    asyncio.run(serve(Settings(), args.name))
    return 0


def run_panel(args: argparse.Namespace) -> int:
    from panel.app import serve

    asyncio.run(serve(Settings()))
    return 0
