"""The main menu and the profile screen's buttons."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import MenuAction, MenuCallback, ProfileAction, ProfileCallback


def menu_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("👤 My profile"), callback_data=MenuCallback(action=MenuAction.PROFILE))
    builder.button(text=_("🌐 Language"), callback_data=MenuCallback(action=MenuAction.LANGUAGE))
    builder.button(text=_("❓ Help"), callback_data=MenuCallback(action=MenuAction.HELP))
    builder.adjust(1, 2)
    return builder.as_markup()


def profile_keyboard(*, has_phone: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✏️ Name"), callback_data=ProfileCallback(action=ProfileAction.NAME))
    builder.button(text=_("📍 Region"), callback_data=ProfileCallback(action=ProfileAction.REGION))
    builder.button(text=_("📱 Phone"), callback_data=ProfileCallback(action=ProfileAction.PHONE))
    if has_phone:
        builder.button(
            text=_("✖️ Remove phone"), callback_data=ProfileCallback(action=ProfileAction.PHONE_REMOVE)
        )
    builder.button(text=_("🌐 Language"), callback_data=MenuCallback(action=MenuAction.LANGUAGE))
    builder.button(text=_("📤 My data"), callback_data=ProfileCallback(action=ProfileAction.EXPORT))
    builder.button(text=_("🗑 Delete my data"), callback_data=ProfileCallback(action=ProfileAction.ERASE))
    builder.button(text=_("⬅️ Menu"), callback_data=MenuCallback(action=MenuAction.MENU))
    builder.adjust(2, 2 if has_phone else 1, 1, 2, 1)
    return builder.as_markup()


def erase_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("🗑 Yes, delete everything"), callback_data=ProfileCallback(action=ProfileAction.ERASE_CONFIRM)
    )
    builder.button(text=_("⬅️ No, keep it"), callback_data=MenuCallback(action=MenuAction.PROFILE))
    builder.adjust(1)
    return builder.as_markup()


def share_phone_keyboard() -> ReplyKeyboardMarkup:
    """Telegram's own contact button: the number comes from Telegram, not typed by hand."""
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=_("📱 Share my number"), request_contact=True)],
            [KeyboardButton(text=_("Cancel"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
