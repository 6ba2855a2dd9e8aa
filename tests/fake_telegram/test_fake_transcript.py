"""A user's conversation as plain text: messages in order, buttons, presses and answers, edits marked."""

from __future__ import annotations

import aiohttp
from aiogram import Bot
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from fake_telegram import FakeTelegram


async def test_transcript_reads_like_the_chat(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(1001, phone="+77011234567")
    await user.send("/start")
    languages = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="Қазақша", callback_data="lang:kk"),
                InlineKeyboardButton(text="Русский", callback_data="lang:ru"),
            ]
        ]
    )
    await bot.send_message(1001, "Сәлем!\nТілді таңдаңыз", reply_markup=languages)
    pressed = await user.press("Қазақша")
    await bot.answer_callback_query(pressed["callback_query"]["id"], text="✓")
    await user.press_data("forged", message_id=2)
    chosen = await bot.send_message(1001, "Қазақ тілі таңдалды")
    await bot.edit_message_text("Қазақ тілі: таңдалды", chat_id=1001, message_id=chosen.message_id)
    phone = ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text="📱 Жіберу", request_contact=True)],
            [KeyboardButton(text="Бас тарту")],
        ]
    )
    await bot.send_message(1001, "Нөміріңіз?", reply_markup=phone)
    await user.press("📱 Жіберу")
    await user.send("typo")
    await user.edit("fixed")
    await bot.send_document(1001, BufferedInputFile(b"%PDF", "report.pdf"), caption="Есеп")
    oops = await bot.send_message(1001, "oops")
    await bot.delete_message(1001, oops.message_id)
    await user.send_sticker("🌳")
    await user.send_voice(7, caption="тыңдаңыз")
    expected = "\n".join(
        [
            "👤 /start",
            "🤖 Сәлем!",
            "   Тілді таңдаңыз",
            "   [Қазақша] [Русский]",
            "👤 ▸ [Қазақша]",
            "🤖 ↳ ✓",
            "👤 ▸ callback_data 'forged' (unanswered)",
            "🤖 Қазақ тілі: таңдалды (edited)",
            "🤖 Нөміріңіз?",
            "   ⌨ [📱 Жіберу]",
            "   ⌨ [Бас тарту]",
            "👤 [contact +77011234567]",
            "👤 fixed (edited)",
            "🤖 [document report.pdf] Есеп",
            "🤖 oops (deleted)",
            "👤 [sticker 🌳]",
            "👤 [voice 7 s] тыңдаңыз",
        ]
    )
    assert user.transcript() == expected
    async with aiohttp.ClientSession() as http, http.get(f"{tg.url}/_fake/users/1001/transcript") as response:
        assert response.status == 200
        assert response.content_type == "text/plain"
        assert await response.text() == expected + "\n"


async def test_an_empty_chat_has_an_empty_transcript(tg: FakeTelegram) -> None:
    assert tg.user(1001).transcript() == ""
