"""What the product is: CLIP zero-shot classification over the catalogue's categories.

The label feeds the background suggestions ("a sofa in a Scandinavian living
room"). It is optional: without weights the worker answers None and the
suggestions fall back to the style alone.
"""

from __future__ import annotations

from PIL import Image

from catalog import catalog
from inference.devices import torch_dtype_for
from inference.engine import LOAD_ERRORS, EngineUnavailable

PROMPT_TEMPLATE = "a product photo of a {}"


class ProductLabeler:
    def __init__(
        self, model: object, processor: object, device: str, min_confidence: float
    ) -> None:
        import torch

        self.model = model
        self.processor = processor
        self.device = device
        self.min_confidence = min_confidence
        # The categories' text embeddings never change: computed once here.
        categories = catalog().categories.values()
        self.category_ids = tuple(category.id for category in categories)
        texts = [PROMPT_TEMPLATE.format(category.clip) for category in categories]
        tokens = processor.tokenizer(texts, padding=True, return_tensors="pt").to(device)
        with torch.inference_mode():
            features = model.get_text_features(**tokens).pooler_output
        self.text_features = torch.nn.functional.normalize(features, dim=-1)

    @classmethod
    def load(
        cls, model_id: str, device: str, local_files_only: bool, min_confidence: float
    ) -> ProductLabeler:
        """The CLIP model for a hub id or local folder; EngineUnavailable says what is missing."""
        from transformers import CLIPModel, CLIPProcessor

        try:
            model = CLIPModel.from_pretrained(
                model_id, dtype=torch_dtype_for(device), local_files_only=local_files_only
            )
            processor = CLIPProcessor.from_pretrained(model_id, local_files_only=local_files_only)
        except LOAD_ERRORS as error:
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise EngineUnavailable(
                f"label model {model_id!r} cannot be loaded ({reason[:200]}); download it "
                f"with `hf download {model_id}` or set LABEL_MODEL to a local CLIP folder"
            ) from error
        return cls(model.to(device).eval(), processor, device, min_confidence)

    def label(self, image: Image.Image) -> str | None:
        """The most likely category, or None when CLIP is not sure enough."""
        import torch

        pixels = self.processor.image_processor(images=image.convert("RGB"), return_tensors="pt")
        pixels = pixels["pixel_values"].to(self.device, self.model.dtype)
        with torch.inference_mode():
            features = self.model.get_image_features(pixel_values=pixels).pooler_output
            features = torch.nn.functional.normalize(features, dim=-1)
            logits = self.model.logit_scale.exp() * features @ self.text_features.T
            probabilities = logits.float().softmax(dim=-1)[0]
        best = int(probabilities.argmax())
        return (
            self.category_ids[best] if float(probabilities[best]) >= self.min_confidence else None
        )
