"""How a user can ask for the product to be cut out: shared by the bot, jobs and engines."""

from __future__ import annotations

from enum import StrEnum


class CutoutChoice(StrEnum):
    AUTO = "auto"  # the model, mended by the photo's colours; refused when implausible
    HOLES_FILLED = "holes_filled"  # the same with every enclosed hole filled
    TIGHTER = "tighter"  # a few percent inside the automatic outline
    LOOSER = "looser"  # a few percent outside it
    GRABCUT = "grabcut"  # the classical method, as a second opinion

    @property
    def looked_at(self) -> bool:
        """Anything but AUTO is chosen by a user who saw the result: it is not refused
        for looking implausible."""
        return self is not CutoutChoice.AUTO
