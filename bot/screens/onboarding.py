"""Screens of the first conversation."""

from __future__ import annotations

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.keyboards.onboarding import consent_keyboard, language_keyboard, region_keyboard, role_keyboard
from bot.screens import Screen
from bot.services.roles import ROLE_NAMES, Role
from bot.services.users import OnboardingStep


def language_screen(i18n: I18n) -> Screen:
    """Asked before we know the language, so it speaks both."""
    text = "\n".join(
        i18n.gettext("👋 Hello! Choose the language Belsendi will speak with you:", locale=locale)
        for locale in ("kk", "ru")
    )
    return Screen(text, language_keyboard())


def consent_screen() -> Screen:
    return Screen(
        _(
            "<b>Your data in Belsendi</b>\n"
            "To sign you up for events, remind you of them and show you grants for your region, "
            "Belsendi keeps:\n"
            "• your Telegram id, name and username;\n"
            "• the language, role and region you choose;\n"
            "• your phone number, only if you share it.\n"
            "We use this only to run the bot and never hand it to anyone else. "
            "In /profile you can see it, download it and delete it at any time.\n\n"
            "Do you agree that Belsendi keeps this data?"
        ),
        consent_keyboard(),
    )


def consent_declined_screen() -> Screen:
    return Screen(
        _(
            "Understood: without your consent Belsendi keeps nothing about you but the language "
            "you chose, and it cannot sign you up for anything.\n"
            "If you change your mind, send /start."
        )
    )


def role_screen() -> Screen:
    return Screen(_("Who are you in Belsendi?"), role_keyboard())


def role_chosen_text(role: Role) -> str:
    if role is Role.VOLUNTEER:
        return _("You joined as a volunteer. 🙌")
    return _(
        "Your request to be confirmed as «%(role)s» is sent to the admins. "
        "Until then you can use Belsendi as a volunteer."
    ) % {"role": _(ROLE_NAMES[role])}


def region_screen() -> Screen:
    return Screen(_("📍 Where are you? We will show you events and grants nearby."), region_keyboard())


def step_screen(step: OnboardingStep, i18n: I18n) -> Screen:
    """The question for an onboarding step; DONE has none (callers show the menu)."""
    if step is OnboardingStep.LANGUAGE:
        return language_screen(i18n)
    if step is OnboardingStep.CONSENT:
        return consent_screen()
    if step is OnboardingStep.ROLE:
        return role_screen()
    if step is OnboardingStep.REGION:
        return region_screen()
    raise ValueError("onboarding is done: show the menu")


def finish_onboarding_first() -> str:
    return _("Let's finish setting up first: one more answer below. 👇")
