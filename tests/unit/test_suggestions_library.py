"""The built-in prompt library covers every style and product category, in ru and en."""

from __future__ import annotations

import re

import pytest

from catalog import catalog, style_ids
from suggestions.ideas import MAX_CAPTION_CHARS
from suggestions.prompt_library import PromptLibrary

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
PAGES = 2  # "More ideas" shows a second page before anything repeats


@pytest.fixture(scope="module")
def library() -> PromptLibrary:
    return PromptLibrary.load()


@pytest.mark.parametrize("style", style_ids())
@pytest.mark.parametrize("category", [*catalog().categories, None, "spaceship"])
def test_every_style_and_category_has_two_pages_of_ideas(library, style, category):
    for lang in ("ru", "en"):
        ideas = library.suggestions(style=style, category=category, lang=lang)
        assert len(ideas) >= 4 * PAGES
        assert len({idea.id for idea in ideas}) == len(ideas)
        for idea in ideas:
            assert idea.source == "library" and idea.lang == lang
            assert 0 < len(idea.text) <= MAX_CAPTION_CHARS
            assert bool(CYRILLIC.search(idea.text)) == (lang == "ru")
            assert not CYRILLIC.search(idea.prompt)
            assert idea.negative_prompt.startswith(catalog().negative)


def test_a_prompt_names_the_product_the_scene_and_the_style(library):
    idea = library.suggestions(style="loft", category="faucet", lang="en")[0]
    assert idea.prompt.startswith("a faucet, in a bathroom")
    assert "industrial loft" in idea.prompt
    unknown = library.suggestions(style="loft", category=None, lang="en")[0]
    assert unknown.prompt.startswith("the product, ")


def test_category_scenes_come_before_generic_ones(library):
    sofa = library.suggestions(style="minimal", category="sofa", lang="en")
    bath = library.suggestions(style="minimal", category="bathtub", lang="en")
    assert "living room" in sofa[0].prompt
    assert "bathroom" in bath[0].prompt
    assert sofa[-1].text == bath[-1].text  # the generic tail is shared


def test_studio_white_offers_backdrops_not_rooms(library):
    ideas = library.suggestions(style="studio-white", category="sofa", lang="en")
    assert all("background" in i.prompt or "studio" in i.prompt for i in ideas)
    assert all("room" not in i.prompt for i in ideas)
    assert "furniture" in ideas[0].negative_prompt


def test_an_unknown_style_falls_back_to_the_neutral_look(library):
    ideas = library.suggestions(style="baroque", category="lamp", lang="en")
    assert [i.prompt for i in ideas] == [
        i.prompt for i in library.suggestions(style="custom", category="lamp", lang="en")
    ]


def test_pick_skips_what_was_shown_then_starts_over(library):
    every = library.suggestions(style="nature", category="plant", lang="ru")
    first = library.pick(style="nature", category="plant", lang="ru", count=4)
    assert first == every[:4]
    shown = [s.id for s in every[:-2]]
    last = library.pick(style="nature", category="plant", lang="ru", count=4, exclude=shown)
    assert last == every[-2:] + every[:2]
