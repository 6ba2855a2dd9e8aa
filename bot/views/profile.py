"""The profile: what we keep about the user, and its edits."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.domain.regions import REGIONS_BY_CODE
from bot.domain.roles import ROLE_NAMES, Role
from bot.i18n import LANGUAGE_NAMES_TRANSLATED, N_, Translator
from bot.services.users import NAME_MAX, Problem
from bot.text import escape
from bot.views import View, button, inline_keyboard
from bot.views.menu import MenuAction, MenuCallback
from storage.repositories.users import UserProfile

# The reply-keyboard button that ends the phone prompt (matched in every language).
CANCEL_PHONE = N_("Cancel")


class ProfileAction(StrEnum):
    NAME = "n"
    REGION = "r"
    PHONE = "ph"
    PHONE_REMOVE = "pr"
    EXPORT = "x"
    ERASE = "e"
    ERASE_CONFIRM = "ey"


class ProfileCallback(CallbackData, prefix="pf"):
    action: ProfileAction


def profile_keyboard(t: Translator, *, has_phone: bool) -> InlineKeyboardMarkup:
    phone = [button(t._("📱 Phone"), ProfileCallback(action=ProfileAction.PHONE))]
    if has_phone:
        phone.append(button(t._("✖️ Remove phone"), ProfileCallback(action=ProfileAction.PHONE_REMOVE)))
    return inline_keyboard(
        [
            button(t._("✏️ Name"), ProfileCallback(action=ProfileAction.NAME)),
            button(t._("📍 Region"), ProfileCallback(action=ProfileAction.REGION)),
            *phone,
            button(t._("🌐 Language"), MenuCallback(action=MenuAction.LANGUAGE)),
            button(t._("📤 My data"), ProfileCallback(action=ProfileAction.EXPORT)),
            button(t._("🗑 Delete my data"), ProfileCallback(action=ProfileAction.ERASE)),
            button(t._("⬅️ Menu"), MenuCallback(action=MenuAction.MENU)),
        ],
        (2, len(phone), 1, 2, 1),
    )


def profile_view(t: Translator, user: UserProfile) -> View:
    missing = "—"
    role = t._(ROLE_NAMES[Role(user.role)]) if user.role else missing
    if user.requested_role:
        role += " " + t._("(request to be «%(role)s» is waiting for approval)") % {
            "role": t._(ROLE_NAMES[Role(user.requested_role)])
        }
    region = REGIONS_BY_CODE.get(user.region or "")
    language = LANGUAGE_NAMES_TRANSLATED.get(user.language or "")
    lines = [
        t._("👤 <b>My profile</b>"),
        t._("Name: %(name)s") % {"name": escape(user.name) if user.name else missing},
        t._("Role: %(role)s") % {"role": role},
        t._("Region: %(region)s") % {"region": t._(region.name) if region else missing},
        t._("Phone: %(phone)s") % {"phone": escape(user.phone) if user.phone else missing},
        t._("Language: %(language)s") % {"language": t._(language) if language else missing},
        t._("Joined Belsendi: %(date)s") % {"date": t.date(user.created_at)},
    ]
    return View("\n".join(lines), profile_keyboard(t, has_phone=user.phone is not None))


def ask_name_view(t: Translator) -> View:
    return View(
        t.ngettext(
            "✏️ Send your name as it should be shown (up to %(max)d character), or /cancel.",
            "✏️ Send your name as it should be shown (up to %(max)d characters), or /cancel.",
            NAME_MAX,
        )
        % {"max": NAME_MAX}
    )


def share_phone_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    """Telegram's own contact button: the number comes from Telegram, not typed by hand."""
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=t._("📱 Share my number"), request_contact=True)],
            [KeyboardButton(text=t._(CANCEL_PHONE))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def ask_phone_view(t: Translator) -> View:
    return View(
        t._(
            "📱 Press the button below to share your number through Telegram. "
            "Organizers see it only for events you sign up for."
        ),
        share_phone_keyboard(t),
    )


def saved_view(t: Translator) -> View:
    return View(t._("✅ Saved."))


def phone_saved_view(t: Translator) -> View:
    return View(t._("✅ Your phone number is saved."), ReplyKeyboardRemove())


def phone_cancelled_view(t: Translator) -> View:
    return View(t._("Your phone number was not changed."), ReplyKeyboardRemove())


def phone_removed_text(t: Translator) -> str:
    return t._("Your phone number is deleted.")


def not_your_contact_text(t: Translator) -> str:
    return t._("Please share your own number with the button below.")


def text_expected_text(t: Translator) -> str:
    return t._("Please send text, or /cancel.")


def problem_text(t: Translator, problem: Problem) -> str:
    if problem is Problem.NAME_EMPTY:
        return t._("The name is empty. Send your name as text, or /cancel.")
    if problem is Problem.NAME_TOO_LONG:
        return t.ngettext(
            "That is too long: a name can have at most %(max)d character. Try a shorter one.",
            "That is too long: a name can have at most %(max)d characters. Try a shorter one.",
            NAME_MAX,
        ) % {"max": NAME_MAX}
    if problem is Problem.PHONE_INVALID:
        return t._("That does not look like a phone number. Share it with the button below.")
    return t._("First agree to let Belsendi keep your data: send /start.")


def erase_confirm_view(t: Translator) -> View:
    return View(
        t._(
            "🗑 <b>Delete all your data?</b>\n"
            "Belsendi will forget your name, role, region, phone and settings. This cannot be undone."
        ),
        inline_keyboard(
            [
                button(t._("🗑 Yes, delete everything"), ProfileCallback(action=ProfileAction.ERASE_CONFIRM)),
                button(t._("⬅️ No, keep it"), MenuCallback(action=MenuAction.PROFILE)),
            ]
        ),
    )


def erased_text(t: Translator) -> str:
    return t._("All your data is deleted. Send /start if you want to come back.")


def export_caption(t: Translator) -> str:
    return t._("📤 Everything Belsendi keeps about you.")
