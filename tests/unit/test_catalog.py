"""The catalogue is the one home of styles and categories: everything reads it, and
adding a style is one entry in catalog/styles.json plus its ru and en names."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from catalog import catalog
from tests.support.services import REPO_ROOT

NEW_STYLE = {
    "kind": "interior",
    "scene": "in a spa bathroom with warm wood panels",
    "modifiers": "spa style, warm wood, soft candle light",
    "backdrop": "gradient",
    "backdrop_color": [210, 190, 170],
}
NAMES = {"ru": "Спа", "en": "Spa"}

# Run in a copy of the project with the new style added: every part that offers or
# serves styles must know it, with nothing else changed.
CHECK = """
import asyncio, json
from aiogram.types import CallbackQuery, User
from PIL import Image
from catalog import catalog
from cli.main import main
from handlers import choose
from inference.diffusion import DiffusionEngine
from inference.engine import GenerationRequest
from inference.segmentation import Segmenter
from inference.segmentation.grabcut import GrabCutMasker
from inference.studio import StudioEngine
from keyboards import builders
from keyboards.callbacks import StyleCb
from locales import Translator
from suggestions.prompt_library import PromptLibrary

style = catalog().style("spa")
report = {}
for lang in ("ru", "en"):
    markup = builders.styles(Translator.load(lang), "tok")
    buttons = {b.callback_data: b.text for row in markup.inline_keyboard for b in row}
    report[lang] = buttons.get(StyleCb(style="spa", d="tok").pack())
query = CallbackQuery(
    id="1", chat_instance="c", data=StyleCb(style="spa", d="tok").pack(),
    from_user=User(id=1, is_bot=False, first_name="A"),
)
[style_handler] = [
    h for h in choose.router.callback_query.handlers if h.callback is choose.style_chosen
]
report["handled"] = asyncio.run(style_handler.check(query))[0]
photo = Image.new("RGB", (96, 96), (40, 90, 200))
photo.paste((230, 120, 30), (30, 30, 66, 66))
studio = StudioEngine(Segmenter(GrabCutMasker()), max_count=4, canvas_fill=0.85)
result = studio.generate_batch([GenerationRequest(image=photo, style="spa", count=2)])[0]
report["studio_images"] = len(result.images)
report["diffusion_serves"] = DiffusionEngine.serves(None, style)
ideas = PromptLibrary.load().suggestions(style="spa", category="sofa", lang="ru")
report["ideas"] = len(ideas)
report["idea_prompt"] = ideas[0].prompt
report["prompt"] = catalog().model_prompt("spa", "sofa")
print(json.dumps(report, ensure_ascii=False))
"""


def test_every_style_reads_its_data_from_the_catalog():
    styles = catalog().styles
    assert {
        "minimal",
        "scandinavian",
        "loft",
        "classic",
        "nature",
        "studio-white",
        "custom",
    } <= set(styles)
    for style in styles.values():
        assert style.scene and style.backdrop in {"white", "solid", "gradient", "soft"}
        assert catalog().model_prompt(style.id, None).startswith("the product, ")
        assert catalog().negative_prompt(style.id).startswith(catalog().negative)
    assert not styles["studio-white"].paints_scene  # a marketplace backdrop, made exactly


def test_one_prompt_whichever_way_the_job_went():
    prompt = catalog().model_prompt("loft", "sofa")
    assert prompt.startswith("a sofa, in an industrial loft")
    assert "industrial loft style" in prompt and catalog().quality in prompt


def test_every_category_has_a_subject_a_group_and_words_for_clip():
    for category in catalog().categories.values():
        assert category.subject and category.group and category.clip


@pytest.fixture
def project_with_a_new_style(tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(
        REPO_ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", "var", ".git", "tests", "docs", "*.egg-info"),
    )
    path = copy / "catalog" / "styles.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["styles"]["spa"] = NEW_STYLE
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    for lang, name in NAMES.items():
        with (copy / "locales" / lang / "styles.ftl").open("a", encoding="utf-8") as names:
            names.write(f"style-spa = {name}\n")
    return copy


def test_adding_a_style_is_one_entry_plus_its_two_names(project_with_a_new_style: Path):
    copy = project_with_a_new_style
    env = {"PYTHONPATH": str(copy), "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert (report["ru"], report["en"]) == ("Спа", "Spa")
    assert report["handled"]
    assert report["studio_images"] == 2 and report["diffusion_serves"]
    assert report["ideas"] >= 8 and "spa style" in report["idea_prompt"]
    assert report["prompt"].startswith("a sofa, in a spa bathroom")
    listed = subprocess.run(
        [sys.executable, "-m", "cli", "styles"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "spa\tСпа\tSpa" in listed.stdout.splitlines()
