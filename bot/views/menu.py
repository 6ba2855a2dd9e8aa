"""The main menu, help, and the answers to what the bot does not understand."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import BotCommand

from bot.i18n import N_, Translator
from bot.views import View, button, inline_keyboard
from bot.views.onboarding import language_keyboard


class MenuAction(StrEnum):
    MENU = "m"
    PROFILE = "p"
    LANGUAGE = "l"
    HELP = "h"


class MenuCallback(CallbackData, prefix="mn"):
    action: MenuAction


# Command names with their descriptions (msgids); the menu Telegram shows beside the input field.
COMMANDS = (
    ("menu", N_("Main menu")),
    ("profile", N_("My profile")),
    ("language", N_("Change language")),
    ("help", N_("Help")),
    ("cancel", N_("Cancel the current step")),
    ("start", N_("Start over")),
)


def bot_commands(t: Translator) -> list[BotCommand]:
    return [BotCommand(command=name, description=t._(description)) for name, description in COMMANDS]


def menu_view(t: Translator) -> View:
    return View(
        t._("🏠 <b>Main menu</b>\nWhat would you like to do?"),
        inline_keyboard(
            [
                button(t._("👤 My profile"), MenuCallback(action=MenuAction.PROFILE)),
                button(t._("🌐 Language"), MenuCallback(action=MenuAction.LANGUAGE)),
                button(t._("❓ Help"), MenuCallback(action=MenuAction.HELP)),
            ],
            (1, 2),
        ),
    )


def help_view(t: Translator) -> View:
    return View(
        t._(
            "<b>Belsendi</b> connects volunteers, NGOs and event organizers in Kazakhstan.\n\n"
            "/menu — main menu\n"
            "/profile — your profile: name, region, phone, your data\n"
            "/language — switch between Kazakh and Russian\n"
            "/cancel — stop what you are typing\n"
            "/start — start over\n\n"
            "Buttons under messages do the rest."
        )
    )


def choose_language_view(t: Translator) -> View:
    return View(t._("🌐 Choose a language:"), language_keyboard())


def language_changed_text(t: Translator) -> str:
    return t._("✅ Language changed: from now on we speak this language.")


def unknown_input_text(t: Translator) -> str:
    return t._("We didn't understand that. Send /menu to see what Belsendi can do.")


def unknown_command_text(t: Translator) -> str:
    return t._("There is no such command. Send /menu or /help.")


def stale_button_text(t: Translator) -> str:
    return t._("This button is out of date. Send /menu.")


def cancelled_text(t: Translator) -> str:
    return t._("Cancelled. Send /menu to continue.")


def nothing_to_cancel_text(t: Translator) -> str:
    return t._("There is nothing to cancel. Send /menu to continue.")


def error_text(t: Translator) -> str:
    return t._("⚠️ Something went wrong on our side. Please try again in a moment, or send /menu.")


def link_unavailable_text(t: Translator) -> str:
    return t._("The link you followed cannot be opened: what it points to is not available.")


def too_many_messages_text(t: Translator, seconds: int) -> str:
    return t.ngettext(
        "Too many messages. Please wait %(seconds)d second.",
        "Too many messages. Please wait %(seconds)d seconds.",
        seconds,
    ) % {"seconds": seconds}
