"""`vitrina styles`: the style ids with their names in ru and en."""

from __future__ import annotations

import argparse

from catalog import style_ids
from locales import Translator


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("styles", help="list style ids with their ru and en names")
    parser.set_defaults(func=list_styles)


def list_styles(args: argparse.Namespace) -> int:
    ru, en = Translator.load("ru"), Translator.load("en")
    for style_id in style_ids():
        print(f"{style_id}\t{ru.get(f'style-{style_id}')}\t{en.get(f'style-{style_id}')}")
    return 0
