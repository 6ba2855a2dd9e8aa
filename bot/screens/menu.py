"""The main menu, help, and the answers to what the bot does not understand."""

from __future__ import annotations

from aiogram.types import BotCommand
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.i18n import N_
from bot.keyboards.menu import menu_keyboard
from bot.keyboards.onboarding import language_keyboard
from bot.screens import Screen

# Command names with their descriptions (msgids); the menu Telegram shows beside the input field.
COMMANDS = (
    ("menu", N_("Main menu")),
    ("profile", N_("My profile")),
    ("language", N_("Change language")),
    ("help", N_("Help")),
    ("cancel", N_("Cancel the current step")),
    ("start", N_("Start over")),
)


def bot_commands(i18n: I18n, locale: str) -> list[BotCommand]:
    return [
        BotCommand(command=name, description=i18n.gettext(description, locale=locale))
        for name, description in COMMANDS
    ]


def menu_screen() -> Screen:
    return Screen(_("🏠 <b>Main menu</b>\nWhat would you like to do?"), menu_keyboard())


def help_screen() -> Screen:
    return Screen(
        _(
            "<b>Belsendi</b> connects volunteers, NGOs and event organizers in Kazakhstan.\n\n"
            "/menu — main menu\n"
            "/profile — your profile: name, region, phone, your data\n"
            "/language — switch between Kazakh and Russian\n"
            "/cancel — stop what you are typing\n"
            "/start — start over\n\n"
            "Buttons under messages do the rest."
        )
    )


def choose_language_screen() -> Screen:
    return Screen(_("🌐 Choose a language:"), language_keyboard())


def language_changed_text() -> str:
    return _("✅ Language changed: from now on we speak this language.")


def unknown_input_text() -> str:
    return _("We didn't understand that. Send /menu to see what Belsendi can do.")


def unknown_command_text() -> str:
    return _("There is no such command. Send /menu or /help.")


def stale_button_text() -> str:
    return _("This button is out of date. Send /menu.")


def cancelled_text() -> str:
    return _("Cancelled. Send /menu to continue.")


def nothing_to_cancel_text() -> str:
    return _("There is nothing to cancel. Send /menu to continue.")


def error_text() -> str:
    return _("⚠️ Something went wrong on our side. Please try again in a moment, or send /menu.")


def link_unavailable_text() -> str:
    return _("The link you followed cannot be opened: what it points to is not available.")
