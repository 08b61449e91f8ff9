"""`vitrina bot`, `vitrina worker`, `vitrina panel`, `vitrina scheduler`: one part each;
`vitrina panel hash-password` makes a PANEL_PASSWORD_HASH."""

from __future__ import annotations

import argparse
import getpass
import sys

from cli.generate import missing_image_libraries
from runtime import eventloop
from settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    bot = subparsers.add_parser("bot", help="the Telegram bot and its notifier")
    bot.set_defaults(func=run_bot)
    worker = subparsers.add_parser("worker", help="an inference worker (one per GPU)")
    worker.add_argument("--name", help="consumer name; host-pid by default")
    worker.set_defaults(func=run_worker)
    panel = subparsers.add_parser("panel", help="the admin web panel and /metrics")
    panel.set_defaults(func=run_panel)
    actions = panel.add_subparsers(dest="panel_action")
    hashing = actions.add_parser(
        "hash-password",
        help="print the PANEL_PASSWORD_HASH of a password (asked for, or read from stdin)",
    )
    hashing.set_defaults(func=hash_password)
    scheduler = subparsers.add_parser(
        "scheduler", help="reaper, image retention, alerts and the daily report to admins"
    )
    scheduler.set_defaults(func=run_scheduler)


def run_bot(args: argparse.Namespace) -> int:
    from bot.main import serve

    eventloop.run(serve(Settings()))
    return 0


def run_worker(args: argparse.Namespace) -> int:
    try:
        from inference.worker.main import serve
    except ModuleNotFoundError as missing:
        raise SystemExit(f"vitrina worker: {missing_image_libraries(missing)}") from None

    eventloop.run(serve(Settings(), args.name))
    return 0


def run_panel(args: argparse.Namespace) -> int:
    from panel.app import serve

    eventloop.run(serve(Settings()))
    return 0


def hash_password(args: argparse.Namespace) -> int:
    from panel.auth import hash_password

    # Never an argument: it would stay in the shell's history and the process list.
    if sys.stdin.isatty():
        password = getpass.getpass("Panel password: ")
        if getpass.getpass("Again: ") != password:
            print("vitrina panel hash-password: the passwords differ", file=sys.stderr)
            return 2
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < 8:
        print("vitrina panel hash-password: use at least 8 characters", file=sys.stderr)
        return 2
    print(hash_password(password))
    return 0


def run_scheduler(args: argparse.Namespace) -> int:
    from scheduler.main import serve

    eventloop.run(serve(Settings()))
    return 0
