"""Background suggestions: YandexGPT and Yandex Translate with a built-in library behind them.

The bot uses `Suggester` only; see suggester.py.
"""

from suggestions.suggester import Suggester
from suggestions.suggestion import ModelPrompt, Suggestion

__all__ = ["ModelPrompt", "Suggester", "Suggestion"]
