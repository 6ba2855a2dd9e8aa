"""The admins' screens for the grant catalogue: the form a call is written in, the problems found in
it, the preview in both languages, and the Edit / Close buttons on a call's card."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.sectors import BUILT_IN, SectorCatalogue
from bot.i18n import Translator
from bot.text import escape
from bot.views import View, button, inline_keyboard
from storage.repositories.grants import GrantRecord


class GrantAdminAction(StrEnum):
    EDIT = "e"
    CLOSE = "x"
    SAVE = "s"
    CANCEL = "c"


class GrantAdminCallback(CallbackData, prefix="ga"):
    action: GrantAdminAction
    grant_id: int = 0


def admin_row(t: Translator, grant: GrantRecord, is_open: bool) -> list[InlineKeyboardButton]:
    row = [button(t._("✏️ Edit"), GrantAdminCallback(action=GrantAdminAction.EDIT, grant_id=grant.id))]
    if is_open:
        row.append(
            button(
                t._("🔒 Close the call"), GrantAdminCallback(action=GrantAdminAction.CLOSE, grant_id=grant.id)
            )
        )
    return row


def form_view(t: Translator, form: str, sectors: SectorCatalogue = BUILT_IN) -> View:
    """The form to fill in, with the codes of every sector offered (built-in and added ones)."""
    text = t._(
        "✏️ Send the call as a form: one «field: value» line each. Copy the form below, change it and "
        "send it back. Sectors and regions as lists: «youth; education», «aktobe; almaty» or «all»; the "
        "deadline as 2026-12-15T18:00 (Almaty time); yes/no flags as true or false. Or send /cancel."
    )
    codes = ", ".join(f"<code>{escape(code)}</code> {escape(label)}" for code, label in sectors.choices(t))
    text += "\n\n" + t._("Sector codes: %(codes)s") % {"codes": codes}
    # The form in a code block: one tap copies it.
    form_block = "<pre>" + escape(form) + "</pre>"
    return View(text + "\n\n" + form_block, _cancel_keyboard(t))


def form_problems_text(t: Translator, fields: Sequence[str]) -> str:
    return t._("⚠️ Not saved. Check these fields and send the form again: %(fields)s") % {
        "fields": escape(", ".join(dict.fromkeys(fields)))
    }


def preview_view(t: Translator, cards: Sequence[str], editing: bool) -> View:
    heading = t._("👁 <b>Preview</b>: the card in each language.")
    save = t._("✅ Save") if editing else t._("✅ Publish")
    keyboard = inline_keyboard(
        [
            button(save, GrantAdminCallback(action=GrantAdminAction.SAVE)),
            button(t._("❌ Cancel"), GrantAdminCallback(action=GrantAdminAction.CANCEL)),
        ],
        (2,),
    )
    return View("\n\n———\n\n".join([heading, *cards]), keyboard)


def _cancel_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return inline_keyboard([button(t._("❌ Cancel"), GrantAdminCallback(action=GrantAdminAction.CANCEL))])


def saved_text(t: Translator) -> str:
    return t._("✅ Saved.")


def closed_text(t: Translator) -> str:
    return t._("🔒 The call is closed: it is no longer listed.")
