"""Abuse rules through the real Dispatcher: floods, bans by user, groups, forged and
stale buttons, and the admin commands."""

from __future__ import annotations

from aiogram.methods import LeaveChat, SetMyCommands
from aiogram.types import Chat, ChatMemberLeft, ChatMemberMember, ChatMemberUpdated, Update, User

from bot.main import set_commands
from bot.middlewares import ChatContextMiddleware, ThrottlingMiddleware
from keyboards.callbacks import CountCb, JobAction, JobCb, OptionCb, StyleCb
from storage.jobs import Job
from tests.support.conversation import ADMIN_ID, THROTTLE_LIMIT, Conversation, next_id
from tests.support.mocked_bot import MockedBot
from tests.support.photos import product_photo

SLOW_DOWN = (
    "Too many messages at once: please slow down a little. I'll answer again in a few seconds."
)
EXPIRED = "This button is out of date. Send a photo to start again."
HINT = "Send me a product photo to start, or /help."


async def test_a_flood_gets_one_slow_down_and_nothing_more(
    chat: Conversation, frozen_throttle_clock
):
    for _ in range(THROTTLE_LIMIT + 15):
        await chat.send(text="hello")
    assert chat.texts().count(HINT) == THROTTLE_LIMIT
    assert chat.texts().count(SLOW_DOWN) == 1
    assert len(chat.texts()) == THROTTLE_LIMIT + 1


async def test_a_flood_of_buttons_is_answered_without_alerts(
    chat: Conversation, frozen_throttle_clock
):
    for _ in range(THROTTLE_LIMIT + 5):
        await chat.press("zz:garbage")
    answers = chat.answers()
    assert len(answers) == THROTTLE_LIMIT + 5, "every button stops spinning"
    assert [a.text for a in answers].count(SLOW_DOWN) == 1


class _Deps:
    def __init__(self, deps, db=None) -> None:
        self.redis, self.keys, self.db = deps.redis, deps.keys, db or deps.db


async def test_throttling_counts_the_user_across_chats(chat: Conversation):
    """A new group (or any other chat) is no fresh allowance for the same user."""
    throttle = ThrottlingMiddleware(limit=3, window_s=10, clock=lambda: 1_000_000.0)
    user = User(id=chat.chat_id, is_bot=False, first_name="A")
    handled: list[int] = []

    async def handler(event, data):
        handled.append(data["event_chat"].id)

    for chat_id in (-1001, -1002, -1003, -1004, -1005):
        data = {"event_chat": Chat(id=chat_id, type="group"), "event_from_user": user}
        await throttle(handler, object(), {**data, "deps": _Deps(chat.deps)})
    assert handled == [-1001, -1002, -1003]


async def test_a_banned_user_is_refused_in_any_chat(chat: Conversation):
    await chat.deps.db.chats.ensure(chat.chat_id)
    await chat.deps.db.chats.set_banned(chat.chat_id, True)
    middleware = ChatContextMiddleware()
    handled: list[str] = []

    async def handler(event, data):
        handled.append("yes")

    message = chat.message(text="hi").model_copy(
        update={"chat": Chat(id=-100_777, type="supergroup", title="x")}
    )
    data = {
        "event_chat": message.chat,
        "event_from_user": chat.user,
        "deps": chat.deps,
    }
    await middleware(handler, message.as_(chat.bot), data)
    assert handled == []
    assert chat.texts() == ["Access to the bot is closed for this chat."]


async def test_a_group_is_told_once_and_left_and_nothing_is_kept(chat: Conversation):
    chat.chat_type, chat.user_id = "group", chat.chat_id
    chat.chat_id = -chat.chat_id
    await chat.send(text="/start")
    [refusal] = chat.texts()
    assert refusal == (
        "I only work in private chats, so your photos and history stay yours. "
        "Write to me directly: @vitrina_bot"
    )
    [leave] = chat.bot.session.called(LeaveChat)
    assert leave.chat_id == chat.chat_id
    assert await chat.deps.db.chats.get(chat.chat_id) is None


async def test_being_added_to_a_group_is_answered_by_leaving(chat: Conversation):
    group = Chat(id=-chat.chat_id, type="supergroup", title="Shop team")
    bot_user = User(id=42, is_bot=True, first_name="Vitrina")
    update = ChatMemberUpdated(
        chat=group,
        from_user=User(id=chat.chat_id, is_bot=False, first_name="A", language_code="ru"),
        date=0,
        old_chat_member=ChatMemberLeft(user=bot_user),
        new_chat_member=ChatMemberMember(user=bot_user),
    )
    await chat.dp.feed_update(chat.bot, Update(update_id=next_id(), my_chat_member=update))
    [refusal] = chat.texts()
    assert refusal.startswith("Я работаю только в личных чатах")
    assert [c.chat_id for c in chat.bot.session.called(LeaveChat)] == [group.id]


async def test_forged_buttons_change_nothing(chat: Conversation):
    await chat.send_photo(product_photo())
    state = chat.dp.fsm.get_context(chat.bot, chat_id=chat.chat_id, user_id=chat.chat_id)
    before = await state.get_data()
    for forged in (
        StyleCb(style="loft", d="deadbeef").pack(),  # someone else's token
        StyleCb(style="baroque", d="").pack(),  # no such style
        "st:loft",  # malformed
        "zz:anything",  # no such button at all
        CountCb(count=99, d="").pack(),
        OptionCb(action="generate", d="").pack(),
        JobCb(action=JobAction.CANCEL, job_id="0" * 32).pack(),
    ):
        await chat.press(forged)
    assert await state.get_data() == before
    texts = [a.text for a in chat.answers()]
    assert texts[:6] == [EXPIRED] * 6
    assert texts[6] == "I can't find this job any more."
    assert await chat.deps.db.jobs.for_chat(chat.chat_id, 0, 5) == []


async def test_a_button_of_an_older_photo_is_stale(chat: Conversation):
    await chat.send_photo(product_photo())
    old_style = chat.button(StyleCb(style="loft").pack())
    await chat.send_photo(product_photo((400, 300)))
    await chat.press(old_style)
    assert chat.answers()[-1].text == EXPIRED
    await chat.press_button(StyleCb(style="nature").pack())
    assert chat.answers()[-1].text is None


async def test_another_chats_job_is_not_this_chats(chat: Conversation):
    job = await chat.deps.db.jobs.create(
        Job(chat_id=1, lang="en", style="loft", count=1, seed=1, input_image_id="x")
    )
    for action in (JobAction.CANCEL, JobAction.RESEND, JobAction.REGENERATE):
        await chat.press(JobCb(action=action, job_id=job.id).pack())
    assert [a.text for a in chat.answers()] == ["I can't find this job any more."] * 3
    assert (await chat.deps.db.jobs.get(job.id)).status == "queued"


async def test_a_button_under_an_inaccessible_message_is_out_of_date(chat: Conversation):
    from aiogram.types import CallbackQuery, InaccessibleMessage

    query = CallbackQuery(
        id="q",
        from_user=chat.user,
        chat_instance="ci",
        message=InaccessibleMessage(chat=Chat(id=chat.chat_id, type="private"), message_id=1),
        data=StyleCb(style="loft").pack(),
    )
    await chat.dp.feed_update(chat.bot, Update(update_id=next_id(), callback_query=query))
    [answer] = chat.answers()
    assert answer.text == EXPIRED and answer.show_alert


async def test_admin_commands_are_unknown_to_others(chat: Conversation):
    for command in ("/stats", "/ban 1", "/unban 1", "/quota 1 5"):
        await chat.send(text=command)
    assert chat.texts() == [HINT] * 4
    assert await chat.deps.db.chats.get(1) is None


async def admin_chat(chat: Conversation) -> Conversation:
    return Conversation(chat.dp, MockedBot(), chat.deps, chat_id=ADMIN_ID)


async def test_an_admin_bans_unbans_and_sets_quotas(chat: Conversation):
    admin = await admin_chat(chat)
    target = chat.chat_id
    await admin.send(text=f"/ban {target}")
    assert admin.texts()[-1] == f"{target} is banned."
    await chat.send(text="/help")
    assert chat.texts() == ["Access to the bot is closed for this chat."]
    await admin.send(text=f"/unban {target}")
    await admin.send(text=f"/quota {target} 7")
    assert admin.texts()[-2:] == [
        f"{target} is no longer banned.",
        f"Daily quota of {target}: 7 images.",
    ]
    record = await chat.deps.db.chats.get(target)
    assert (record.banned, record.daily_quota) == (False, 7)
    await admin.send(text=f"/quota {target} default")
    assert (await chat.deps.db.chats.get(target)).daily_quota is None
    await admin.send(text="/quota nobody lots")
    assert admin.texts()[-1].startswith("Usage: /quota")
    await admin.send(text="/stats")
    assert admin.texts()[-1].startswith("Last 24 h:")


async def test_the_menu_is_set_for_every_language_and_the_admins(chat: Conversation):
    bot = MockedBot()
    await set_commands(bot, [ADMIN_ID])
    calls = bot.session.called(SetMyCommands)
    languages = {c.language_code for c in calls if c.scope is None}
    assert {"ru", "en", "uk", None} <= languages, "users with other languages see the menu too"
    [ukrainian] = [c for c in calls if c.language_code == "uk"]
    assert ukrainian.commands[0].description == "Начать", "as the bot will answer them"
    [default] = [c for c in calls if c.scope is None and c.language_code is None]
    assert (default.commands[0].command, default.commands[0].description) == ("start", "Start")
    [admins] = [c for c in calls if c.scope is not None]
    assert admins.scope.chat_id == ADMIN_ID and "ban" in [c.command for c in admins.commands]
