"""Local fakes of the Yandex Cloud APIs the suggestions use, for tests."""

from tests.yandexfake.cloud import FakeYandexCloud, fake_yandex_cloud
from tests.yandexfake.gpt import DEFAULT_IDEAS, FakeYandexGpt
from tests.yandexfake.translate import FakeYandexTranslate

__all__ = [
    "DEFAULT_IDEAS",
    "FakeYandexCloud",
    "FakeYandexGpt",
    "FakeYandexTranslate",
    "fake_yandex_cloud",
]
