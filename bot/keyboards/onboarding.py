"""Buttons of the first conversation: language, consent, role, region."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import ConsentCallback, LanguageCallback, RegionCallback, RoleCallback
from bot.i18n import LANGUAGE_NAMES
from bot.services.regions import REGIONS
from bot.services.roles import ROLE_NAMES


def language_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code, name in LANGUAGE_NAMES.items():
        builder.button(text=name, callback_data=LanguageCallback(code=code))
    return builder.as_markup()


def consent_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ I agree"), callback_data=ConsentCallback(agree=True))
    builder.button(text=_("✖️ No, thanks"), callback_data=ConsentCallback(agree=False))
    return builder.as_markup()


def role_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for role, name in ROLE_NAMES.items():
        builder.button(text=_(name), callback_data=RoleCallback(role=role))
    builder.adjust(1)
    return builder.as_markup()


def region_keyboard() -> InlineKeyboardMarkup:
    """Cities first, then regions in the alphabetical order of the user's language."""
    cities = [region for region in REGIONS if region.is_city]
    regions = sorted((region for region in REGIONS if not region.is_city), key=lambda r: _(r.name))
    builder = InlineKeyboardBuilder()
    for region in cities + regions:
        builder.button(text=_(region.name), callback_data=RegionCallback(code=region.code))
    builder.adjust(3, 2)
    return builder.as_markup()
