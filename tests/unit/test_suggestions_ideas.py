"""What YandexGPT is asked for, and how its answers are read, however they drift."""

from __future__ import annotations

from suggestions.ideas import MAX_WISH_CHARS, Idea, build_messages, parse_ideas


def test_the_asked_for_format_is_read():
    text = "Sunny terrace | a wooden terrace in a green garden, soft sunlight\nLoft | a brick loft"
    assert parse_ideas(text, truncated=False) == [
        Idea("Sunny terrace", "a wooden terrace in a green garden, soft sunlight"),
        Idea("Loft", "a brick loft"),
    ]


def test_numbering_bullets_markdown_and_other_separators_are_tolerated():
    text = (
        "Here are four ideas for your sofa:\n"
        "\n"
        "1. **Sunny terrace** | a wooden terrace in a green garden.\n"
        "2) «Brick loft» — an industrial loft with a red brick wall\n"
        "- Quiet bedroom: a calm bedroom with linen curtains\n"
        "* `Marble bath` - a bathroom with white marble walls\n"
        "```\n"
    )
    assert [idea.caption for idea in parse_ideas(text, truncated=False)] == [
        "Sunny terrace",
        "Brick loft",
        "Quiet bedroom",
        "Marble bath",
    ]
    assert parse_ideas(text, truncated=False)[0].scene == "a wooden terrace in a green garden"


def test_a_line_cut_off_by_the_token_limit_is_dropped():
    text = "Terrace | a wooden terrace in a garden\nLoft | an industrial loft with a bri"
    assert [i.caption for i in parse_ideas(text, truncated=True)] == ["Terrace"]
    assert len(parse_ideas(text, truncated=False)) == 2


def test_duplicates_overlong_captions_and_bare_scenes_are_dropped():
    text = (
        "Terrace | a wooden terrace in a garden\n"
        "terrace | another terrace with different words\n"
        f"{'Very long caption ' * 5} | a room with a very long caption above it\n"
        "Nook | tiny\n"
        "just a sentence with no caption at all\n"
    )
    assert parse_ideas(text, truncated=False) == [Idea("Terrace", "a wooden terrace in a garden")]


def test_nothing_usable_gives_no_ideas():
    assert parse_ideas("", truncated=False) == []
    assert parse_ideas("I cannot help with that.", truncated=False) == []


def test_the_request_names_product_style_count_and_wish():
    system, user = build_messages(
        subject="a sofa",
        style_description="scandinavian interior",
        count=8,
        user_text='  something   "cozy"\nfor winter ',
        avoid=["Terrace", "Loft"],
    )
    assert system.role == "system" and user.role == "user"
    assert "exactly 8 lines" in system.text and "scandinavian interior" in system.text
    assert "Product: a sofa." in user.text
    assert "\"something 'cozy' for winter\"" in user.text  # quoted, one line, no inner quotes
    assert "Terrace; Loft" in user.text


def test_a_long_wish_is_clipped():
    _, user = build_messages(subject="a lamp", style_description="", count=4, user_text="x" * 5000)
    assert "x" * MAX_WISH_CHARS in user.text and "x" * (MAX_WISH_CHARS + 1) not in user.text
