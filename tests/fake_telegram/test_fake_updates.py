"""Updates: getUpdates long polling and its conflicts, and what user actions look like to the bot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import ClientDecodeError, TelegramBadRequest, TelegramConflictError
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from fake_telegram import FakeTelegram

MakeBot = Callable[..., Bot]


async def test_long_polling_with_offset_confirmation(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(1001, first_name="Aigerim", language_code="kk")
    await user.send("/start ev_12")
    await user.send("сәлем")
    first = await bot.get_updates(timeout=1)
    assert [u.update_id for u in first] == [1, 2]
    message = first[0].message
    assert message is not None
    assert message.text == "/start ev_12"
    assert message.entities is not None
    assert message.entities[0].type == "bot_command"
    assert message.from_user is not None
    assert message.from_user.language_code == "kk"
    # Returned updates stay until a later call confirms them with offset.
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == [1, 2]
    assert tg.confirmed_update_id == 0
    assert [u.update_id for u in await bot.get_updates(offset=2, timeout=0, limit=1)] == [2]
    assert tg.confirmed_update_id == 1
    assert await bot.get_updates(offset=3, timeout=0) == []
    assert tg.confirmed_update_id == 2
    assert tg.pending_updates() == []


async def test_long_poll_holds_until_an_update_arrives(tg: FakeTelegram, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await tg.wait_polling(timeout=2)
    await asyncio.sleep(0.05)
    assert not poll.done()
    await tg.user(1001).send("hello")
    updates = await asyncio.wait_for(poll, 2)
    assert [u.message.text for u in updates if u.message] == ["hello"]


async def test_long_poll_times_out_empty(tg: FakeTelegram, bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=1) == []
    assert loop.time() - started >= 0.9


async def test_second_getupdates_terminates_the_first(tg: FakeTelegram, make_bot: MakeBot) -> None:
    first_bot, second_bot = make_bot(tg), make_bot(tg)
    first = asyncio.create_task(first_bot.get_updates(timeout=5))
    await tg.wait_polling(timeout=2)
    await asyncio.sleep(0.05)
    second = asyncio.create_task(second_bot.get_updates(timeout=1))
    with pytest.raises(TelegramConflictError) as info:
        await first
    assert info.value.message == (
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
    )
    assert await second == []


async def test_getupdates_conflicts_with_webhook(tg: FakeTelegram, bot: Bot) -> None:
    await bot.set_webhook("http://127.0.0.1:9/hook")
    with pytest.raises(TelegramConflictError) as info:
        await bot.get_updates(timeout=0)
    assert info.value.message == (
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first"
    )
    await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == []


async def test_allowed_updates_filter_new_updates(tg: FakeTelegram, bot: Bot) -> None:
    await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    await tg.user(1001).send("ignored")
    assert tg.pending_updates() == []
    await bot.get_updates(timeout=0, allowed_updates=[])
    await tg.user(1001).send("seen")
    assert len(tg.pending_updates()) == 1


async def test_press_inline_button_gives_callback_query(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(1001)
    await user.send("/start")
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text="Қазақша", callback_data="lang:kk")],
            [InlineKeyboardButton(text="Сайт", url="https://example.kz")],
        ]
    )
    sent = await bot.send_message(1001, "Тіл?", reply_markup=markup)
    await user.press("Қазақша")
    updates = await bot.get_updates(offset=2, timeout=0)
    query = updates[-1].callback_query
    assert query is not None
    assert query.data == "lang:kk"
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    assert query.from_user.id == 1001
    assert query.chat_instance
    assert [q.data for q in tg.unanswered_callbacks()] == ["lang:kk"]
    assert await bot.answer_callback_query(query.id, text="Таңдалды")
    assert tg.unanswered_callbacks() == []
    assert user.answers[0].text == "Таңдалды"
    assert not user.answers[0].show_alert
    with pytest.raises(TelegramBadRequest) as info:
        await bot.answer_callback_query(query.id)
    assert info.value.message == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await bot.answer_callback_query("12345")
    with pytest.raises(ValueError, match="not a callback button"):
        await user.press("Сайт")
    with pytest.raises(LookupError, match="no button 'English'"):
        await user.press("English")


async def test_answer_text_over_200_chars(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(1001)
    await user.send("/start")
    markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="A", callback_data="a")]])
    await bot.send_message(1001, "?", reply_markup=markup)
    update = await user.press("A")
    query_id = update["callback_query"]["id"]
    with pytest.raises(TelegramBadRequest, match="Bad Request: MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(query_id, text="ә" * 201)
    assert await bot.answer_callback_query(query_id, text="ә" * 200)


async def test_press_newest_message_first_and_forged_data(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(1001)
    await user.send("/start")
    for n in (1, 2):
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Иә", callback_data=f"yes:{n}")]]
        )
        await bot.send_message(1001, f"#{n}", reply_markup=markup)
    assert (await user.press("Иә"))["callback_query"]["data"] == "yes:2"
    forged = await user.press_data("admin:delete_all")
    assert forged["callback_query"]["data"] == "admin:delete_all"
    assert forged["callback_query"]["message"]["text"] == "#2"
    on_first = await user.press_data("x", message_id=2)
    assert on_first["callback_query"]["message"]["text"] == "#1"


async def test_reply_keyboard_press_sends_text_or_contact(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(1001, first_name="Aigerim", phone="+77011234567")
    await user.send("/start")
    keyboard = ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text="📱 Нөмірімді жіберу", request_contact=True)],
            [KeyboardButton(text="Бас тарту")],
        ]
    )
    await bot.send_message(1001, "Нөміріңіз?", reply_markup=keyboard)
    contact_update = await user.press("📱 Нөмірімді жіберу")
    contact = contact_update["message"]["contact"]
    assert contact == {"phone_number": "+77011234567", "first_name": "Aigerim", "user_id": 1001}
    text_update = await user.press("Бас тарту")
    assert text_update["message"]["text"] == "Бас тарту"
    updates = await bot.get_updates(timeout=0)
    assert updates[1].message is not None
    assert updates[1].message.contact is not None
    assert updates[1].message.contact.user_id == 1001


async def test_other_user_messages(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(1001)
    await user.share_contact(phone="+77017654321")
    await user.send_location(43.238, 76.945)
    await user.send_document(b"%PDF-1.4", file_name="a.pdf")
    await user.send_photo()
    updates = await bot.get_updates(timeout=0)
    messages = [u.message for u in updates if u.message]
    assert messages[0].contact is not None
    assert messages[0].contact.phone_number == "+77017654321"
    assert messages[1].location is not None
    assert messages[1].location.latitude == 43.238
    assert messages[2].document is not None
    assert messages[2].document.file_name == "a.pdf"
    assert messages[3].photo is not None
    # The bot can download what the user sent.
    downloaded = await bot.download(messages[2].document.file_id)
    assert downloaded is not None
    assert downloaded.read() == b"%PDF-1.4"


async def test_wait_message_timeout_explains(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(1001, first_name="Aigerim")
    await user.send("/start")
    await bot.send_message(1001, "first")
    assert (await user.wait_message()).text == "first"
    with pytest.raises(TelegramBadRequest):
        await bot.send_message(1001, "<oops>", parse_mode="HTML")
    with pytest.raises(asyncio.TimeoutError) as info:
        await user.wait_message(timeout=0.1)
    report = str(info.value)
    assert "no new bot message in chat 1001 (Aigerim)" in report
    assert "#2 'first'" in report
    assert 'Unsupported start tag "oops"' in report


async def test_wait_message_snapshot_and_cursor_per_user(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(1001)
    await user.send("/start")
    sent = await bot.send_message(1001, "v1")
    waiter = asyncio.create_task(user.wait_message(timeout=2))
    await asyncio.sleep(0)
    await bot.edit_message_text(text="v2", chat_id=1001, message_id=sent.message_id)
    snapshot = await waiter
    assert snapshot.text == "v1"
    assert user.last_message is not None
    assert user.last_message.text == "v2"
    assert (await user.wait_edit()).text == "v2"
    assert tg.user(1001) is user


async def test_blocked_user_writing_again_unblocks(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(1001)
    await user.send("/start")
    tg.block(1001)
    await user.send("/start")
    kinds = [next(k for k in u if k != "update_id") for u in tg.pending_updates()]
    assert kinds == ["message", "my_chat_member", "my_chat_member", "message"]
    await bot.send_message(1001, "ok")


async def test_block_and_unblock_updates_are_valid_chat_member_changes(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(1001)
    await user.send("/start")
    tg.block(1001)
    tg.unblock(1001)
    # aiogram parses them as Telegram would send them: a "kicked" member always carries until_date.
    blocked, unblocked = [u.my_chat_member for u in (await bot.get_updates(timeout=0))[1:]]
    assert blocked is not None
    assert unblocked is not None
    assert (blocked.old_chat_member.status, blocked.new_chat_member.status) == ("member", "kicked")
    assert (unblocked.old_chat_member.status, unblocked.new_chat_member.status) == ("kicked", "member")
    raw = tg.pending_updates()[2]["my_chat_member"]
    assert raw["old_chat_member"]["until_date"] == 0  # 0: banned forever
    assert "until_date" not in raw["new_chat_member"]


async def test_callback_timeout_option(make_bot: MakeBot) -> None:
    async with FakeTelegram(callback_timeout=0.05) as strict:
        bot = make_bot(strict)
        user = strict.user(1001)
        await user.send("/start")
        markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="A", callback_data="a")]])
        await bot.send_message(1001, "?", reply_markup=markup)
        update = await user.press("A")
        await asyncio.sleep(0.1)
        with pytest.raises(TelegramBadRequest, match="query is too old"):
            await bot.answer_callback_query(update["callback_query"]["id"])


async def test_a_raw_update_reaches_the_bot_as_given(tg: FakeTelegram, bot: Bot, token: str) -> None:
    user = tg.user(1001)
    await user.send("/start")
    bogus = tg.inject_raw_update({"message": {"bogus": True}})
    assert bogus == {"update_id": 2, "message": {"bogus": True}}
    await user.send("after it")
    # aiogram cannot parse a batch holding it: what the bot's inbox has to cope with.
    with pytest.raises(ClientDecodeError):
        await bot.get_updates(timeout=0)
    async with aiohttp.ClientSession() as http, http.get(f"{tg.url}/bot{token}/getUpdates") as response:
        updates = (await response.json())["result"]
    assert [u["update_id"] for u in updates] == [1, 2, 3]
    assert updates[1] == {"update_id": 2, "message": {"bogus": True}}


async def test_raw_update_ids_are_kept_or_assigned(tg: FakeTelegram, bot: Bot) -> None:
    first = tg.inject_raw_update({"update_id": 50, "message": {"text": "once"}})
    again = tg.inject_raw_update({"update_id": 50, "message": {"text": "once"}})  # a duplicate on purpose
    assert first == again
    assert (await tg.user(1).send("next"))["update_id"] == 51
    source = {"message": {"text": "as injected"}}
    queued = tg.inject_raw_update(source)
    source["message"]["text"] = "changed later"
    assert queued == {"update_id": 52, "message": {"text": "as injected"}}
    with pytest.raises(ValueError, match="update_id must be an integer"):
        tg.inject_raw_update({"update_id": "53"})
    with pytest.raises(ValueError, match="JSON object"):
        tg.inject_raw_update({"message": {"date": object()}})
    # allowed_updates filters what users do, not what a test injects.
    assert await bot.get_updates(offset=53, timeout=0, allowed_updates=["callback_query"]) == []
    tg.inject_raw_update({"message": {"text": "unfiltered"}})
    await tg.user(1).send("filtered out")
    assert tg.pending_updates() == [{"update_id": 53, "message": {"text": "unfiltered"}}]


async def test_sticker_and_voice_messages(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(1001)
    await user.send_sticker("🌳")
    await user.send_voice(duration=7, data=b"OggS-voice", caption="тыңдаңыз")
    sticker_message, voice_message = [u.message for u in await bot.get_updates(timeout=0) if u.message]
    assert sticker_message.sticker is not None
    assert (sticker_message.sticker.emoji, sticker_message.sticker.type) == ("🌳", "regular")
    assert voice_message.voice is not None
    assert (voice_message.voice.duration, voice_message.caption) == (7, "тыңдаңыз")
    downloaded = await bot.download(voice_message.voice.file_id)
    assert downloaded is not None
    assert downloaded.read() == b"OggS-voice"
    copied = await bot.copy_message(1001, 1001, sticker_message.message_id)
    assert user.chat.bot_messages[copied.message_id].content == "sticker"


async def test_a_user_edits_an_earlier_message(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(1001)
    await user.send("/start")
    await user.send("Алматы")
    await user.send_photo(caption="before")
    await user.send_sticker()
    await user.edit("Астана", message_id=2)
    await user.edit("/help", message_id=1)
    await user.edit("after")  # the newest message with text or a caption: the photo
    updates = await bot.get_updates(offset=5, timeout=0)
    edits = [u.edited_message for u in updates]
    assert all(edit is not None for edit in edits)
    city, command, photo = [edit for edit in edits if edit is not None]
    assert (city.message_id, city.text, city.edit_date is not None) == (2, "Астана", True)
    assert command.entities is not None
    assert (command.text, command.entities[0].type) == ("/help", "bot_command")
    assert (photo.message_id, photo.caption, photo.photo is not None) == (3, "after", True)
    # The chat holds the edited text: a copy shows it.
    copied = await bot.copy_message(1001, 1001, 2)
    assert user.chat.bot_messages[copied.message_id].text == "Астана"
    with pytest.raises(ValueError, match="no text or caption"):
        await user.edit("x", message_id=4)  # the sticker
    with pytest.raises(ValueError, match="already says that"):
        await user.edit("Астана", message_id=2)
    with pytest.raises(LookupError, match="no message #99"):
        await user.edit("x", message_id=99)
