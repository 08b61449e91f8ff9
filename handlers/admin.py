"""/stats, /ban, /unban, /quota: for the Telegram ids in ADMIN_IDS only. To anyone else
they are unknown commands, answered like any other text."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject, Filter
from aiogram.types import Message

from bot.services import admin
from bot.services.deps import BotDeps
from locales import Translator

router = Router(name="admin")


class IsAdmin(Filter):
    async def __call__(self, message: Message, deps: BotDeps) -> bool:
        return admin.is_admin(deps, message.from_user.id if message.from_user else None)


router.message.filter(IsAdmin())


@router.message(Command("stats"))
async def stats(message: Message, t: Translator, deps: BotDeps) -> None:
    await message.answer(await admin.stats_text(deps, t))


@router.message(Command("ban", "unban"))
async def ban(message: Message, command: CommandObject, t: Translator, deps: BotDeps) -> None:
    banned = command.command == "ban"
    try:
        target = await admin.set_banned(deps, message.from_user.id, command.args, banned)
    except admin.AdminUsage:
        await message.answer(t.get("admin-usage-ban", command=command.command))
        return
    await message.answer(t.get("admin-banned" if banned else "admin-unbanned", id=str(target)))


@router.message(Command("quota"))
async def quota(message: Message, command: CommandObject, t: Translator, deps: BotDeps) -> None:
    try:
        target, limit = await admin.set_quota(deps, message.from_user.id, command.args)
    except admin.AdminUsage:
        await message.answer(t.get("admin-usage-quota"))
        return
    if limit is None:
        await message.answer(t.get("admin-quota-default", id=str(target)))
    else:
        await message.answer(t.get("admin-quota-set", id=str(target), limit=limit))
