"""/sectors as admins see it: the grant sectors there are (built-in and added ones), the dialog that adds
or renames one (its Kazakh, then its Russian name), and an added sector's screen with Rename and Retire /
Offer again. Names admins typed are escaped in messages; buttons carry ids only."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from bot.collation import sorted_by_alphabet
from bot.domain.grants import SECTOR_NAMES
from bot.domain.sectors import SECTOR_NAME_MAX, SECTOR_NAME_MIN, AddedSector, SectorCatalogue
from bot.i18n import N_, Translator
from bot.services.sectors import SectorProblem
from bot.text import escape
from bot.views import View, button, inline_keyboard, with_notice


class SectorAdminAction(StrEnum):
    LIST = "l"
    ADD = "a"
    OPEN = "o"  # an added sector's screen
    RENAME = "r"
    RETIRE = "x"
    RESTORE = "u"
    CANCEL = "c"


class SectorAdminCallback(CallbackData, prefix="sa"):
    action: SectorAdminAction
    sector_id: int = 0


def _line(sector: AddedSector) -> str:
    return f"{escape(sector.name_kk)} / {escape(sector.name_ru)} (<code>{sector.code}</code>)"


def sectors_view(t: Translator, catalogue: SectorCatalogue, notice: str | None = None) -> View:
    """Every sector: the built-in ones, then those admins added (retired ones marked)."""
    built_in = sorted_by_alphabet((t._(name) for name in SECTOR_NAMES.values()), str, t.locale)
    lines = [
        t._("🏷 <b>Grant sectors</b>"),
        t._(
            "Grant calls, alerts and NGO profiles use these sectors. Add one with its Kazakh and Russian "
            "names; a retired one is no longer offered, but the calls that have it keep it."
        ),
        "",
        t._("Built in: %(sectors)s") % {"sectors": ", ".join(built_in)},
    ]
    added = sorted_by_alphabet(catalogue.added, lambda sector: sector.name_in(t.locale), t.locale)
    if added:
        lines += ["", t._("<b>Added</b>")]
        lines += [
            "• " + _line(sector) + (" — " + t._("retired") if sector.retired else "") for sector in added
        ]
    else:
        lines += ["", t._("No sectors added yet.")]
    buttons = [button(t._("➕ Add a sector"), SectorAdminCallback(action=SectorAdminAction.ADD))]
    buttons += [
        button(
            ("🗄 " if sector.retired else "✏️ ") + sector.name_in(t.locale),
            SectorAdminCallback(action=SectorAdminAction.OPEN, sector_id=sector.id),
        )
        for sector in added
    ]
    return with_notice(View("\n".join(lines), inline_keyboard(buttons)), notice)


def sector_view(t: Translator, sector: AddedSector, notice: str | None = None) -> View:
    lines = [
        t._("🏷 <b>Sector</b> %(code)s") % {"code": f"<code>{sector.code}</code>"},
        t._("In Kazakh: %(name)s") % {"name": escape(sector.name_kk)},
        t._("In Russian: %(name)s") % {"name": escape(sector.name_ru)},
        t._("Retired: no longer offered; its calls keep it.")
        if sector.retired
        else t._("Offered in every list of sectors."),
    ]
    toggle = (
        button(
            t._("♻️ Offer again"), SectorAdminCallback(action=SectorAdminAction.RESTORE, sector_id=sector.id)
        )
        if sector.retired
        else button(
            t._("🗄 Retire"), SectorAdminCallback(action=SectorAdminAction.RETIRE, sector_id=sector.id)
        )
    )
    buttons = [
        button(t._("✏️ Rename"), SectorAdminCallback(action=SectorAdminAction.RENAME, sector_id=sector.id)),
        toggle,
        button(t._("⬅️ Sectors"), SectorAdminCallback(action=SectorAdminAction.LIST)),
    ]
    return with_notice(View("\n".join(lines), inline_keyboard(buttons)), notice)


def name_prompt_view(t: Translator, locale: str, current: str | None = None) -> View:
    """Ask for the name in Kazakh ("kk") or Russian ("ru"); `current`: the name now, when renaming."""
    if locale == "kk":
        text = t._("Send the sector's name in Kazakh (%(min)d to %(max)d characters).")
    else:
        text = t._("Now send its name in Russian (%(min)d to %(max)d characters).")
    text %= {"min": SECTOR_NAME_MIN, "max": SECTOR_NAME_MAX}
    if current:
        text += "\n" + t._("Now: %(name)s") % {"name": escape(current)}
    cancel = button(t._("❌ Cancel"), SectorAdminCallback(action=SectorAdminAction.CANCEL))
    return View(text, inline_keyboard([cancel]))


def added_text(t: Translator, sector: AddedSector) -> str:
    return t._("✅ Sector added: %(sector)s.") % {"sector": _line(sector)}


def renamed_text(t: Translator, sector: AddedSector) -> str:
    return t._("✅ Sector renamed: %(sector)s.") % {"sector": _line(sector)}


def retired_text(t: Translator) -> str:
    return t._("🗄 Retired: no longer offered.")


def restored_text(t: Translator) -> str:
    return t._("♻️ Offered again.")


def cancelled_text(t: Translator) -> str:
    return t._("Cancelled: no sector was changed.")


def text_expected_text(t: Translator) -> str:
    return t._("Please send the name as text, or press «Cancel».")


_REFUSALS = {
    SectorProblem.NOT_ALLOWED: N_("Only admins can do this."),
    SectorProblem.NO_SUCH_SECTOR: N_("There is no such added sector. Send /sectors."),
    SectorProblem.TOO_SHORT: N_("That name is too short: at least 2 letters, please."),
    SectorProblem.TOO_LONG: N_("That name is too long: up to 40 characters, please."),
    SectorProblem.TAKEN: N_("Another sector already has this name. Send another one."),
}


def sector_refusal_text(t: Translator, problem: SectorProblem) -> str:
    return t._(_REFUSALS[problem])
