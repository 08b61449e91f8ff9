"""The studio's light set-up for one variation, drawn from its seed."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

# Backdrop tones that consecutive variations step through (exposure, warmth), so
# the images of one album differ at a glance, not only in where the light falls.
# Exposure is a share of the style's colour, warmth in levels moved from blue to red.
TONES = ((0.0, 0.0), (0.06, 7.0), (-0.07, -7.0), (0.04, -9.0), (-0.05, 9.0))


@dataclass(frozen=True)
class Lighting:
    key_x: float  # horizontal position of the key light, 0 (left) – 1 (right)
    key_y: float  # vertical position of the light pool on the backdrop, 0 (top) – 1
    tilt: float  # slant of the backdrop's gradient, -1 – 1
    shadow_softness: float  # multiplies the shadow blur
    shadow_strength: float  # multiplies the shadow darkness
    exposure: float  # backdrop brightness change, a share of its colour
    warmth: float  # levels moved from the backdrop's blue channel to its red one

    @classmethod
    def from_seed(cls, seed: int) -> Lighting:
        """Ranges a photographer would use for a product shot: never harsh, never flat.
        The tone follows the seed's place in TONES: seeds in a row never share one."""
        rng = np.random.default_rng(seed)
        exposure, warmth = TONES[seed % len(TONES)]
        return cls(
            key_x=float(rng.uniform(0.3, 0.7)),
            key_y=float(rng.uniform(0.25, 0.45)),
            tilt=float(rng.uniform(-0.15, 0.15)),
            shadow_softness=float(rng.uniform(0.8, 1.3)),
            shadow_strength=float(rng.uniform(0.8, 1.1)),
            exposure=exposure,
            warmth=warmth,
        )

    def as_dict(self) -> dict[str, float]:
        return {key: round(value, 3) for key, value in asdict(self).items()}

    def toned(self, colour: np.ndarray) -> np.ndarray:
        """An RGB colour (float32) in this variation's tone."""
        shifted = colour * (1.0 + self.exposure) + np.array([self.warmth, 0.0, -self.warmth])
        return np.clip(shifted, 0.0, 255.0).astype(np.float32)
