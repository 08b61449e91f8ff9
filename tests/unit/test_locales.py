"""Every text exists in ru and en, formats, and no handler hard-codes one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from catalog import style_ids
from locales import LANGUAGES, Translator, pick_language
from tests.support.services import REPO_ROOT

USER_FACING = ("handlers", "keyboards", "bot", "panel")
# Calls whose string arguments reach the user.
SENDERS = {
    "answer",
    "reply",
    "send_message",
    "edit_text",
    "edit_message_text",
    "send_photo",
    "send_document",
    "button",
    "InlineKeyboardButton",
    "Response",
}


def test_ru_and_en_have_the_same_keys():
    ru, en = Translator.load("ru"), Translator.load("en")
    assert ru.keys == en.keys


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_style_and_only_a_style_has_a_name(lang):
    named = {key for key in Translator.load(lang).keys if key.startswith("style-")}
    assert named - {"style-choose"} == {f"style-{s}" for s in style_ids()}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plurals_and_arguments_format(lang):
    t = Translator.load(lang)
    assert "5" in t.get("count-button", count=5)
    assert t.get("status-painting", done=2, total=4).count("2") >= 1
    assert "{" not in t.get("history-item", when="01.01", style="x", count=1, status="y")


@pytest.mark.parametrize(
    ("code", "lang"),
    [("ru", "ru"), ("ru-RU", "ru"), ("en-GB", "en"), ("uk", "ru"), ("de", "en"), (None, "en")],
)
def test_language_from_telegram_code(code, lang):
    assert pick_language(code) == lang


def test_handlers_send_no_literal_text():
    offenders = []
    for package in USER_FACING:
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            offenders += _literal_texts(path)
    assert offenders == []


def _literal_texts(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        if name not in SENDERS:
            continue
        args = [*node.args, *(k.value for k in node.keywords if k.arg in {"text", "caption"})]
        found += [
            f"{path.name}:{a.lineno}"
            for a in args
            if isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value.strip()
        ]
    return found
