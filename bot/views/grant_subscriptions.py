"""Grant subscriptions as users see them: the subscription screen with its sector and region pickers
(tap to tick, tap again to untick), the words prompt, and the alerts and weekly digests the sender
renders in the recipient's language, each with "Not relevant" / "Unsubscribe" buttons."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.collation import sorted_by_alphabet
from bot.domain.regions import REGIONS
from bot.i18n import N_, Translator
from bot.services.grant_subscriptions import Delivery, Subscription, SubscriptionProblem
from bot.services.grants import GrantQuery
from bot.text import escape
from bot.views import View, button
from bot.views.grants import (
    BUTTON_TITLE_MAX,
    GrantsAction,
    amounts_text,
    grant_title,
    grants_button,
    open_call_button,
    region_name,
    time_left_text,
)
from bot.views.menu import Origin, back_button
from storage.repositories.grants import GrantRecord


class SubscriptionAction(StrEnum):
    SHOW = "v"
    SECTORS = "s"
    REGIONS = "r"
    TOGGLE_SECTOR = "ts"
    TOGGLE_REGION = "tr"
    WORDS = "w"
    CLEAR_WORDS = "cw"
    DELIVERY = "d"
    SUBSCRIBE = "on"
    UNSUBSCRIBE = "off"
    HIDE = "h"
    UNHIDE = "u"
    UNHIDE_ALL = "ua"


class SubscriptionCallback(CallbackData, prefix="gsub"):
    action: SubscriptionAction
    code: str = ""  # a sector, region or delivery
    grant_id: int = 0
    # TOGGLE_SECTOR / TOGGLE_REGION: ticked (1) or unticked (0) after the press, never "the other way".
    on: int = 0


def subscription_button(
    text: str, action: SubscriptionAction, *, code: str = "", grant_id: int = 0, on: bool = False
) -> InlineKeyboardButton:
    return button(text, SubscriptionCallback(action=action, code=code, grant_id=grant_id, on=int(on)))


def _title(t: Translator, params: Mapping[str, Any]) -> str:
    own, other = ("title_ru", "title_kk") if t.locale == "ru" else ("title_kk", "title_ru")
    return escape(str(params.get(own) or params.get(other) or ""))


def _regions(t: Translator, codes: tuple[str, ...]) -> str:
    return ", ".join(
        escape(name) for name in sorted_by_alphabet((region_name(t, c) for c in codes), str, t.locale)
    )


def subscription_view(t: Translator, subscription: Subscription, notice: str | None = None) -> View:
    record = subscription.record
    lines = [t._("🔔 <b>Grant alerts</b>")]
    if notice:
        lines = [notice, "", *lines]
    lines.append(
        t._(
            "New grant calls that match reach you here: pick sectors, regions and/or words. "
            "A call matches when it has one of your sectors, is open to one of your regions (or to all of "
            "Kazakhstan) and has one of your words; what you leave empty matches any call."
        )
    )
    lines.append("")
    any_text = t._("any")
    lines.append(
        t._("🏷 Sectors: %(sectors)s") % {"sectors": subscription.sectors.names(t, record.sectors) or any_text}
    )
    lines.append(t._("📍 Regions: %(regions)s") % {"regions": _regions(t, record.regions) or any_text})
    lines.append(
        t._("🔤 Words: %(words)s") % {"words": escape(", ".join(record.words)) if record.words else any_text}
    )
    delivery = (
        t._("at once") if record.delivery == Delivery.INSTANT else t._("a weekly digest, on Mondays at 10:00")
    )
    lines.append(t._("📬 Delivery: %(delivery)s") % {"delivery": delivery})
    lines.append("")
    if record.active:
        lines.append(t._("✅ You are subscribed. Changes apply at once."))
    elif subscription.empty:
        lines.append(t._("You are not subscribed. Pick at least one sector, region or word first."))
    else:
        lines.append(t._("You are not subscribed yet."))
    if subscription.hidden:
        lines.append(
            t.ngettext(
                "🙈 %(count)d call is marked not relevant.",
                "🙈 %(count)d calls are marked not relevant.",
                subscription.hidden,
            )
            % {"count": subscription.hidden}
        )
    rows = [
        [
            subscription_button(t._("🏷 Sectors"), SubscriptionAction.SECTORS),
            subscription_button(t._("📍 Regions"), SubscriptionAction.REGIONS),
        ],
        [subscription_button(t._("🔤 Words"), SubscriptionAction.WORDS)],
    ]
    if record.words:
        rows[1].append(subscription_button(t._("✖️ No words"), SubscriptionAction.CLEAR_WORDS))
    rows.append(
        [
            subscription_button(
                _delivery_label(t._("⚡ At once"), chosen=record.delivery == Delivery.INSTANT),
                SubscriptionAction.DELIVERY,
                code=Delivery.INSTANT.value,
            ),
            subscription_button(
                _delivery_label(t._("🗓 Weekly"), chosen=record.delivery == Delivery.WEEKLY),
                SubscriptionAction.DELIVERY,
                code=Delivery.WEEKLY.value,
            ),
        ]
    )
    if record.active:
        rows.append([subscription_button(t._("🔕 Unsubscribe"), SubscriptionAction.UNSUBSCRIBE)])
    else:
        rows.append([subscription_button(t._("🔔 Subscribe"), SubscriptionAction.SUBSCRIBE)])
    if subscription.hidden:
        rows.append([subscription_button(t._("👁 Show hidden calls again"), SubscriptionAction.UNHIDE_ALL)])
    rows.append(
        [grants_button(t._("⬅️ Grant calls"), GrantsAction.LIST, GrantQuery()), back_button(t, Origin.MENU)]
    )
    return View("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


def _delivery_label(label: str, *, chosen: bool) -> str:
    """ "⚡ At once", or "✅ At once" once chosen: the tick takes the place of the icon, not beside it."""
    icon, _, name = label.partition(" ")
    return f"✅ {name}" if chosen and name and not icon.isalnum() else label


def _picker(t: Translator, heading: str, choices: list[InlineKeyboardButton]) -> View:
    rows = [choices[index : index + 2] for index in range(0, len(choices), 2)]
    rows.append([subscription_button(t._("✔️ Done"), SubscriptionAction.SHOW)])
    return View(heading, InlineKeyboardMarkup(inline_keyboard=rows))


def sectors_picker_view(t: Translator, subscription: Subscription) -> View:
    """Every sector offered (built-in and added ones), in the reader's alphabet; a retired one the user
    had ticked stays there until unticked."""
    picked = subscription.record.sectors
    sectors = subscription.sectors
    offered = sectors.choices(t)
    codes = {code for code, _ in offered}
    offered += [
        (code, sectors.label(t, code)) for code in picked if code not in codes and sectors.is_known(code)
    ]
    choices = [
        subscription_button(
            ("✅ " if code in picked else "") + label,
            SubscriptionAction.TOGGLE_SECTOR,
            code=code,
            on=code not in picked,
        )
        for code, label in offered
    ]
    return _picker(t, t._("🏷 Which sectors? Tap to tick or untick; none ticked: any sector."), choices)


def regions_picker_view(t: Translator, subscription: Subscription) -> View:
    picked = subscription.record.regions
    regions = sorted_by_alphabet(REGIONS, lambda region: t._(region.name), t.locale)
    choices = [
        subscription_button(
            ("✅ " if region.code in picked else "") + t._(region.name),
            SubscriptionAction.TOGGLE_REGION,
            code=region.code,
            on=region.code not in picked,
        )
        for region in regions
    ]
    text = t._(
        "📍 Which regions? Tap to tick or untick; none ticked: any region. "
        "Calls for all of Kazakhstan match every region."
    )
    return _picker(t, text, choices)


def words_prompt_view(t: Translator) -> View:
    text = t._(
        "🔤 Send the words to look for in new calls, separated by spaces or commas (up to 10), in "
        "Kazakh or Russian: for example «жастар, экология» or «молодежь спорт». Endings do not matter. "
        "Send - to have no words."
    )
    back = subscription_button(t._("⬅️ Back"), SubscriptionAction.SHOW)
    return View(text, InlineKeyboardMarkup(inline_keyboard=[[back]]))


def _call_line(t: Translator, params: Mapping[str, Any]) -> str:
    deadline = datetime.fromisoformat(str(params["deadline"]))
    at = datetime.fromisoformat(str(params["at"]))
    low, high = params.get("amount_min"), params.get("amount_max")
    amount = amounts_text(t, None if low is None else int(low), None if high is None else int(high))
    return t._("%(amount)s · until %(deadline)s · %(left)s") % {
        "amount": amount,
        "deadline": t.date(deadline),
        "left": time_left_text(t, deadline, at),
    }


def _card_button(t: Translator, grant_id: int, label: str | None = None) -> InlineKeyboardButton:
    # A new message: the alert or digest keeps its 🙈 / 🔕 buttons.
    return open_call_button(t, grant_id, label)


def grant_alert_view(t: Translator, params: Mapping[str, Any]) -> View:
    """A new call that matches the recipient's subscription."""
    grant_id = int(params["grant_id"])
    text = "\n".join(
        [
            t._("🔔 <b>A new grant call for you</b>"),
            "",
            f"<b>{_title(t, params)}</b>",
            _call_line(t, params),
        ]
    )
    rows = [
        [_card_button(t, grant_id)],
        [
            subscription_button(t._("🙈 Not relevant"), SubscriptionAction.HIDE, grant_id=grant_id),
            subscription_button(t._("🔕 Unsubscribe"), SubscriptionAction.UNSUBSCRIBE),
        ],
    ]
    return View(text, InlineKeyboardMarkup(inline_keyboard=rows))


def grant_digest_view(t: Translator, params: Mapping[str, Any]) -> View:
    """The week's new calls that match the recipient's subscription."""
    calls = list(params.get("calls") or [])
    lines = [t._("🗓 <b>New grant calls of the week</b> that match your subscription:")]
    rows: list[list[InlineKeyboardButton]] = []
    for number, call in enumerate(calls, 1):
        title = _title(t, call)
        lines += ["", f"{number}. <b>{title}</b>", _call_line(t, call)]
        label = title if len(title) <= BUTTON_TITLE_MAX else title[: BUTTON_TITLE_MAX - 1] + "…"
        rows.append([_card_button(t, int(call["grant_id"]), f"{number}. {label}")])
    more = int(params.get("more") or 0)
    if more:
        lines += [
            "",
            t.ngettext("…and %(count)d more call.", "…and %(count)d more calls.", more) % {"count": more},
        ]
    lines += ["", t._("Open a call to read it; one that is not for you can be hidden from its card.")]
    rows.append(
        [
            grants_button(t._("💰 All open calls"), GrantsAction.LIST, GrantQuery()),
            subscription_button(t._("🔕 Unsubscribe"), SubscriptionAction.UNSUBSCRIBE),
        ]
    )
    return View("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


def hidden_view(t: Translator, grant: GrantRecord) -> View:
    """After "Not relevant": what happened, and the way back."""
    title = grant_title(t, grant)
    text = t._("🙈 «%(title)s» is hidden: it will not be shown in your lists, searches and alerts.") % {
        "title": title
    }
    rows = [
        [subscription_button(t._("↩️ Undo"), SubscriptionAction.UNHIDE, grant_id=grant.id)],
        [
            grants_button(t._("⬅️ Grant calls"), GrantsAction.LIST, GrantQuery()),
            subscription_button(t._("🔔 My subscription"), SubscriptionAction.SHOW),
        ],
    ]
    return View(text, InlineKeyboardMarkup(inline_keyboard=rows))


def unhidden_text(t: Translator, grant: GrantRecord) -> str:
    """Above the call's card after "Undo"."""
    return t._("👁 «%(title)s» is shown again.") % {"title": grant_title(t, grant)}


def unsubscribed_view(t: Translator) -> View:
    text = t._("🔕 You are unsubscribed: no more grant alerts or digests. Your choices are kept.")
    # One tap subscribes again with the choices kept (then the screen says "✅ You are subscribed").
    rows = [[subscription_button(t._("🔔 Subscribe again"), SubscriptionAction.SUBSCRIBE)]]
    return View(text, InlineKeyboardMarkup(inline_keyboard=rows))


_REFUSALS = {
    SubscriptionProblem.NOT_ALLOWED: N_("Set up Belsendi first: send /start."),
    SubscriptionProblem.BAD_BUTTON: N_("This button is out of date. Send /menu."),
    SubscriptionProblem.EMPTY: N_(
        "A subscription needs at least one sector, region or word. To stop the alerts, unsubscribe."
    ),
    SubscriptionProblem.NOT_SUBSCRIBED: N_("You are not subscribed to grant alerts."),
    SubscriptionProblem.NO_SUCH_GRANT: N_("This grant call is not available."),
    SubscriptionProblem.WORDS_EMPTY: N_("Send words: letters or digits."),
    SubscriptionProblem.WORDS_TOO_LONG: N_("Too many words: up to 10 words, 200 characters."),
}


def subscription_refusal_text(t: Translator, problem: SubscriptionProblem) -> str:
    return t._(_REFUSALS[problem])


def subscription_saved_text(t: Translator) -> str:
    return t._("✅ Saved.")


def subscribed_text(t: Translator) -> str:
    return t._("✅ Subscribed.")
