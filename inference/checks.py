"""What every engine checks before it starts, and the text it paints from."""

from __future__ import annotations

from catalog import Style, catalog
from inference.canvas import MAX_SIDE, MIN_SIDE
from inference.engine import GenerationRequest, InvalidRequest
from inference.intake import MAX_PIXELS

MIN_PHOTO_SIDE = 32


def check_request(request: GenerationRequest, max_count: int) -> Style:
    """The request's style; InvalidRequest with what to fix when the request is unusable."""
    try:
        style = catalog().style(request.style)
    except ValueError as error:
        raise InvalidRequest(str(error)) from None
    if not 1 <= request.count <= max_count:
        raise InvalidRequest(f"count must be 1–{max_count}, got {request.count}")
    width, height = request.image.size
    if min(width, height) < MIN_PHOTO_SIDE:
        raise InvalidRequest(
            f"the photo is {width}×{height} px; send one at least {MIN_PHOTO_SIDE} px a side"
        )
    if width * height > MAX_PIXELS:
        raise InvalidRequest(
            f"the photo is {width}×{height} px, over {MAX_PIXELS // 1_000_000} megapixels; "
            "send a smaller one"
        )
    if request.canvas is not None and not all(MIN_SIDE <= s <= MAX_SIDE for s in request.canvas):
        raise InvalidRequest(f"canvas sides must be {MIN_SIDE}–{MAX_SIDE} px, got {request.canvas}")
    return style


def prompts_for(request: GenerationRequest, style: Style) -> tuple[str, str]:
    """(prompt, negative prompt): the request's own text when given, else the catalogue's
    prompt for the style and the product's category."""
    catalogue = catalog()
    prompt = request.prompt or catalogue.model_prompt(style.id, request.category)
    return prompt, request.negative_prompt or catalogue.negative_prompt(style.id)
