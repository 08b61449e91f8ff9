"""What the tests share: real services, photos, tiny models, fakes of Telegram and Yandex."""
