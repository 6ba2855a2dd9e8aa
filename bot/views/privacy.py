"""/privacy: what Belsendi keeps about the user, and their choices: download it, withdraw consent, delete."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from bot.i18n import Translator
from bot.views import View, button, in_languages, inline_keyboard
from bot.views.menu import Origin, back_button
from storage.repositories.users import UserProfile


class PrivacyAction(StrEnum):
    SHOW = "s"
    EXPORT = "x"
    WITHDRAW = "w"
    WITHDRAW_CONFIRM = "wy"
    ERASE = "e"
    ERASE_CONFIRM = "ey"


class PrivacyCallback(CallbackData, prefix="pv"):
    action: PrivacyAction
    origin: Origin


def _kept_text(t: Translator, user: UserProfile) -> str:
    if user.consent_at is None:
        return t._(
            "🔒 <b>Your data in Belsendi</b>\n"
            "You have not given your consent, so Belsendi keeps only your Telegram id, the language "
            "you chose and how far you got in setting up (and a link you followed, until setting up "
            "is over).\n"
            "With the buttons below you can download it as a file or delete it."
        )
    return "\n".join(
        [
            t._(
                "🔒 <b>Your data in Belsendi</b>\n"
                "With your consent Belsendi keeps:\n"
                "• your Telegram id, name and username, and the language of your Telegram app;\n"
                "• the language, role and region you chose;\n"
                "• your phone number, if you shared it.\n"
                "We use it only to run the bot and never hand it to anyone else."
            ),
            t._(
                "An NGO representative's NGO profile (legal form, NGO database listing, region, sectors, "
                "youth organization) is kept too, if they filled it in; withdrawing consent or deleting the "
                "data removes it."
            ),
            t._(
                "For a request to be an NGO representative or an organizer, the organisation's name and "
                "BIN you gave are kept too, for the admins who decide it; withdrawing consent or deleting "
                "the data removes them."
            ),
            t._(
                "Using the grant calls, Belsendi also keeps the calls you saved and your choice of deadline "
                "reminders, your questions about calls (with their answers), your grant alerts subscription "
                "and the calls you marked not relevant; deleting the data removes them."
            ),
            t._("Consent given: %(date)s") % {"date": t.date(user.consent_at)},
            "",
            t._(
                "With the buttons below you can:\n"
                "• download all of it as a file;\n"
                "• withdraw your consent: Belsendi forgets your name, username, phone, role and region "
                "and keeps only your Telegram id and language; you can give your consent again later;\n"
                "• delete everything: Belsendi keeps nothing about you any more."
            ),
        ]
    )


def privacy_view(
    t: Translator, user: UserProfile, origin: Origin, *, languages: Sequence[Translator]
) -> View:
    """What is kept, in `languages` (every one before the user chose); the buttons in `t`."""
    buttons = [button(t._("📤 My data"), PrivacyCallback(action=PrivacyAction.EXPORT, origin=origin))]
    if user.consent_at is not None:
        buttons.append(
            button(t._("↩️ Withdraw consent"), PrivacyCallback(action=PrivacyAction.WITHDRAW, origin=origin))
        )
    buttons += [
        button(t._("🗑 Delete my data"), PrivacyCallback(action=PrivacyAction.ERASE, origin=origin)),
        back_button(t, origin),
    ]
    return View(in_languages(languages, lambda t: _kept_text(t, user)), inline_keyboard(buttons))


def withdraw_confirm_view(t: Translator, origin: Origin) -> View:
    return View(
        t._(
            "↩️ <b>Withdraw your consent?</b>\n"
            "Belsendi will forget your name, username, phone, role and region, and will not be able to "
            "sign you up for anything. Your Telegram id and language stay, so that we can ask for your "
            "consent again."
        ),
        inline_keyboard(
            [
                button(
                    t._("↩️ Yes, withdraw"),
                    PrivacyCallback(action=PrivacyAction.WITHDRAW_CONFIRM, origin=origin),
                ),
                button(t._("⬅️ No, keep it"), PrivacyCallback(action=PrivacyAction.SHOW, origin=origin)),
            ]
        ),
    )


def consent_withdrawn_text(t: Translator) -> str:
    return t._("↩️ Consent withdrawn: Belsendi has forgotten your name, username, phone, role and region.")


def erase_confirm_view(t: Translator, origin: Origin) -> View:
    return View(
        t._(
            "🗑 <b>Delete all your data?</b>\n"
            "Belsendi will forget your name, role, region, phone and settings. This cannot be undone."
        ),
        inline_keyboard(
            [
                button(
                    t._("🗑 Yes, delete everything"),
                    PrivacyCallback(action=PrivacyAction.ERASE_CONFIRM, origin=origin),
                ),
                button(t._("⬅️ No, keep it"), PrivacyCallback(action=PrivacyAction.SHOW, origin=origin)),
            ]
        ),
    )


def erased_view(t: Translator) -> View:
    """Replaces the confirmation: no button is left to press."""
    return View(t._("All your data is deleted. Send /start if you want to come back."))


def export_caption(t: Translator) -> str:
    return t._("📤 Everything Belsendi keeps about you.")
