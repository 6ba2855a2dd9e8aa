"""The command menus Telegram shows beside the input field, in each language."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommandScopeChat, BotCommandScopeDefault

from bot.i18n import Catalogs, Translator
from bot.views.menu import bot_commands


async def set_default_commands(bot: Bot, catalogs: Catalogs) -> None:
    """For every user by their app's language: kk, ru, and the default locale for everyone else."""
    for t in catalogs.all():
        await bot.set_my_commands(bot_commands(t), scope=BotCommandScopeDefault(), language_code=t.locale)
    await bot.set_my_commands(bot_commands(catalogs[catalogs.default_locale]), scope=BotCommandScopeDefault())


async def set_chat_commands(bot: Bot, t: Translator, chat_id: int) -> None:
    """In the language the user picked, which their Telegram app may not be in (Kazakh rarely is)."""
    await bot.set_my_commands(bot_commands(t), scope=BotCommandScopeChat(chat_id=chat_id))


async def forget_chat_commands(bot: Bot, chat_id: int) -> None:
    """After erasure: the chat's menu falls back to the app's language, as for someone new."""
    await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=chat_id))
