"""Bot API methods through a real aiogram Bot: shapes, and Telegram's strict 400/401/403/404 answers."""

from __future__ import annotations

import json
from collections.abc import Callable

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramEntityTooLarge, TelegramForbiddenError
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from fake_telegram import FakeTelegram

MakeBot = Callable[..., Bot]


def kb(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[list(buttons)])


async def started_user(tg: FakeTelegram, user_id: int = 1001) -> None:
    await tg.user(user_id, first_name="Aigerim", language_code="kk").send("/start")


async def test_get_me(tg: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456789
    assert me.is_bot
    assert me.username == "belsendi_bot"


async def test_send_message_html_parsed_and_stored(tg: FakeTelegram, bot: Bot) -> None:
    await started_user(tg)
    sent = await bot.send_message(1001, "<b>Сәлем</b>, &lt;дос&gt;!", parse_mode="HTML")
    assert sent.text == "Сәлем, <дос>!"
    assert sent.entities is not None
    assert sent.entities[0].type == "bold"
    assert sent.from_user is not None
    assert sent.from_user.id == 123456789
    message = await tg.user(1001).wait_message()
    assert message.text == "Сәлем, <дос>!"
    assert message.html == "<b>Сәлем</b>, &lt;дос&gt;!"
    assert message.parse_mode == "HTML"
    assert message.kind == "text"
    method, params, response = tg.calls("sendMessage")[-1]
    assert (method, params["chat_id"], response["ok"]) == ("sendMessage", 1001, True)


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("Баға < 100", 'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 9'),
        ("<b>жуан", "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""),
        ("<b></b>", "Bad Request: message text is empty"),
        ("   ", "Bad Request: message text is empty"),
    ],
)
async def test_send_message_strict_html(tg: FakeTelegram, bot: Bot, text: str, description: str) -> None:
    await started_user(tg)
    with pytest.raises(TelegramBadRequest) as info:
        await bot.send_message(1001, text, parse_mode="HTML")
    assert info.value.message == description
    assert tg.user(1001).messages == []


async def test_length_limit_counts_text_after_tags(tg: FakeTelegram, bot: Bot) -> None:
    await started_user(tg)
    # 4096 letters of visible text fit, however many tags wrap them ...
    await bot.send_message(1001, "<b>" + "ә" * 4000 + "</b><i>" + "a" * 96 + "</i>", parse_mode="HTML")
    # ... one more does not; and an emoji counts as two UTF-16 units.
    with pytest.raises(TelegramBadRequest, match="Bad Request: message is too long"):
        await bot.send_message(1001, "<b>" + "ә" * 4097 + "</b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="Bad Request: message is too long"):
        await bot.send_message(1001, "🌳" * 2049)


async def test_chat_not_found_for_a_user_who_never_wrote(tg: FakeTelegram, bot: Bot) -> None:
    tg.user(2002)  # exists, but never started the bot
    for chat_id in (2002, 999):
        with pytest.raises(TelegramBadRequest, match="Bad Request: chat not found"):
            await bot.send_message(chat_id, "hi")


async def test_callback_data_over_64_bytes_refused(tg: FakeTelegram, bot: Bot) -> None:
    await started_user(tg)
    kazakh_65_bytes = "ә" * 32 + "a"  # 32 two-byte letters + 1 = 65 bytes, only 33 characters
    assert len(kazakh_65_bytes.encode()) == 65
    with pytest.raises(TelegramBadRequest) as info:
        await bot.send_message(
            1001, "x", reply_markup=kb(InlineKeyboardButton(text="ә", callback_data=kazakh_65_bytes))
        )
    assert info.value.message == "Bad Request: BUTTON_DATA_INVALID"
    await bot.send_message(1001, "x", reply_markup=kb(InlineKeyboardButton(text="ә", callback_data="ә" * 32)))


async def test_inline_keyboard_rules(tg: FakeTelegram, bot: Bot) -> None:
    await started_user(tg)
    with pytest.raises(TelegramBadRequest) as info:
        await bot.send_message(1001, "x", reply_markup=kb(InlineKeyboardButton(text="no action")))
    assert info.value.message == (
        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(1001, "x", reply_markup=kb(InlineKeyboardButton(text="e", callback_data="")))
    many = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=str(i), callback_data=str(i))] for i in range(101)]
    )
    with pytest.raises(TelegramBadRequest, match="Bad Request: reply markup is too long"):
        await bot.send_message(1001, "x", reply_markup=many)


async def test_sent_message_helpers(tg: FakeTelegram, bot: Bot) -> None:
    await started_user(tg)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text="Қазақша", callback_data="lang:kk")],
            [InlineKeyboardButton(text="Русский", callback_data="lang:ru")],
        ]
    )
    await bot.send_message(1001, "Тілді таңдаңыз", reply_markup=markup)
    message = await tg.user(1001).wait_message()
    assert message.has_inline_keyboard
    assert message.buttons == [["Қазақша"], ["Русский"]]
    assert message.callback_data("Русский") == "lang:ru"
    with pytest.raises(KeyError):
        message.callback_data("English")


async def test_edit_not_modified_and_not_found(tg: FakeTelegram, bot: Bot) -> None:
    await started_user(tg)
    markup = kb(InlineKeyboardButton(text="OK", callback_data="ok"))
    sent = await bot.send_message(1001, "<b>Hi</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(TelegramBadRequest) as info:
        await bot.edit_message_text(
            text="<b>Hi</b>", chat_id=1001, message_id=sent.message_id, parse_mode="HTML", reply_markup=markup
        )
    assert info.value.message.startswith(
        "Bad Request: message is not modified: specified new message content"
    )
    # Same text, but no markup: Telegram removes the keyboard, so that is a modification.
    edited = await bot.edit_message_text(
        text="<b>Hi</b>", chat_id=1001, message_id=sent.message_id, parse_mode="HTML"
    )
    assert not isinstance(edited, bool)
    assert edited.reply_markup is None
    user = tg.user(1001)
    snapshot = await user.wait_edit()
    assert snapshot.edits == 1
    assert not snapshot.has_inline_keyboard
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=1001, message_id=999)
    with pytest.raises(TelegramBadRequest, match="Bad Request: message is not modified"):
        await bot.edit_message_reply_markup(chat_id=1001, message_id=sent.message_id)
    await bot.edit_message_reply_markup(chat_id=1001, message_id=sent.message_id, reply_markup=markup)
    assert user.last_message is not None
    assert user.last_message.edits == 2


async def test_edit_message_in_another_chat_is_not_found(tg: FakeTelegram, bot: Bot) -> None:
    await started_user(tg, 1001)
    await started_user(tg, 1002)
    sent = await bot.send_message(1001, "mine")
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=1002, message_id=sent.message_id)


async def test_edit_text_too_long_and_empty(tg: FakeTelegram, bot: Bot) -> None:
    await started_user(tg)
    sent = await bot.send_message(1001, "short")
    with pytest.raises(TelegramBadRequest, match="Bad Request: MESSAGE_TOO_LONG"):
        await bot.edit_message_text(text="x" * 4097, chat_id=1001, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="Bad Request: message text is empty"):
        await bot.edit_message_text(text=" ", chat_id=1001, message_id=sent.message_id)


async def test_delete_and_copy(tg: FakeTelegram, bot: Bot) -> None:
    await started_user(tg)
    user = tg.user(1001)
    await user.send_document(b"%PDF", file_name="cv.pdf")
    sent = await bot.send_message(1001, "bye")
    assert await bot.delete_message(1001, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to delete not found"):
        await bot.delete_message(1001, sent.message_id)
    assert [m.message_id for m in user.messages] == []
    copied = await bot.copy_message(chat_id=1001, from_chat_id=1001, message_id=2, caption="your file")
    message = user.messages[-1]
    assert message.message_id == copied.message_id
    assert (message.kind, message.content, message.text) == ("copy", "document", "your file")
    assert message.media["document"]["file_name"] == "cv.pdf"
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to copy not found"):
        await bot.copy_message(chat_id=1001, from_chat_id=1001, message_id=999)


async def test_blocked_user_gets_403_and_bot_gets_my_chat_member(tg: FakeTelegram, bot: Bot) -> None:
    await started_user(tg)
    tg.block(1001)
    with pytest.raises(TelegramForbiddenError) as info:
        await bot.send_message(1001, "news")
    assert info.value.message == "Forbidden: bot was blocked by the user"
    update = tg.pending_updates()[-1]
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    tg.unblock(1001)
    await bot.send_message(1001, "welcome back")


async def test_reply_keyboard_is_remembered_and_removed(tg: FakeTelegram, bot: Bot) -> None:
    await started_user(tg)
    user = tg.user(1001)
    keyboard = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="📱 Нөмір", request_contact=True)]])
    await bot.send_message(1001, "phone?", reply_markup=keyboard)
    assert user.reply_keyboard is not None
    assert (await user.wait_message()).buttons == [["📱 Нөмір"]]
    await bot.send_message(1001, "thanks", reply_markup=ReplyKeyboardRemove())
    assert user.reply_keyboard is None


async def test_set_my_commands_per_language(tg: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(command="start", description="Бастау")], language_code="kk")
    await bot.set_my_commands([BotCommand(command="start", description="Начать")], language_code="ru")
    await bot.set_my_commands(
        [BotCommand(command="help", description="Help")], scope=BotCommandScopeAllPrivateChats()
    )
    assert tg.commands(language_code="kk") == [{"command": "start", "description": "Бастау"}]
    assert tg.commands(language_code="ru")[0]["description"] == "Начать"
    assert tg.commands() == []
    assert tg.commands("all_private_chats")[0]["command"] == "help"
    fetched = await bot.get_my_commands(language_code="kk")
    assert [c.command for c in fetched] == ["start"]
    await bot.delete_my_commands(language_code="kk")
    assert tg.commands(language_code="kk") == []
    with pytest.raises(TelegramBadRequest, match="Bad Request: BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start-Now", description="x")])
    with pytest.raises(TelegramBadRequest, match="Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"):
        await bot.set_my_commands([BotCommand(command="start", description="x" * 257)])


async def test_send_document_multipart_and_download(tg: FakeTelegram, bot: Bot) -> None:
    await started_user(tg)
    payload = "BEGIN:VCALENDAR\nSUMMARY:Тазалық күні\nEND:VCALENDAR\n".encode()
    sent = await bot.send_document(
        1001, BufferedInputFile(payload, filename="event.ics"), caption="<b>Күнтізбе</b>", parse_mode="HTML"
    )
    assert sent.document is not None
    assert sent.document.file_name == "event.ics"
    assert sent.caption == "Күнтізбе"
    message = await tg.user(1001).wait_message()
    assert message.kind == "document"
    assert message.file is not None
    assert message.file.data == payload
    # The file_id can be re-sent, and downloaded through getFile like on Telegram.
    again = await bot.send_document(1001, sent.document.file_id)
    assert again.document is not None
    assert again.document.file_id == sent.document.file_id
    downloaded = await bot.download(sent.document.file_id)
    assert downloaded is not None
    assert downloaded.read() == payload
    with pytest.raises(TelegramBadRequest, match="wrong file identifier/HTTP URL specified"):
        await bot.send_document(1001, "no-such-file-id")
    with pytest.raises(TelegramBadRequest, match="Bad Request: message caption is too long"):
        await bot.send_document(1001, BufferedInputFile(b"x", filename="a.txt"), caption="c" * 1025)


async def test_send_photo_location_venue_chat_action(tg: FakeTelegram, bot: Bot) -> None:
    await started_user(tg)
    photo = await bot.send_photo(1001, BufferedInputFile(b"\xff\xd8\xff", filename="p.jpg"), caption="📷")
    assert photo.photo is not None
    await bot.send_location(1001, latitude=43.238, longitude=76.945)
    await bot.send_venue(1001, latitude=43.238, longitude=76.945, title="Саябақ", address="Алматы")
    assert await bot.send_chat_action(1001, "typing")
    kinds = [m.kind for m in tg.user(1001).messages]
    assert kinds == ["photo", "location", "venue"]
    assert tg.user(1001).messages[-1].media["venue"]["title"] == "Саябақ"


async def test_bad_token_unknown_method_and_plain_http_bodies(tg: FakeTelegram, token: str) -> None:
    await started_user(tg)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{tg.url}/botnot-a-token/getMe") as response:
            assert response.status == 401
            assert await response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        async with http.post(f"{tg.url}/bot{token}/sendTelepathy") as response:
            assert response.status == 404
            assert (await response.json())["description"] == "Not Found"
        async with http.get(f"{tg.url}/nowhere") as response:
            assert response.status == 404
        # JSON body, with a real (not stringified) reply_markup, and a method name in another case.
        markup = {"inline_keyboard": [[{"text": "Иә", "callback_data": "yes"}]]}
        async with http.post(
            f"{tg.url}/bot{token}/SENDMESSAGE", json={"chat_id": 1001, "text": "json", "reply_markup": markup}
        ) as response:
            body = await response.json()
            assert body["ok"]
            assert body["result"]["reply_markup"] == markup
        # Query string and urlencoded form.
        async with http.get(
            f"{tg.url}/bot{token}/sendMessage", params={"chat_id": "1001", "text": "query"}
        ) as r:
            assert (await r.json())["result"]["text"] == "query"
        form = {"chat_id": "1001", "text": "form", "reply_markup": json.dumps(markup)}
        async with http.post(f"{tg.url}/bot{token}/sendMessage", data=form) as response:
            assert (await response.json())["ok"]
    assert [m.text for m in tg.user(1001).messages] == ["json", "query", "form"]


async def test_another_token_with_same_id_is_unauthorized_and_bots_are_separate(
    tg: FakeTelegram, token: str
) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{tg.url}/bot{token}/getMe") as response:
            assert response.status == 200
        async with http.get(f"{tg.url}/bot123456789:ThisIsAnotherSecretXXXXXXXX/getMe") as response:
            assert response.status == 401
        async with http.get(f"{tg.url}/bot555:SecondBotSecretXXXXXXXXXXXX/getMe") as response:
            assert (await response.json())["result"]["id"] == 555
    assert tg.bot_state(555) is not tg.bot_state()


async def test_upload_too_large_is_413(make_bot: MakeBot) -> None:
    async with FakeTelegram(max_file_size=1024) as small:
        await small.user(1001).send("/start")
        tiny = make_bot(small)
        with pytest.raises(TelegramEntityTooLarge, match="Request Entity Too Large"):
            await tiny.send_document(1001, BufferedInputFile(b"x" * 2048, filename="big.bin"))


async def test_edit_caption_and_profile_settings(tg: FakeTelegram, bot: Bot) -> None:
    await started_user(tg)
    sent = await bot.send_document(1001, BufferedInputFile(b"x", filename="a.txt"), caption="old")
    await bot.edit_message_caption(
        chat_id=1001, message_id=sent.message_id, caption="<i>new</i>", parse_mode="HTML"
    )
    assert (await tg.user(1001).wait_edit()).text == "new"
    text = await bot.send_message(1001, "text")
    with pytest.raises(TelegramBadRequest, match="there is no caption in the message to edit"):
        await bot.edit_message_caption(chat_id=1001, message_id=text.message_id, caption="c")
    assert await bot.set_my_description("Еріктілерге арналған бот", language_code="kk")
    assert (await bot.get_my_description(language_code="kk")).description == "Еріктілерге арналған бот"
    assert await bot.set_chat_menu_button()


async def test_refused_requests_take_no_message_id(tg: FakeTelegram, bot: Bot) -> None:
    await started_user(tg)  # message 1
    with pytest.raises(TelegramBadRequest):
        await bot.copy_message(chat_id=1001, from_chat_id=1001, message_id=99)
    with pytest.raises(TelegramBadRequest):
        await bot.send_message(1001, "<x>", parse_mode="HTML")
    assert (await bot.send_message(1001, "ok")).message_id == 2
