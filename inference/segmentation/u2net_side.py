"""Running rembg's U²-Net models at a chosen input side instead of their fixed 320 px.

U²-Net is fully convolutional and its upsampling sizes are computed from tensor
shapes, so only the ONNX file's declared input size pins it to 320×320. At
256 px u2netp takes ~0.57 s instead of ~0.85 s on one core of a 2.25 GHz EPYC
(measured for the studio benchmark), which is what brings a 1024×1024 studio
image under one second; the mask is then snapped to the photo's full-size
edges by the matting step (matting.py), so the smaller input costs little.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

# rembg's sessions that are U²-Net networks with 320 px, ImageNet-normalized input.
U2NET_SESSIONS = frozenset({"u2netp", "u2net", "u2net_custom", "u2net_human_seg", "silueta"})
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class ResizedU2Net:
    """Predicts with a rembg U²-Net session's model, fed at `side`×`side` pixels."""

    def __init__(self, session: object, model_file: Path, side: int) -> None:
        import onnxruntime

        self.session = session
        self.side = side
        inner = session.inner_session
        self.runner = onnxruntime.InferenceSession(
            _with_free_input_size(model_file),
            sess_options=inner.get_session_options(),
            providers=inner.get_providers(),
        )

    def predict(self, image: Image.Image) -> np.ndarray:
        """Float32 mask in [0, 1] at side×side, stretched to full range as rembg does."""
        feeds = self.session.normalize(image, IMAGENET_MEAN, IMAGENET_STD, (self.side, self.side))
        prediction = self.runner.run(None, feeds)[0][0, 0]
        low, high = float(prediction.min()), float(prediction.max())
        return ((prediction - low) / max(high - low, 1e-6)).astype(np.float32)


def _with_free_input_size(model_file: Path) -> bytes:
    """The model's bytes with the input's and outputs' height and width left symbolic."""
    import onnx

    model = onnx.load(model_file)
    for value in [*model.graph.input, *model.graph.output]:
        dims = value.type.tensor_type.shape.dim
        dims[2].dim_param, dims[3].dim_param = "height", "width"
    # Stale intermediate shapes would contradict the new input size; ORT re-infers them.
    del model.graph.value_info[:]
    return model.SerializeToString()
