"""Group chats: Vitrina is a private assistant, so when it is added to a group it says
so once and leaves (messages that still arrive from a group meet bot/middlewares.py's
PrivateChatsOnly)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import JOIN_TRANSITION, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated

from bot.services.groups import refuse_group
from locales import Translator, pick_language

router = Router(name="groups")


@router.my_chat_member(ChatMemberUpdatedFilter(JOIN_TRANSITION), F.chat.type != "private")
async def added_to_group(update: ChatMemberUpdated, bot: Bot) -> None:
    t = Translator.load(pick_language(update.from_user.language_code))
    await refuse_group(bot, update.chat.id, t)
