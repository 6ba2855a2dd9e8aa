"""Saved grant calls as users see them: the list (nearest deadline first, with the time left), the
choice of deadline reminders, and the messages the sender renders: a deadline reminder and a change to
a saved call (old → new), each in the recipient's language when it goes out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from babel.dates import format_time

from bot.domain.grants import GrantStatus, effective_status
from bot.i18n import N_, Translator
from bot.services.grant_saves import (
    MAX_SAVED,
    PAGE_SIZE,
    ReminderSlot,
    SavedGrantProblem,
    SavedPage,
    chosen_slots,
    closing_day,
)
from bot.text import escape
from bot.views import View, button, inline_keyboard
from bot.views.grants import (
    BUTTON_TITLE_MAX,
    GrantsAction,
    GrantsCallback,
    amount_text,
    amounts_text,
    grant_title,
    open_call_button,
    time_left_text,
)
from bot.views.menu import Origin, back_button
from storage.repositories.grant_saves import ReminderSettingsRecord


class SavedAction(StrEnum):
    LIST = "l"
    SETTINGS = "s"
    TOGGLE = "t"
    MUTE = "m"
    UNMUTE = "u"


class SavedCallback(CallbackData, prefix="gs"):
    action: SavedAction
    page: int = 0
    slot: str = ""
    # TOGGLE: the state the reminder is set to (1: on, 0: off), never "the other way".
    on: int = 0


def _slot_name(t: Translator, slot: ReminderSlot) -> str:
    if slot is ReminderSlot.CLOSING_DAY:
        return t._("on the closing day")
    return t.ngettext("%(count)d day before", "%(count)d days before", slot.days) % {"count": slot.days}


def _reminders_line(t: Translator, settings: ReminderSettingsRecord) -> str:
    slots = chosen_slots(settings)
    if settings.muted:
        return t._("🔕 Deadline reminders are off: turn them back on in 🔔 Reminders.")
    if not slots:
        return t._("🔕 Deadline reminders are off: none is chosen in 🔔 Reminders.")
    return t._("🔔 Reminders at 10:00: %(which)s.") % {"which": ", ".join(_slot_name(t, s) for s in slots)}


def _card_button(t: Translator, number: int, grant_title_text: str, grant_id: int) -> InlineKeyboardButton:
    label = grant_title_text
    if len(label) > BUTTON_TITLE_MAX:
        label = label[: BUTTON_TITLE_MAX - 1] + "…"
    numbered = f"{number}. {label}"  # as the catalogue numbers its calls
    return button(numbered, GrantsCallback(action=GrantsAction.CARD, grant_id=grant_id))


def saved_list_view(t: Translator, page: SavedPage, now: datetime) -> View:
    lines = [t._("⭐ <b>My saved calls</b>, nearest deadline first"), _reminders_line(t, page.settings)]
    rows: list[list[InlineKeyboardButton]] = []
    if not page.grants:
        lines += [
            "",
            t._(
                "No saved calls yet. Open a call's card and press ⭐ Save and remind me: "
                "reminders of its deadline will come here."
            ),
        ]
    for number, grant in enumerate(page.grants, page.page * PAGE_SIZE + 1):
        title = grant_title(t, grant)
        if effective_status(grant.status, grant.deadline, now) is GrantStatus.OPEN:
            when = t._("%(amount)s · until %(deadline)s · %(left)s") % {
                "amount": amount_text(t, grant),
                "deadline": t.date_time(grant.deadline),
                "left": time_left_text(t, grant.deadline, now),
            }
        else:
            when = t._("🔒 closed")
        lines += ["", f"{number}. <b>{title}</b>", when]
        rows.append([_card_button(t, number, title, grant.id)])
    paging = []
    if page.page > 0:
        paging.append(button(t._("⬅️ Earlier"), SavedCallback(action=SavedAction.LIST, page=page.page - 1)))
    if page.has_next:
        paging.append(button(t._("Later ➡️"), SavedCallback(action=SavedAction.LIST, page=page.page + 1)))
    if paging:
        rows.append(paging)
    rows.append([button(t._("🔔 Reminders"), SavedCallback(action=SavedAction.SETTINGS))])
    rows.append(
        [
            button(t._("💰 All open calls"), GrantsCallback(action=GrantsAction.LIST)),
            back_button(t, Origin.MENU),
        ]
    )
    return View("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


def reminder_settings_view(t: Translator, settings: ReminderSettingsRecord) -> View:
    lines = [
        t._("🔔 <b>Deadline reminders of saved calls</b>"),
        t._(
            "They come at 10:00 Almaty time, and never after a deadline. A call that closes before noon "
            "is recalled on the evening before, at 20:00, instead of on its closing day. "
            "Tap a reminder to turn it on or off."
        ),
        "",
        _reminders_line(t, settings),
    ]
    buttons = [
        button(
            # While all are off, every choice shows off (greyed); the choices come back with them.
            ("✅ " if getattr(settings, slot.setting) and not settings.muted else "⬜ ")
            + _slot_name(t, slot),
            # What the press makes of it (on or off), not "the other way": a double tap stays.
            SavedCallback(
                action=SavedAction.TOGGLE, slot=slot.value, on=int(not getattr(settings, slot.setting))
            ),
        )
        for slot in ReminderSlot
    ]
    if settings.muted:
        buttons.append(button(t._("🔔 Turn reminders back on"), SavedCallback(action=SavedAction.UNMUTE)))
    else:
        buttons.append(button(t._("🔕 Mute all reminders"), SavedCallback(action=SavedAction.MUTE)))
    buttons.append(button(t._("⬅️ My saved calls"), SavedCallback(action=SavedAction.LIST)))
    return View("\n".join(lines), inline_keyboard(buttons, (2, 2, 1, 1)))


def _title(t: Translator, params: Mapping[str, Any]) -> str:
    own, other = ("title_ru", "title_kk") if t.locale == "ru" else ("title_kk", "title_ru")
    return escape(str(params.get(own) or params.get(other) or ""))


def _open_button(t: Translator, params: Mapping[str, Any]) -> InlineKeyboardButton:
    return open_call_button(t, int(params["grant_id"]))


def _reminder_day(params: Mapping[str, Any], deadline_date: date) -> date:
    """The day (Almaty) a reminder comes on: in its params, or, for one planned before they said so,
    as it was planned then (N days before the deadline's date, 1 for the evening before)."""
    if params.get("on_day"):
        return date.fromisoformat(str(params["on_day"]))
    return deadline_date - timedelta(days=1 if params.get("evening_before") else int(params["days"]))


def grant_reminder_view(t: Translator, params: Mapping[str, Any]) -> View:
    """A deadline reminder of a saved call: N days before, or on the closing day with the hour."""
    deadline = datetime.fromisoformat(str(params["deadline"]))
    title = _title(t, params)
    local = deadline.astimezone(t.tz)
    midnight = local.time() == time(0, 0)
    # Days from the reminder's day to the closing day: a deadline at 00:00 closes at 24:00 of the day
    # before (bot/services/grant_saves.py closing_day).
    days = (closing_day(deadline, t.tz) - _reminder_day(params, local.date())).days
    hour = "24:00" if midnight else format_time(deadline, "HH:mm", tzinfo=t.tz)
    if days == 0 and midnight:
        text = t._("⏰ Saved call <b>%(title)s</b> closes tonight at midnight.") % {"title": title}
    elif days == 1:
        text = t._("⏰ Saved call <b>%(title)s</b> closes tomorrow at %(time)s.") % {
            "title": title,
            "time": hour,
        }
    elif days <= 0:
        text = t._("⏰ Saved call <b>%(title)s</b> closes today at %(time)s.") % {
            "title": title,
            "time": hour,
        }
    else:
        text = t.ngettext(
            "⏰ Saved call <b>%(title)s</b> closes in %(count)d day: %(when)s.",
            "⏰ Saved call <b>%(title)s</b> closes in %(count)d days: %(when)s.",
            days,
        ) % {"title": title, "count": days, "when": t.day_time(deadline)}
    return View(text, inline_keyboard([_open_button(t, params)]))


_STATUS_NAMES = {GrantStatus.OPEN.value: N_("open"), GrantStatus.CLOSED.value: N_("closed")}


def _amount(t: Translator, value: object) -> str:
    low, _, high = str(value or "").partition("-")
    return amounts_text(t, int(low) if low else None, int(high) if high else None)


def _change_line(t: Translator, change: Mapping[str, Any]) -> str:
    field, old, new = change.get("field"), change.get("old"), change.get("new")
    if field == "deadline":
        return t._("Deadline: %(old)s → %(new)s") % {
            "old": t.date_time(datetime.fromisoformat(str(old))),
            "new": t.date_time(datetime.fromisoformat(str(new))),
        }
    if field == "amount":
        return t._("Amount: %(old)s → %(new)s") % {"old": _amount(t, old), "new": _amount(t, new)}
    names = {value: t._(name) for value, name in _STATUS_NAMES.items()}
    return t._("Status: %(old)s → %(new)s") % {
        "old": names.get(str(old), escape(str(old))),
        "new": names.get(str(new), escape(str(new))),
    }


def grant_changed_view(t: Translator, params: Mapping[str, Any]) -> View:
    """A saved call changed: its deadline, amount or status, old → new."""
    changes = list(params.get("changes") or [])
    lines = [t._("📝 Saved call <b>%(title)s</b> has changed:") % {"title": _title(t, params)}]
    lines += [_change_line(t, change) for change in changes]
    if any(c.get("field") == "status" and c.get("new") == GrantStatus.CLOSED.value for c in changes):
        lines.append(t._("🔒 Applications are no longer accepted; its reminders are cancelled."))
    return View("\n".join(lines), inline_keyboard([_open_button(t, params)]))


_REFUSALS = {
    SavedGrantProblem.NO_SUCH_GRANT: N_("This grant call is not available."),
    SavedGrantProblem.CLOSED: N_("This call is closed: it can no longer be saved."),
    SavedGrantProblem.NOT_SAVED: N_("This call is not among your saved calls."),
    SavedGrantProblem.BAD_SLOT: N_("This button is out of date. Send /menu."),
    SavedGrantProblem.NOT_SET_UP: N_("Set up Belsendi first: send /start."),
    SavedGrantProblem.MUTED: N_("Reminders are off: press 🔔 Turn reminders back on first."),
}


def saved_refusal_text(t: Translator, problem: SavedGrantProblem) -> str:
    if problem is SavedGrantProblem.TOO_MANY:
        return t.ngettext(
            "You have %(count)d saved call already: remove some first.",
            "You have %(count)d saved calls already: remove some first.",
            MAX_SAVED,
        ) % {"count": MAX_SAVED}
    return t._(_REFUSALS[problem])


def saved_text(t: Translator) -> str:
    return t._("⭐ Saved: reminders of its deadline will come.")


def unsaved_text(t: Translator) -> str:
    return t._("Removed from your saved calls; its reminders are cancelled.")
