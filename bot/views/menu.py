"""The main menu, help, where screens return to, and the answers to what the bot does not understand."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import BotCommand, InlineKeyboardButton

from bot.i18n import N_, Translator
from bot.views import View, button, in_languages, inline_keyboard


class MenuAction(StrEnum):
    MENU = "m"
    PROFILE = "p"
    LANGUAGE = "l"
    HELP = "h"
    START_OVER = "s"


class MenuCallback(CallbackData, prefix="mn"):
    action: MenuAction


class Origin(StrEnum):
    """Where a screen was opened from: its back button, and the end of what it does, return there."""

    ONBOARDING = "o"  # someone still setting up: back to the open question
    MENU = "m"
    PROFILE = "p"
    START_OVER = "s"  # the /start screen of someone already set up


_RETURNS = {
    Origin.ONBOARDING: MenuAction.MENU,  # the menu is not theirs yet: it shows them the open question
    Origin.MENU: MenuAction.MENU,
    Origin.PROFILE: MenuAction.PROFILE,
    Origin.START_OVER: MenuAction.START_OVER,
}


def back_button(t: Translator, origin: Origin) -> InlineKeyboardButton:
    if origin is Origin.ONBOARDING:
        label = t._("▶️ Continue setting up")
    elif origin is Origin.MENU:
        label = t._("⬅️ Menu")
    else:
        label = t._("⬅️ Back")
    return button(label, MenuCallback(action=_RETURNS[origin]))


# Command names with their descriptions (msgids); the menu Telegram shows beside the input field.
COMMANDS = (
    ("menu", N_("Main menu")),
    ("profile", N_("My profile")),
    ("privacy", N_("Privacy: what Belsendi keeps")),
    ("language", N_("Change language")),
    ("help", N_("Help")),
    ("cancel", N_("Cancel the current step")),
    ("start", N_("Start over")),
)


def bot_commands(t: Translator) -> list[BotCommand]:
    return [BotCommand(command=name, description=t._(description)) for name, description in COMMANDS]


def menu_view(t: Translator, *, organizes: bool = False) -> View:
    """The main menu; `organizes`: the user creates events (an approved organizer or an admin), and
    gets their events' entry."""
    # Here, not at the top: the events and publishing views import the menu's back button.
    from bot.views.events import EventsAction, EventsCallback
    from bot.views.grants import GrantsAction, GrantsCallback
    from bot.views.publishing import organizer_menu_button

    buttons = [
        button(t._("🌿 Eco events"), EventsCallback(action=EventsAction.LIST)),
        button(t._("💰 Grants"), GrantsCallback(action=GrantsAction.LIST)),
    ]
    if organizes:
        buttons.append(organizer_menu_button(t))
    buttons += [
        button(t._("👤 My profile"), MenuCallback(action=MenuAction.PROFILE)),
        button(t._("🌐 Language"), MenuCallback(action=MenuAction.LANGUAGE)),
        button(t._("❓ Help"), MenuCallback(action=MenuAction.HELP)),
    ]
    return View(
        t._("🏠 <b>Main menu</b>\nWhat would you like to do?"),
        inline_keyboard(buttons, (1, 1, 1, 1, 2) if organizes else (1, 1, 1, 2)),
    )


def help_view(t: Translator, *, onboarded: bool, languages: Sequence[Translator]) -> View:
    """Help in `languages` (both before the user chose one), with a way back to the menu, or on to the
    open question for someone still setting up."""
    text = in_languages(
        languages,
        lambda t: (
            t._(
                "<b>Belsendi</b> connects volunteers, NGOs and event organizers in Kazakhstan.\n\n"
                "/menu — main menu\n"
                "/profile — your profile: name, role, region, phone\n"
                "/privacy — what Belsendi keeps about you: download it, withdraw your consent or delete it\n"
                "/language — switch between Kazakh and Russian\n"
                "/cancel — stop what you are typing\n"
                "/start — start over: change your role, region or language\n\n"
                "Buttons under messages do the rest."
            )
            # Said to everyone: /help reads nothing to know who is an admin; /admins checks.
            + "\n\n"
            + t._("/admins — for admins: who the admins are, and their commands")
        ),
    )
    return View(text, inline_keyboard([back_button(t, Origin.MENU if onboarded else Origin.ONBOARDING)]))


def admin_commands_text(t: Translator) -> str:
    return t._(
        "<b>For admins</b>\n"
        "/broadcast — a notice to many users; /broadcasts — scheduled and sent ones\n"
        "/grant_new — add a grant call (edit or close one from its card)\n"
        "/questions — questions about grant calls waiting for an answer\n"
        "/sectors — the sectors of grant calls: add, rename, retire\n"
        "/admins — who the admins are; /promote and /revoke"
    )


def unknown_input_text(t: Translator) -> str:
    return t._("We didn't understand that. Send /menu to see what Belsendi can do.")


def unknown_command_text(t: Translator) -> str:
    return t._("There is no such command. Send /menu or /help.")


def stale_button_text(t: Translator) -> str:
    return t._("This button is out of date. Send /menu.")


def stranger_button_text(languages: Sequence[Translator]) -> str:
    """For a press from someone we do not know (who deleted their data): in every language."""
    return in_languages(languages, lambda t: t._("This button is out of date. Send /start."), "\n")


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
