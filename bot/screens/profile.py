"""The profile: what we keep about the user, and its edits."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.types import ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.i18n import LANGUAGE_NAMES_TRANSLATED, format_date
from bot.keyboards.menu import erase_keyboard, profile_keyboard, share_phone_keyboard
from bot.screens import Screen
from bot.services.regions import REGIONS_BY_CODE
from bot.services.roles import ROLE_NAMES, Role
from bot.services.users import NAME_MAX, Problem
from bot.text import escape
from storage.repositories.users import UserProfile


def profile_screen(user: UserProfile, locale: str, tz: ZoneInfo) -> Screen:
    missing = "—"
    role = _(ROLE_NAMES[Role(user.role)]) if user.role else missing
    if user.requested_role:
        role += " " + _("(request to be «%(role)s» is waiting for approval)") % {
            "role": _(ROLE_NAMES[Role(user.requested_role)])
        }
    region = REGIONS_BY_CODE.get(user.region or "")
    language = LANGUAGE_NAMES_TRANSLATED.get(user.language or "")
    lines = [
        _("👤 <b>My profile</b>"),
        _("Name: %(name)s") % {"name": escape(user.name) if user.name else missing},
        _("Role: %(role)s") % {"role": role},
        _("Region: %(region)s") % {"region": _(region.name) if region else missing},
        _("Phone: %(phone)s") % {"phone": escape(user.phone) if user.phone else missing},
        _("Language: %(language)s") % {"language": _(language) if language else missing},
        _("Joined Belsendi: %(date)s") % {"date": format_date(user.created_at, locale, tz)},
    ]
    return Screen("\n".join(lines), profile_keyboard(has_phone=user.phone is not None))


def ask_name_screen() -> Screen:
    return Screen(
        ngettext(
            "✏️ Send your name as it should be shown (up to %(max)d character), or /cancel.",
            "✏️ Send your name as it should be shown (up to %(max)d characters), or /cancel.",
            NAME_MAX,
        )
        % {"max": NAME_MAX}
    )


def ask_phone_screen() -> Screen:
    return Screen(
        _(
            "📱 Press the button below to share your number through Telegram. "
            "Organizers see it only for events you sign up for."
        ),
        share_phone_keyboard(),
    )


def saved_screen() -> Screen:
    return Screen(_("✅ Saved."))


def phone_saved_screen() -> Screen:
    return Screen(_("✅ Your phone number is saved."), ReplyKeyboardRemove())


def phone_cancelled_screen() -> Screen:
    return Screen(_("Your phone number was not changed."), ReplyKeyboardRemove())


def phone_removed_text() -> str:
    return _("Your phone number is deleted.")


def not_your_contact_text() -> str:
    return _("Please share your own number with the button below.")


def text_expected_text() -> str:
    return _("Please send text, or /cancel.")


def problem_text(problem: Problem) -> str:
    if problem is Problem.NAME_EMPTY:
        return _("The name is empty. Send your name as text, or /cancel.")
    if problem is Problem.NAME_TOO_LONG:
        return ngettext(
            "That is too long: a name can have at most %(max)d character. Try a shorter one.",
            "That is too long: a name can have at most %(max)d characters. Try a shorter one.",
            NAME_MAX,
        ) % {"max": NAME_MAX}
    if problem is Problem.PHONE_INVALID:
        return _("That does not look like a phone number. Share it with the button below.")
    return _("First agree to let Belsendi keep your data: send /start.")


def erase_confirm_screen() -> Screen:
    return Screen(
        _(
            "🗑 <b>Delete all your data?</b>\n"
            "Belsendi will forget your name, role, region, phone and settings. This cannot be undone."
        ),
        erase_keyboard(),
    )


def erased_text() -> str:
    return _("All your data is deleted. Send /start if you want to come back.")


def export_caption() -> str:
    return _("📤 Everything Belsendi keeps about you.")
