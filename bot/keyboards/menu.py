"""The main menu and the profile screen's buttons."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.callbacks import MenuAction, MenuCallback, ProfileAction, ProfileCallback
from bot.keyboards import button, inline_keyboard


def menu_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard(
        [
            button(_("👤 My profile"), MenuCallback(action=MenuAction.PROFILE)),
            button(_("🌐 Language"), MenuCallback(action=MenuAction.LANGUAGE)),
            button(_("❓ Help"), MenuCallback(action=MenuAction.HELP)),
        ],
        (1, 2),
    )


def profile_keyboard(*, has_phone: bool) -> InlineKeyboardMarkup:
    phone = [button(_("📱 Phone"), ProfileCallback(action=ProfileAction.PHONE))]
    if has_phone:
        phone.append(button(_("✖️ Remove phone"), ProfileCallback(action=ProfileAction.PHONE_REMOVE)))
    return inline_keyboard(
        [
            button(_("✏️ Name"), ProfileCallback(action=ProfileAction.NAME)),
            button(_("📍 Region"), ProfileCallback(action=ProfileAction.REGION)),
            *phone,
            button(_("🌐 Language"), MenuCallback(action=MenuAction.LANGUAGE)),
            button(_("📤 My data"), ProfileCallback(action=ProfileAction.EXPORT)),
            button(_("🗑 Delete my data"), ProfileCallback(action=ProfileAction.ERASE)),
            button(_("⬅️ Menu"), MenuCallback(action=MenuAction.MENU)),
        ],
        (2, len(phone), 1, 2, 1),
    )


def erase_keyboard() -> InlineKeyboardMarkup:
    return inline_keyboard(
        [
            button(_("🗑 Yes, delete everything"), ProfileCallback(action=ProfileAction.ERASE_CONFIRM)),
            button(_("⬅️ No, keep it"), MenuCallback(action=MenuAction.PROFILE)),
        ]
    )


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
