"""The studio's light set-up for one variation, drawn from its seed."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Lighting:
    key_x: float  # horizontal position of the key light, 0 (left) – 1 (right)
    key_y: float  # vertical position of the light pool on the backdrop, 0 (top) – 1
    tilt: float  # slant of the backdrop's gradient, -1 – 1
    shadow_softness: float  # multiplies the shadow blur
    shadow_strength: float  # multiplies the shadow darkness

    @classmethod
    def from_seed(cls, seed: int) -> Lighting:
        """Ranges a photographer would use for a product shot: never harsh, never flat."""
        rng = np.random.default_rng(seed)
        return cls(
            key_x=float(rng.uniform(0.3, 0.7)),
            key_y=float(rng.uniform(0.25, 0.45)),
            tilt=float(rng.uniform(-0.15, 0.15)),
            shadow_softness=float(rng.uniform(0.8, 1.3)),
            shadow_strength=float(rng.uniform(0.8, 1.1)),
        )

    def as_dict(self) -> dict[str, float]:
        return {key: round(value, 3) for key, value in asdict(self).items()}
