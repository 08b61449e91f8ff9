"""A local fake of the Telegram Bot API server for end-to-end tests of aiogram bots.

Typical use::

    async with TelegramServer(token="123456:TEST") as server:
        bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(server.api_url)))
        user = server.user(chat_id=1001, language_code="ru", first_name="Anna")
        await user.send_text("/start")
        reply = await user.wait_for(lambda m: "Привет" in (m.text or ""))
"""

from .errors import ApiError
from .messages import ChatMessage
from .params import Upload
from .server import TelegramServer
from .state import ApiCall
from .user import FakeUser

__all__ = ["ApiCall", "ApiError", "ChatMessage", "FakeUser", "TelegramServer", "Upload"]
