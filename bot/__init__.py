"""The Telegram side: the bot process (`bot.main`), the notifier, and the services
(`bot.services`) that handlers and the notifier call."""
