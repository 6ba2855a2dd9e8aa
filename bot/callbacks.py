"""Inline button data. Short prefixes and codes: Telegram allows 64 bytes, and Cyrillic takes two."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class LanguageCallback(CallbackData, prefix="lg"):
    code: str


class ConsentCallback(CallbackData, prefix="cs"):
    agree: bool


class RoleCallback(CallbackData, prefix="rl"):
    role: str


class RegionCallback(CallbackData, prefix="rg"):
    code: str


class MenuAction(StrEnum):
    MENU = "m"
    PROFILE = "p"
    LANGUAGE = "l"
    HELP = "h"


class MenuCallback(CallbackData, prefix="mn"):
    action: MenuAction


class ProfileAction(StrEnum):
    NAME = "n"
    REGION = "r"
    PHONE = "ph"
    PHONE_REMOVE = "pr"
    EXPORT = "x"
    ERASE = "e"
    ERASE_CONFIRM = "ey"


class ProfileCallback(CallbackData, prefix="pf"):
    action: ProfileAction
