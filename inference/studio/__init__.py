"""The studio engine: photographed-looking backdrops and shadows, no weights, any CPU."""

from inference.studio.engine import StudioEngine

__all__ = ["StudioEngine"]
