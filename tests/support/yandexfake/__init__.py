"""Local fakes of the Yandex Cloud APIs the suggestions use, for tests."""

from tests.support.yandexfake.cloud import FakeYandexCloud, fake_yandex_cloud
from tests.support.yandexfake.gpt import DEFAULT_IDEAS, FakeYandexGpt
from tests.support.yandexfake.translate import FakeYandexTranslate

__all__ = [
    "DEFAULT_IDEAS",
    "FakeYandexCloud",
    "FakeYandexGpt",
    "FakeYandexTranslate",
    "fake_yandex_cloud",
]
