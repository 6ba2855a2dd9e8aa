"""The NGO profile: its screen, the five-step dialog that fills it in, and the marks the grant catalogue
shows for it ("fits", "probably not", "unsure", always with the reasons). Button data carries codes only."""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton

from bot.collation import sorted_by_alphabet
from bot.domain.ngo_profiles import (
    LEGAL_FORM_NAMES,
    LISTED_NAMES,
    Finding,
    Fit,
    NgoProfile,
    Reason,
    Verdict,
    Weight,
)
from bot.domain.regions import REGIONS_BY_CODE
from bot.domain.sectors import BUILT_IN, SectorCatalogue
from bot.i18n import N_, Translator
from bot.services.ngo_profiles import NgoProfileProblem
from bot.text import escape
from bot.views import View, button, inline_keyboard, with_notice, with_row
from bot.views.menu import MenuAction, MenuCallback
from bot.views.onboarding import region_keyboard

STEPS = 5
# A call open to more regions than this names the first ones and "…".
REGIONS_NAMED = 3


class NgoProfileAction(StrEnum):
    SHOW = "v"
    START = "s"  # fill in, or edit: the dialog from its first step
    LEGAL_FORM = "f"
    LISTED = "d"
    REGION = "r"
    SECTOR = "t"  # toggle one sector
    SECTORS_DONE = "k"
    YOUTH = "y"
    CANCEL = "x"


class NgoProfileCallback(CallbackData, prefix="ng"):
    action: NgoProfileAction
    value: str = ""
    # SECTOR: ticked (1) or unticked (0) after the press, never "the other way".
    on: int = 0


def ngo_button(
    text: str, action: NgoProfileAction, value: str = "", *, on: bool = False
) -> InlineKeyboardButton:
    return button(text, NgoProfileCallback(action=action, value=value, on=int(on)))


def fill_in_button(t: Translator) -> InlineKeyboardButton:
    return ngo_button(t._("📋 Fill in the NGO profile"), NgoProfileAction.START)


def _yes_no(t: Translator, value: bool) -> str:
    return t._("Yes") if value else t._("No")


def region_name(t: Translator, code: str) -> str:
    return escape(t._(REGIONS_BY_CODE[code].name)) if code in REGIONS_BY_CODE else escape(code)


def sector_names(t: Translator, sectors: Collection[str], catalogue: SectorCatalogue = BUILT_IN) -> str:
    return catalogue.names(t, sectors)


# The profile's screen


def ngo_profile_view(
    t: Translator, profile: NgoProfile | None, notice: str | None = None, sectors: SectorCatalogue = BUILT_IN
) -> View:
    from bot.views.grants import GrantsAction, GrantsCallback  # the catalogue's views import these

    lines = [t._("🏢 <b>NGO profile</b>")]
    if profile is None:
        lines.append(
            t._(
                "Not filled in yet. Five short questions, and every grant call is marked for you: "
                "fits, probably not or unsure, with the reasons."
            )
        )
        edit = fill_in_button(t)
    else:
        lines += [
            t._("Legal form: %(form)s") % {"form": t._(LEGAL_FORM_NAMES[profile.legal_form])},
            t._("In the national NGO database: %(answer)s") % {"answer": t._(LISTED_NAMES[profile.listed])},
            t._("Region: %(region)s") % {"region": region_name(t, profile.region)},
            t._("Sectors: %(sectors)s") % {"sectors": sector_names(t, profile.sectors, sectors)},
            t._("Youth organization: %(answer)s") % {"answer": _yes_no(t, profile.youth)},
            "",
            t._("Grant calls are marked for you by this profile: fits, probably not or unsure."),
        ]
        edit = ngo_button(t._("✏️ Edit the NGO profile"), NgoProfileAction.START)
    keyboard = inline_keyboard(
        [
            edit,
            button(t._("💰 Grant calls"), GrantsCallback(action=GrantsAction.LIST)),
            button(t._("⬅️ My profile"), MenuCallback(action=MenuAction.PROFILE)),
        ]
    )
    return with_notice(View("\n".join(lines), keyboard), notice)


# The dialog: five steps, each a question with buttons; the current answer (when editing) is marked


def _step(t: Translator, number: int, question: str) -> str:
    heading = t._("🏢 <b>NGO profile</b> · step %(step)d of %(steps)d") % {"step": number, "steps": STEPS}
    return f"{heading}\n{question}"


def _mark(label: str, chosen: bool) -> str:
    return f"✅ {label}" if chosen else label


def _cancel(t: Translator) -> InlineKeyboardButton:
    return ngo_button(t._("✖️ Cancel"), NgoProfileAction.CANCEL)


def legal_form_step_view(t: Translator, chosen: str | None) -> View:
    buttons = [
        ngo_button(_mark(t._(name), form.value == chosen), NgoProfileAction.LEGAL_FORM, form.value)
        for form, name in LEGAL_FORM_NAMES.items()
    ]
    question = t._(
        "What is your organization? A registered legal entity (a public association, a foundation, "
        "an institution or another form), or an initiative group without registration?"
    )
    return View(_step(t, 1, question), inline_keyboard([*buttons, _cancel(t)]))


def listed_step_view(t: Translator, chosen: str | None) -> View:
    buttons = [
        ngo_button(_mark(t._(name), answer.value == chosen), NgoProfileAction.LISTED, answer.value)
        for answer, name in LISTED_NAMES.items()
    ]
    question = t._("Is your organization listed in the national NGO database?")
    return View(_step(t, 2, question), inline_keyboard([*buttons, _cancel(t)], (3, 1)))


def region_step_view(t: Translator, chosen: str | None) -> View:
    question = t._("Which region does your organization work in?")
    if chosen in REGIONS_BY_CODE:
        question += "\n" + t._("Now: %(value)s") % {"value": region_name(t, chosen)}
    keyboard = region_keyboard(t, lambda code: NgoProfileCallback(action=NgoProfileAction.REGION, value=code))
    return View(_step(t, 3, question), with_row(keyboard, _cancel(t)))


def sectors_step_view(t: Translator, chosen: Collection[str], sectors: SectorCatalogue = BUILT_IN) -> View:
    """Every sector offered (built-in and added ones, in the reader's alphabet) to tick; a retired one
    the NGO had stays ticked until unticked."""
    choices = sectors.choices(t)
    offered = {code for code, _ in choices}
    choices += [
        (code, sectors.label(t, code)) for code in chosen if code not in offered and sectors.is_known(code)
    ]
    buttons = [
        ngo_button(_mark(label, code in chosen), NgoProfileAction.SECTOR, code, on=code not in chosen)
        for code, label in choices
    ]
    rows = [2] * (len(buttons) // 2) + [1] * (len(buttons) % 2)
    buttons += [ngo_button(t._("➡️ Done"), NgoProfileAction.SECTORS_DONE), _cancel(t)]
    question = t._("Which sectors do you work in? Press every one that fits, then «Done».")
    return View(_step(t, 4, question), inline_keyboard(buttons, (*rows, 1, 1)))


def youth_step_view(t: Translator, chosen: bool | None) -> View:
    buttons = [
        ngo_button(_mark(t._("Yes"), chosen is True), NgoProfileAction.YOUTH, "1"),
        ngo_button(_mark(t._("No"), chosen is False), NgoProfileAction.YOUTH, "0"),
    ]
    question = t._("Is yours a youth organization?")
    return View(_step(t, 5, question), inline_keyboard([*buttons, _cancel(t)], (2, 1)))


def saved_text(t: Translator) -> str:
    return t._("✅ NGO profile saved: grant calls are now marked for you.")


def cancelled_text(t: Translator) -> str:
    return t._("The NGO profile was not changed.")


def no_sector_text(t: Translator) -> str:
    return t._("Choose at least one sector.")


def buttons_expected_text(t: Translator) -> str:
    return t._("Please answer with the buttons above, or send /cancel.")


_REFUSALS = {
    NgoProfileProblem.NOT_NGO: N_("The NGO profile is for NGO representatives an admin has approved."),
    NgoProfileProblem.BAD_ANSWER: N_("This button is out of date. Send /menu."),
}


def refusal_text(t: Translator, problem: NgoProfileProblem) -> str:
    return t._(_REFUSALS[problem])


# Marks on grant calls

_VERDICTS = {
    Verdict.FITS: N_("✅ Fits you"),
    Verdict.PROBABLY_NOT: N_("⛔ Probably not for you"),
    Verdict.UNSURE: N_("❔ Not sure it fits you"),
}

_ICONS = {Weight.FOR: "✅", Weight.AGAINST: "⛔", Weight.UNSURE: "❔"}

_REASONS = {
    Reason.LEGAL_ENTITY_OK: N_("for registered legal entities: you are one"),
    Reason.INITIATIVE_GROUPS_OK: N_("initiative groups may apply"),
    Reason.LISTED_OK: N_("for those in the national NGO database: you are in it"),
    Reason.YOUTH_OK: N_("for youth organizations: yours is one"),
    Reason.ALL_REGIONS: N_("open to all of Kazakhstan"),
    Reason.REGION_OK: N_("open to %(region)s"),
    Reason.SECTORS_OK: N_("matching sectors: %(sectors)s"),
    Reason.LEGAL_ENTITY_NO: N_("for registered legal entities; you are an initiative group"),
    Reason.LISTED_NO: N_("for those in the national NGO database; you are not in it"),
    Reason.YOUTH_NO: N_("for youth organizations; yours is not one"),
    Reason.SECTORS_NO: N_("for %(sectors)s; your sectors are %(own)s"),
    Reason.LISTED_UNKNOWN: N_(
        "for those in the national NGO database; you did not say whether you are in it"
    ),
    Reason.INITIATIVE_GROUPS_UNSTATED: N_(
        "the call does not say whether initiative groups may apply; see who may apply"
    ),
    Reason.SECTORS_OTHER: N_("for %(sectors)s; see whether your work fits"),
}


def reason_text(
    t: Translator, profile: NgoProfile, finding: Finding, sectors: SectorCatalogue = BUILT_IN
) -> str:
    regions = sorted_by_alphabet([region_name(t, code) for code in finding.regions], str, t.locale)
    if len(regions) > REGIONS_NAMED:
        regions = [*regions[:REGIONS_NAMED], "…"]
    if finding.reason is Reason.REGION_NO:
        text = t.ngettext(
            "only for the region %(regions)s; you are in %(region)s",
            "only for the regions %(regions)s; you are in %(region)s",
            len(finding.regions),
        )
    else:
        text = t._(_REASONS[finding.reason])
    return text % {
        "region": region_name(t, profile.region),
        "regions": ", ".join(regions),
        "sectors": sector_names(t, finding.sectors, sectors),
        "own": sector_names(t, profile.sectors, sectors),
    }


def fit_line(t: Translator, profile: NgoProfile, fit: Fit, sectors: SectorCatalogue = BUILT_IN) -> str:
    """The mark on a list line: the verdict and the one reason that decided it (none when it fits);
    the card gives every reason (fit_lines)."""
    verdict = t._(_VERDICTS[fit.verdict])
    deciding = fit.deciding
    if deciding is None:
        return verdict
    return f"{verdict}: {reason_text(t, profile, deciding, sectors)}"


def fit_lines(t: Translator, profile: NgoProfile, fit: Fit, sectors: SectorCatalogue = BUILT_IN) -> list[str]:
    """The mark on a call's card: the verdict, then every finding, for or against."""
    lines = [f"<b>{t._(_VERDICTS[fit.verdict])}</b>"]
    lines += [
        f"{_ICONS[finding.weight]} {reason_text(t, profile, finding, sectors)}" for finding in fit.findings
    ]
    return lines


def fill_in_hint_text(t: Translator) -> str:
    return t._("📋 Fill in your NGO profile, and each call shows whether it fits you.")
