"""The first conversation: language, consent, role (an NGO's or organizer's organisation), region.

Each button here belongs to its step (the callback class says which): a press counts only while the
user is at that step, so an old copy can never undo an answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.collation import sorted_by_alphabet
from bot.domain.onboarding import OnboardingStep
from bot.domain.organizations import ORGANIZATION_MAX, ORGANIZATION_MIN
from bot.domain.regions import REGIONS
from bot.domain.roles import ROLE_NAMES, Role
from bot.i18n import Translator
from bot.views import View, button, in_languages, inline_keyboard
from bot.views.language import language_buttons
from bot.views.layout import columns_that_fit, row_widths


class LanguageCallback(CallbackData, prefix="lg"):
    code: str


class ConsentCallback(CallbackData, prefix="cs"):
    agree: bool


class RoleCallback(CallbackData, prefix="rl"):
    role: str


class RegionCallback(CallbackData, prefix="rg"):
    code: str


class RequestBackCallback(CallbackData, prefix="rb"):
    """From the organisation's questions back to the choice of a role."""


class BinSkipCallback(CallbackData, prefix="bk"):
    """The organisation has no BIN, or the user does not know it."""


def language_view(translators: Sequence[Translator]) -> View:
    """Asked before we know the language, so it speaks all of them."""
    text = in_languages(
        translators, lambda t: t._("👋 Hello! Choose the language Belsendi will speak with you:"), "\n"
    )
    return View(text, language_buttons(lambda code: LanguageCallback(code=code)))


def consent_view(t: Translator) -> View:
    return View(
        t._(
            "<b>Your data in Belsendi</b>\n"
            "To sign you up for events, remind you of them and show you grants for your region, "
            "Belsendi keeps:\n"
            "• your Telegram id, name and username;\n"
            "• the language, role and region you choose; for an NGO or an organizer, the organisation's "
            "name and BIN;\n"
            "• your phone number, only if you share it;\n"
            "• what you do here: event registrations, saved grant calls, alerts, questions you ask.\n"
            "We use this only to run the bot and never hand it to anyone else. "
            "In /privacy you can see it, download it, withdraw your consent or delete it at any time.\n\n"
            "Do you agree that Belsendi keeps this data?"
        ),
        inline_keyboard(
            [
                button(t._("✅ I agree"), ConsentCallback(agree=True)),
                button(t._("✖️ No, thanks"), ConsentCallback(agree=False)),
            ],
            (2,),
        ),
    )


def consent_declined_view(t: Translator) -> View:
    return View(
        t._(
            "Understood: without your consent Belsendi keeps nothing about you but the language "
            "you chose, and it cannot sign you up for anything.\n"
            "If you change your mind, send /start."
        )
    )


def role_buttons(t: Translator, data: Callable[[Role], CallbackData]) -> list[InlineKeyboardButton]:
    return [button(t._(name), data(role)) for role, name in ROLE_NAMES.items()]


def role_view(t: Translator) -> View:
    return View(
        t._("Who are you in Belsendi?"),
        inline_keyboard(role_buttons(t, lambda role: RoleCallback(role=role))),
    )


def role_chosen_text(t: Translator, role: Role) -> str:
    if role is Role.VOLUNTEER:
        return t._("You joined as a volunteer. 🙌")
    return t._(
        "Your request to be confirmed as «%(role)s» is sent to the admins. "
        "Until then you can use Belsendi as a volunteer."
    ) % {"role": t._(ROLE_NAMES[role])}


def organization_view(t: Translator) -> View:
    return View(
        t._(
            "🏢 Which organisation do you represent? Send its name in one message "
            "(%(min)d–%(max)d characters): the admins check the request against it."
        )
        % {"min": ORGANIZATION_MIN, "max": ORGANIZATION_MAX},
        inline_keyboard([button(t._("⬅️ Choose another role"), RequestBackCallback())]),
    )


def bin_view(t: Translator) -> View:
    return View(
        t._(
            "🔢 The organisation's BIN: send its 12 digits. "
            "No BIN, or you do not know it? Press «Skip» or send a dash (-)."
        ),
        inline_keyboard(
            [
                button(t._("Skip"), BinSkipCallback()),
                button(t._("⬅️ Choose another role"), RequestBackCallback()),
            ],
            (1, 1),
        ),
    )


def text_please_text(t: Translator) -> str:
    """A file, photo or sticker where a typed answer was asked for."""
    return t._("Please send it as text, in one message: files, photos and stickers are not read here.")


def region_keyboard(
    t: Translator, data: Callable[[str], CallbackData] = lambda code: RegionCallback(code=code)
) -> InlineKeyboardMarkup:
    """Cities first, then regions in the alphabetical order of the user's language; side by side only
    where every name fits. `data` makes a button's data from a region code."""
    cities = [(region, t._(region.name)) for region in REGIONS if region.is_city]
    regions = sorted_by_alphabet(
        [(region, t._(region.name)) for region in REGIONS if not region.is_city],
        lambda pair: pair[1],
        t.locale,
    )
    groups = [cities, regions]
    widths = row_widths(
        [len(group) for group in groups],
        [columns_that_fit([name for _region, name in group], max_columns=3) for group in groups],
    )
    return inline_keyboard([button(name, data(region.code)) for region, name in cities + regions], widths)


def region_view(t: Translator) -> View:
    return View(t._("📍 Where are you? We will show you events and grants nearby."), region_keyboard(t))


def step_view(step: OnboardingStep, t: Translator, translators: Sequence[Translator]) -> View:
    """The question for an onboarding step; DONE has none (callers show the menu)."""
    if step is OnboardingStep.LANGUAGE:
        return language_view(translators)
    if step is OnboardingStep.CONSENT:
        return consent_view(t)
    if step is OnboardingStep.ROLE:
        return role_view(t)
    if step is OnboardingStep.ORGANIZATION:
        return organization_view(t)
    if step is OnboardingStep.BIN:
        return bin_view(t)
    if step is OnboardingStep.REGION:
        return region_view(t)
    raise ValueError("onboarding is done: show the menu")


def finish_setting_up_text(languages: Sequence[Translator]) -> str:
    """Said with the open question, to someone who wrote or pressed something else."""
    return in_languages(languages, lambda t: t._("Let's finish setting up first."), "\n")


def stale_step_text(languages: Sequence[Translator]) -> str:
    """A button of a step that is not the user's now: an answered one, or one not reached (again)."""
    return in_languages(
        languages,
        lambda t: t._("That button is out of date, so nothing was changed. Here is where you are now."),
        "\n",
    )
