"""The command menus Telegram shows beside the input field, in each language."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommandScopeChat, BotCommandScopeDefault
from aiogram.utils.i18n import I18n

from bot.screens.menu import bot_commands
from bot.settings import SUPPORTED_LOCALES


async def set_default_commands(bot: Bot, i18n: I18n) -> None:
    """For every user by their app's language: kk, ru, and the default locale for everyone else."""
    for locale in SUPPORTED_LOCALES:
        await bot.set_my_commands(
            bot_commands(i18n, locale), scope=BotCommandScopeDefault(), language_code=locale
        )
    await bot.set_my_commands(bot_commands(i18n, i18n.default_locale), scope=BotCommandScopeDefault())


async def set_chat_commands(bot: Bot, i18n: I18n, chat_id: int, locale: str) -> None:
    """In the language the user picked, which their Telegram app may not be in (Kazakh rarely is)."""
    await bot.set_my_commands(bot_commands(i18n, locale), scope=BotCommandScopeChat(chat_id=chat_id))
