"""Process plumbing shared by the bot, worker and panel: stop signals, serving aiohttp apps."""
