"""`vitrina` command line: one sub-command per module, each with `register(subparsers)`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from cli import generate, healthcheck, parts, run, styles
from runtime.logs import setup_logging
from settings import Settings

SUBCOMMANDS = (generate, styles, run, parts, healthcheck)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vitrina", description=__doc__)
    parser.add_argument("--log-level", help="DEBUG, INFO, WARNING, ERROR (default: LOG_LEVEL)")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in SUBCOMMANDS:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # A tool's stderr is for its one-line answers: it logs warnings unless asked for more.
    _logging(args.command, args.log_level or getattr(args, "quiet_log_level", None))
    return int(args.func(args) or 0)


def _logging(part: str, level: str | None) -> None:
    """Logs of this part as LOG_FORMAT says, with this deployment's secrets kept out."""
    try:
        settings = Settings()
    except ValidationError:
        # The part itself reports the bad setting; its report still needs a log.
        setup_logging(part, level or "INFO")
        return
    secrets = (
        settings.bot_token,
        settings.webhook_secret,
        settings.yandex_api_key,
        settings.yandex_iam_token,
        settings.panel_password_hash,
        settings.panel_secret_key,
        settings.metrics_token,
    )
    setup_logging(
        part,
        level or settings.log_level,
        settings.log_format,
        secrets=[s.get_secret_value() for s in secrets if s is not None],
    )


if __name__ == "__main__":
    sys.exit(main())
