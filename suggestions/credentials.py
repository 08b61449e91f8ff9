"""How this deployment authenticates to Yandex Cloud, read once from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

from settings import Settings


@dataclass(frozen=True)
class YandexCredentials:
    authorization: str  # the whole Authorization header value
    folder_id: str

    @classmethod
    def from_settings(cls, settings: Settings) -> YandexCredentials | None:
        """None when Yandex is not configured: the bot then uses the library only.

        An API key wins over an IAM token because IAM tokens expire within 12 hours
        and this process does not refresh them.
        """
        if not settings.yandex_folder_id:
            return None
        api_key = _secret(settings.yandex_api_key)
        if api_key:
            return cls(f"Api-Key {api_key}", settings.yandex_folder_id)
        iam_token = _secret(settings.yandex_iam_token)
        if iam_token:
            return cls(f"Bearer {iam_token}", settings.yandex_folder_id)
        return None

    def __repr__(self) -> str:  # never print the secret
        scheme = self.authorization.split(" ", 1)[0]
        return f"YandexCredentials({scheme} ***, folder_id={self.folder_id!r})"


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value().strip() if value is not None else ""
