"""The profile: what we keep about the user, and its edits; the /start screen of those already set up."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.domain.names import NAME_MAX
from bot.domain.ngo_profiles import LEGAL_FORM_NAMES, NgoProfile
from bot.domain.organizations import ORGANIZATION_MAX, ORGANIZATION_MIN
from bot.domain.regions import REGIONS_BY_CODE
from bot.domain.roles import ROLE_NAMES, Role
from bot.domain.sectors import BUILT_IN, SectorCatalogue
from bot.i18n import LANGUAGE_NAMES_TRANSLATED, N_, Translator
from bot.services.attendance import VolunteerRecord
from bot.services.ngo_profiles import Viewer
from bot.services.users import Problem
from bot.text import escape
from bot.views import View, button, inline_keyboard, with_notice, with_row
from bot.views.attendance import record_lines
from bot.views.menu import MenuAction, MenuCallback, Origin, back_button
from bot.views.ngo_profiles import NgoProfileAction, NgoProfileCallback, sector_names
from bot.views.ngo_profiles import region_name as ngo_region_name
from bot.views.onboarding import region_keyboard, role_buttons
from bot.views.privacy import PrivacyAction, PrivacyCallback
from storage.repositories.users import UserProfile

# The reply-keyboard button that ends the phone prompt (matched in every language).
CANCEL_PHONE = N_("Cancel")
MISSING = "—"


class ProfileAction(StrEnum):
    NAME = "n"
    REGION = "r"
    ROLE = "o"
    PHONE = "ph"
    PHONE_REMOVE = "pr"
    LANGUAGE = "l"
    REMINDERS = "rm"  # event reminders on / off
    BIN_SKIP = "bs"  # a role request without the organisation's BIN


class ProfileCallback(CallbackData, prefix="pf"):
    action: ProfileAction
    origin: Origin = Origin.PROFILE


class RegionEditCallback(CallbackData, prefix="re"):
    code: str
    origin: Origin


class RoleEditCallback(CallbackData, prefix="ro"):
    role: str
    origin: Origin


def profile_keyboard(
    t: Translator, *, has_phone: bool, reminders_on: bool = True, ngo: bool = False
) -> InlineKeyboardMarkup:
    """`ngo`: an approved NGO, who also has the NGO profile (for the grant calls' marks)."""
    phone = [button(t._("📱 Phone"), ProfileCallback(action=ProfileAction.PHONE))]
    if has_phone:
        phone.append(button(t._("✖️ Remove phone"), ProfileCallback(action=ProfileAction.PHONE_REMOVE)))
    extra = [button(t._("🏢 NGO profile"), NgoProfileCallback(action=NgoProfileAction.SHOW))] if ngo else []
    return inline_keyboard(
        [
            button(t._("✏️ Name"), ProfileCallback(action=ProfileAction.NAME)),
            button(t._("📍 Region"), ProfileCallback(action=ProfileAction.REGION)),
            button(t._("🎭 Role"), ProfileCallback(action=ProfileAction.ROLE)),
            button(t._("🌐 Language"), ProfileCallback(action=ProfileAction.LANGUAGE)),
            *phone,
            button(
                t._("🔕 Turn event reminders off") if reminders_on else t._("🔔 Turn event reminders on"),
                ProfileCallback(action=ProfileAction.REMINDERS),
            ),
            *extra,
            button(t._("🔒 Privacy"), PrivacyCallback(action=PrivacyAction.SHOW, origin=Origin.PROFILE)),
            button(t._("⬅️ Menu"), MenuCallback(action=MenuAction.MENU)),
        ],
        (2, 2, len(phone), 1, *([1] * len(extra)), 1, 1),
    )


def role_text(t: Translator, user: UserProfile) -> str:
    """The granted role, and the one requested while an admin has not approved it."""
    role = t._(ROLE_NAMES[Role(user.role)]) if user.role else MISSING
    if user.requested_role:
        role += " " + t._("(request to be «%(role)s» is waiting for approval)") % {
            "role": t._(ROLE_NAMES[Role(user.requested_role)])
        }
    return role


def organization_lines(t: Translator, user: UserProfile) -> list[str]:
    """The organisation an NGO or an organizer (or one asking to be) named, as the admins saw it."""
    represents = user.requested_role or user.role in {Role.NGO, Role.ORGANIZER}
    if not user.organization or not represents:
        return []
    return [t._("Organisation: %(organization)s") % {"organization": escape(user.organization)}]


def region_text(t: Translator, user: UserProfile) -> str:
    region = REGIONS_BY_CODE.get(user.region or "")
    return t._(region.name) if region else MISSING


def profile_view(
    t: Translator,
    user: UserProfile,
    notice: str | None = None,
    record: VolunteerRecord | None = None,
    viewer: Viewer | None = None,
) -> View:
    """The profile, with a `notice` on top saying what an edit changed; the user's `record` of events
    attended, hours and no-shows for a volunteer (anyone may register for events: another role, or a
    volunteer waiting for another, sees it once they did take part); an approved NGO (`viewer`) sees
    its NGO profile in one line."""
    language = LANGUAGE_NAMES_TRANSLATED.get(user.language or "")
    reminders_on = user.reminders_muted_at is None
    lines = [
        t._("👤 <b>My profile</b>"),
        t._("Name: %(name)s") % {"name": escape(user.name) if user.name else MISSING},
        t._("Username: %(username)s")
        % {"username": escape("@" + user.username) if user.username else MISSING},
        t._("Role: %(role)s") % {"role": role_text(t, user)},
        *organization_lines(t, user),
        t._("Region: %(region)s") % {"region": region_text(t, user)},
        t._("Phone: %(phone)s") % {"phone": escape(user.phone) if user.phone else MISSING},
        t._("Language: %(language)s") % {"language": t._(language) if language else MISSING},
        t._("Event reminders: on") if reminders_on else t._("Event reminders: off"),
        t._("Joined Belsendi: %(date)s") % {"date": t.date(user.created_at)},
    ]
    # A volunteer's record (one waiting to become an NGO or an organizer is not asked to volunteer).
    volunteer = user.role == Role.VOLUNTEER and not user.requested_role
    if record is not None and (volunteer or record.events_attended or record.recent_no_shows):
        lines[-1:-1] = record_lines(t, record)  # above the last line, the date they joined
    if viewer is not None and viewer.ngo:
        lines[-1:-1] = [ngo_summary_text(t, viewer.profile, viewer.sectors)]
    keyboard = profile_keyboard(
        t, has_phone=user.phone is not None, reminders_on=reminders_on, ngo=user.role == Role.NGO
    )
    return with_notice(View("\n".join(lines), keyboard), notice)


def ngo_summary_text(t: Translator, profile: NgoProfile | None, sectors: SectorCatalogue = BUILT_IN) -> str:
    """An NGO's profile in one line (its own screen, behind 🏢 NGO profile, has it all)."""
    if profile is None:
        return t._("🏢 NGO profile: not filled in yet (it marks which grant calls fit you)")
    return t._("🏢 NGO profile: %(form)s · %(region)s · %(sectors)s") % {
        "form": t._(LEGAL_FORM_NAMES[profile.legal_form]),
        "region": ngo_region_name(t, profile.region),
        "sectors": sector_names(t, profile.sectors, sectors),
    }


def start_over_view(t: Translator) -> View:
    """/start from someone already set up: what starting over can mean, nothing lost by pressing it."""
    return View(
        t._(
            "🔄 <b>You are already set up in Belsendi.</b>\n"
            "What would you like to change? Everything else stays as it is.\n"
            "To withdraw your consent or delete your data, send /privacy."
        ),
        inline_keyboard(
            [
                button(
                    t._("🎭 Change role"),
                    ProfileCallback(action=ProfileAction.ROLE, origin=Origin.START_OVER),
                ),
                button(
                    t._("📍 Change region"),
                    ProfileCallback(action=ProfileAction.REGION, origin=Origin.START_OVER),
                ),
                button(
                    t._("🌐 Change language"),
                    ProfileCallback(action=ProfileAction.LANGUAGE, origin=Origin.START_OVER),
                ),
                button(t._("✅ Keep everything as it is"), MenuCallback(action=MenuAction.MENU)),
            ]
        ),
    )


def role_picker_view(t: Translator, user: UserProfile, origin: Origin) -> View:
    keyboard = inline_keyboard(role_buttons(t, lambda role: RoleEditCallback(role=role, origin=origin)))
    return View(
        t._(
            "🎭 Your role: %(role)s\n"
            "Choose another one. An admin confirms NGO representatives and event organizers; "
            "until then your role stays as it is."
        )
        % {"role": role_text(t, user)},
        with_row(keyboard, back_button(t, origin)),
    )


def region_picker_view(t: Translator, user: UserProfile, origin: Origin) -> View:
    keyboard = region_keyboard(t, lambda code: RegionEditCallback(code=code, origin=origin))
    return View(
        t._("📍 Your region: %(region)s\nChoose another one:") % {"region": region_text(t, user)},
        with_row(keyboard, back_button(t, origin)),
    )


def name_saved_text(t: Translator) -> str:
    return t._("✅ Name saved.")


def region_saved_text(t: Translator) -> str:
    return t._("✅ Region saved.")


def role_saved_text(t: Translator, user: UserProfile) -> str:
    """After a role change: the role now, or the request an admin will see."""
    if user.requested_role:
        return t._(
            "✅ Your request to be confirmed as «%(role)s» is sent to the admins. "
            "Until they confirm it, your role stays «%(current)s»."
        ) % {
            "role": t._(ROLE_NAMES[Role(user.requested_role)]),
            "current": t._(ROLE_NAMES[Role(user.role or Role.VOLUNTEER)]),
        }
    return t._("✅ Your role is now «%(role)s».") % {
        "role": t._(ROLE_NAMES[Role(user.role or Role.VOLUNTEER)])
    }


def reminders_text(t: Translator, user: UserProfile) -> str:
    """After the reminders toggle: what it means now."""
    if user.reminders_muted_at is None:
        return t._("🔔 Event reminders are on: they come a day and a few hours before your events.")
    return t._("🔕 Event reminders are off: none will come, even for events you are registered for.")


def phone_removed_text(t: Translator) -> str:
    return t._("✅ Your phone number is deleted.")


def ask_name_view(t: Translator) -> View:
    return View(
        t.ngettext(
            "✏️ Send your name as it should be shown (up to %(max)d character), or /cancel.",
            "✏️ Send your name as it should be shown (up to %(max)d characters), or /cancel.",
            NAME_MAX,
        )
        % {"max": NAME_MAX},
        inline_keyboard([button(t._("✖️ Cancel"), MenuCallback(action=MenuAction.PROFILE))]),
    )


def ask_organization_view(t: Translator, role: Role) -> View:
    """The first question of a request to be an NGO or an organizer, asked from the profile."""
    return View(
        t._(
            "🏢 To ask for «%(role)s», name the organisation you represent: send its name in one "
            "message (%(min)d–%(max)d characters), or /cancel."
        )
        % {"role": t._(ROLE_NAMES[role]), "min": ORGANIZATION_MIN, "max": ORGANIZATION_MAX},
        inline_keyboard([button(t._("✖️ Cancel"), MenuCallback(action=MenuAction.PROFILE))]),
    )


def ask_bin_view(t: Translator) -> View:
    return View(
        t._(
            "🔢 The organisation's BIN: send its 12 digits. "
            "No BIN, or you do not know it? Press «Skip» or send a dash (-)."
        ),
        inline_keyboard(
            [
                button(t._("Skip"), ProfileCallback(action=ProfileAction.BIN_SKIP)),
                button(t._("✖️ Cancel"), MenuCallback(action=MenuAction.PROFILE)),
            ],
            (1, 1),
        ),
    )


def share_phone_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    """Telegram's own contact button (the number comes from Telegram), or type it in."""
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
            "📱 Press the button below to share your number through Telegram, or type it: "
            "+7 701 234 56 78. Organizers see it only for events you sign up for."
        ),
        share_phone_keyboard(t),
    )


def phone_saved_view(t: Translator) -> View:
    return View(t._("✅ Your phone number is saved."), ReplyKeyboardRemove())


def phone_cancelled_view(t: Translator) -> View:
    return View(t._("Your phone number was not changed."), ReplyKeyboardRemove())


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
    if problem is Problem.ORGANIZATION_TOO_SHORT:
        return t._("The organisation's name needs at least %(min)d characters. Send its full name.") % {
            "min": ORGANIZATION_MIN
        }
    if problem is Problem.ORGANIZATION_TOO_LONG:
        return t._(
            "That is too long: the organisation's name can have at most %(max)d characters. "
            "Send a shorter form of it."
        ) % {"max": ORGANIZATION_MAX}
    if problem is Problem.BIN_NOT_12_DIGITS:
        return t._("A BIN is 12 digits, like 940140000385. Check it, or send a dash (-) to skip it.")
    if problem is Problem.BIN_CHECK_DIGIT:
        return t._(
            "That is not a valid BIN: its last digit does not match the others. "
            "Check it, or send a dash (-) to skip it."
        )
    if problem is Problem.PHONE_INVALID:
        return t._(
            "That does not look like a phone number. Type it as +7 701 234 56 78 or 8 701 234 56 78 "
            "(a number from another country with + and its code), or share it with the button below."
        )
    if problem is Problem.PHONE_WRONG_LENGTH:
        return t._(
            "A number in Kazakhstan has 10 digits after +7 or 8, like +7 701 234 56 78. "
            "Check it and send it again."
        )
    return t._("First agree to let Belsendi keep your data: send /start.")
